// SPDX-License-Identifier: MIT
#include "parkit/results/h5.hpp"

#include <algorithm>
#include <cstring>

namespace parkit::h5 {
namespace {

herr_t collect_error(unsigned depth, const H5E_error2_t* e, void* text) {
  auto& out = *static_cast<std::string*>(text);
  if (depth > 0) out += "; ";
  out += e->desc != nullptr && *e->desc ? e->desc : e->func_name;
  return 0;
}

Space scalar_space() { return {H5Screate(H5S_SCALAR), "H5Screate(scalar)"}; }

Space simple_space(std::vector<hsize_t> dims) {
  return {H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
          "H5Screate_simple"};
}

Attribute create_attribute(hid_t object, const std::string& name, hid_t type, hid_t space) {
  if (H5Aexists(object, name.c_str()) > 0) check(H5Adelete(object, name.c_str()), "H5Adelete");
  return {H5Acreate2(object, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT),
          "creating attribute " + name};
}

template <class T>
void write_scalar(hid_t object, const std::string& name, hid_t type, const T& value) {
  const Space space = scalar_space();
  const Attribute a = create_attribute(object, name, type, space.get());
  check(H5Awrite(a.get(), type, &value), "writing attribute " + name);
}

template <class T>
T read_scalar(hid_t object, const std::string& name, hid_t memtype) {
  const Attribute a(H5Aopen(object, name.c_str(), H5P_DEFAULT), "opening attribute " + name);
  T value{};
  check(H5Aread(a.get(), memtype, &value), "reading attribute " + name);
  return value;
}

std::vector<const char*> c_strings(const std::vector<std::string>& values) {
  std::vector<const char*> out;
  for (const auto& s : values) out.push_back(s.c_str());
  return out;
}

Dataset create_dataset(hid_t parent, const std::string& name, hid_t type, hid_t space) {
  return {H5Dcreate2(parent, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
          "creating dataset " + name};
}

std::vector<hsize_t> dims_of(hid_t dataset) {
  const Space space(H5Dget_space(dataset), "H5Dget_space");
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) fail("H5Sget_simple_extent_ndims");
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  check(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), "H5Sget_simple_extent_dims");
  return dims;
}

/// Reads `count` variable-length strings through `read` and frees HDF5's copies.
template <class Read>
std::vector<std::string> read_vlen_strings(std::size_t count, Read read) {
  if (count == 0) return {};
  std::vector<char*> raw(count, nullptr);
  const Type type = utf8_string_type();
  read(type.get(), raw.data());
  std::vector<std::string> out;
  for (char* p : raw) out.emplace_back(p != nullptr ? p : "");
  const hsize_t n = count;
  const Space mem(H5Screate_simple(1, &n, nullptr), "H5Screate_simple");
  H5Dvlen_reclaim(type.get(), mem.get(), H5P_DEFAULT, raw.data());
  return out;
}

void write_strings(hid_t parent, const std::string& name, const std::vector<std::string>& flat,
                   std::vector<hsize_t> dims) {
  const Type type = utf8_string_type();
  const Space space = simple_space(std::move(dims));
  const Dataset d = create_dataset(parent, name, type.get(), space.get());
  const auto raw = c_strings(flat);
  if (!raw.empty())
    check(H5Dwrite(d.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()),
          "writing " + name);
  write_attribute(d.get(), "units", "1");
}

}  // namespace

void silence_library_errors() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

void fail(std::string_view what) {
  std::string stack;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, &collect_error, &stack);
  H5Eclear2(H5E_DEFAULT);
  throw Error(std::string(what) + (stack.empty() ? "" : ": " + stack));
}

Type utf8_string_type() {
  Type t(H5Tcopy(H5T_C_S1), "H5Tcopy");
  check(H5Tset_size(t.get(), H5T_VARIABLE), "H5Tset_size");
  check(H5Tset_cset(t.get(), H5T_CSET_UTF8), "H5Tset_cset");
  return t;
}

Type bool_type() {
  Type t(H5Tenum_create(H5T_NATIVE_INT8), "H5Tenum_create");
  const std::int8_t no = 0, yes = 1;
  check(H5Tenum_insert(t.get(), "FALSE", &no), "H5Tenum_insert");
  check(H5Tenum_insert(t.get(), "TRUE", &yes), "H5Tenum_insert");
  return t;
}

Group create_group(hid_t parent, const std::string& name) {
  return {H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
          "creating group " + name};
}

Group open_group(hid_t parent, const std::string& name) {
  return {H5Gopen2(parent, name.c_str(), H5P_DEFAULT), "opening group " + name};
}

bool exists(hid_t parent, const std::string& name) {
  const htri_t e = H5Lexists(parent, name.c_str(), H5P_DEFAULT);
  if (e < 0) fail("H5Lexists " + name);
  return e > 0;
}

std::vector<std::string> members(hid_t group) {
  H5G_info_t info{};
  check(H5Gget_info(group, &info), "H5Gget_info");
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t length =
        H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (length < 0) fail("H5Lget_name_by_idx");
    std::string name(static_cast<std::size_t>(length), '\0');
    if (H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size() + 1,
                           H5P_DEFAULT) < 0)
      fail("H5Lget_name_by_idx");
    names.push_back(std::move(name));
  }
  return names;
}

void write_attribute(hid_t object, const std::string& name, const std::string& value) {
  write_attribute(object, name, value.c_str());
}

void write_attribute(hid_t object, const std::string& name, const char* value) {
  const Type type = utf8_string_type();
  write_scalar(object, name, type.get(), value);
}

void write_attribute(hid_t object, const std::string& name, double value) {
  write_scalar(object, name, H5T_NATIVE_DOUBLE, value);
}

void write_attribute(hid_t object, const std::string& name, std::int64_t value) {
  write_scalar(object, name, H5T_NATIVE_INT64, value);
}

void write_attribute(hid_t object, const std::string& name, bool value) {
  const Type type = bool_type();
  const std::int8_t v = value ? 1 : 0;
  write_scalar(object, name, type.get(), v);
}

void write_attribute(hid_t object, const std::string& name,
                     const std::vector<std::string>& values) {
  const Type type = utf8_string_type();
  if (values.empty()) {  // an empty list: a null dataspace (h5py reads an empty attribute)
    const Space none(H5Screate(H5S_NULL), "H5Screate(null)");
    static_cast<void>(create_attribute(object, name, type.get(), none.get()));
    return;
  }
  const Space space = simple_space({values.size()});
  const Attribute a = create_attribute(object, name, type.get(), space.get());
  const auto raw = c_strings(values);
  check(H5Awrite(a.get(), type.get(), raw.data()), "writing attribute " + name);
}

std::string read_string_attribute(hid_t object, const std::string& name) {
  const Attribute a(H5Aopen(object, name.c_str(), H5P_DEFAULT), "opening attribute " + name);
  const Type type = utf8_string_type();
  char* raw = nullptr;
  check(H5Aread(a.get(), type.get(), &raw), "reading attribute " + name);
  std::string value = raw != nullptr ? raw : "";
  H5free_memory(raw);
  return value;
}

double read_double_attribute(hid_t object, const std::string& name) {
  return read_scalar<double>(object, name, H5T_NATIVE_DOUBLE);
}

std::int64_t read_int_attribute(hid_t object, const std::string& name) {
  return read_scalar<std::int64_t>(object, name, H5T_NATIVE_INT64);
}

bool read_bool_attribute(hid_t object, const std::string& name) {
  const Type type = bool_type();
  return read_scalar<std::int8_t>(object, name, type.get()) != 0;
}

std::vector<std::string> read_strings_attribute(hid_t object, const std::string& name) {
  const Attribute a(H5Aopen(object, name.c_str(), H5P_DEFAULT), "opening attribute " + name);
  const Space space(H5Aget_space(a.get()), "H5Aget_space");
  const hssize_t count = H5Sget_simple_extent_npoints(space.get());
  if (count < 0) fail("H5Sget_simple_extent_npoints");
  return read_vlen_strings(static_cast<std::size_t>(count), [&](hid_t type, char** raw) {
    check(H5Aread(a.get(), type, raw), "reading attribute " + name);
  });
}

std::vector<std::pair<std::string, std::string>> string_attributes(hid_t object) {
  H5O_info_t info{};
  check(H5Oget_info2(object, &info, H5O_INFO_NUM_ATTRS), "H5Oget_info2");
  std::vector<std::pair<std::string, std::string>> out;
  for (hsize_t i = 0; i < info.num_attrs; ++i) {
    const Attribute a(
        H5Aopen_by_idx(object, ".", H5_INDEX_NAME, H5_ITER_INC, i, H5P_DEFAULT, H5P_DEFAULT),
        "H5Aopen_by_idx");
    const Type type(H5Aget_type(a.get()), "H5Aget_type");
    const Space space(H5Aget_space(a.get()), "H5Aget_space");
    // scalar strings only: a string list (e.g. hosts) has its own reader
    if (H5Tget_class(type.get()) != H5T_STRING ||
        H5Sget_simple_extent_type(space.get()) != H5S_SCALAR)
      continue;
    const ssize_t length = H5Aget_name(a.get(), 0, nullptr);
    if (length < 0) fail("H5Aget_name");
    std::string name(static_cast<std::size_t>(length), '\0');
    if (H5Aget_name(a.get(), name.size() + 1, name.data()) < 0) fail("H5Aget_name");
    out.emplace_back(name, read_string_attribute(object, name));
  }
  return out;
}

void write_dataset(hid_t parent, const std::string& name, const std::vector<double>& values,
                   const std::string& units) {
  const Space space = simple_space({values.size()});
  const Dataset d = create_dataset(parent, name, H5T_NATIVE_DOUBLE, space.get());
  if (!values.empty())
    check(H5Dwrite(d.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
          "writing " + name);
  write_attribute(d.get(), "units", units);
}

void write_dataset(hid_t parent, const std::string& name,
                   const std::vector<std::vector<double>>& rows, const std::string& units) {
  const std::size_t columns = rows.empty() ? 0 : rows.front().size();
  std::vector<double> flat;
  for (const auto& row : rows) {
    if (row.size() != columns) throw Error("ragged rows for dataset " + name);
    flat.insert(flat.end(), row.begin(), row.end());
  }
  const Space space = simple_space({rows.size(), columns});
  const Dataset d = create_dataset(parent, name, H5T_NATIVE_DOUBLE, space.get());
  if (!flat.empty())
    check(H5Dwrite(d.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, flat.data()),
          "writing " + name);
  write_attribute(d.get(), "units", units);
}

void write_dataset(hid_t parent, const std::string& name, const std::vector<bool>& values) {
  const Type type = bool_type();
  std::vector<std::int8_t> raw(values.begin(), values.end());
  const Space space = simple_space({values.size()});
  const Dataset d = create_dataset(parent, name, type.get(), space.get());
  if (!raw.empty())
    check(H5Dwrite(d.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()),
          "writing " + name);
  write_attribute(d.get(), "units", "1");
}

void write_dataset(hid_t parent, const std::string& name, const std::vector<std::int64_t>& values,
                   const std::string& units) {
  const Space space = simple_space({values.size()});
  const Dataset d = create_dataset(parent, name, H5T_NATIVE_INT64, space.get());
  if (!values.empty())
    check(H5Dwrite(d.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
          "writing " + name);
  write_attribute(d.get(), "units", units);
}

void write_dataset(hid_t parent, const std::string& name, const std::vector<std::string>& values) {
  write_strings(parent, name, values, {values.size()});
}

void write_dataset(hid_t parent, const std::string& name,
                   const std::vector<std::vector<std::string>>& rows) {
  // rows of unequal length are padded with "" to a rectangle
  std::size_t columns = 0;
  for (const auto& row : rows) columns = std::max(columns, row.size());
  std::vector<std::string> flat;
  for (const auto& row : rows) {
    flat.insert(flat.end(), row.begin(), row.end());
    flat.resize(flat.size() + columns - row.size());
  }
  write_strings(parent, name, flat, {rows.size(), columns});
}

std::vector<double> read_doubles(hid_t parent, const std::string& name) {
  const Dataset d(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), "opening dataset " + name);
  const auto dims = dims_of(d.get());
  std::size_t count = 1;
  for (hsize_t n : dims) count *= n;
  std::vector<double> values(count);
  if (count > 0)
    check(H5Dread(d.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
          "reading " + name);
  return values;
}

std::vector<std::vector<double>> read_double_rows(hid_t parent, const std::string& name) {
  const Dataset d(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), "opening dataset " + name);
  const auto dims = dims_of(d.get());
  if (dims.size() != 2) throw Error(name + ": expected a 2-D dataset");
  const std::vector<double> flat = read_doubles(parent, name);
  std::vector<std::vector<double>> rows;
  for (hsize_t r = 0; r < dims[0]; ++r)
    rows.emplace_back(flat.begin() + static_cast<std::ptrdiff_t>(r * dims[1]),
                      flat.begin() + static_cast<std::ptrdiff_t>((r + 1) * dims[1]));
  return rows;
}

std::vector<bool> read_bools(hid_t parent, const std::string& name) {
  const Dataset d(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), "opening dataset " + name);
  const auto dims = dims_of(d.get());
  std::vector<std::int8_t> raw(dims.empty() ? 1 : dims[0]);
  const Type type = bool_type();
  if (!raw.empty())
    check(H5Dread(d.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()),
          "reading " + name);
  return {raw.begin(), raw.end()};
}

std::vector<std::int64_t> read_ints(hid_t parent, const std::string& name) {
  const Dataset d(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), "opening dataset " + name);
  const auto dims = dims_of(d.get());
  std::vector<std::int64_t> values(dims.empty() ? 1 : dims[0]);
  if (!values.empty())
    check(H5Dread(d.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
          "reading " + name);
  return values;
}

std::vector<std::string> read_strings(hid_t parent, const std::string& name) {
  const Dataset d(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), "opening dataset " + name);
  const Space space(H5Dget_space(d.get()), "H5Dget_space");
  const hssize_t count = H5Sget_simple_extent_npoints(space.get());
  if (count < 0) fail("H5Sget_simple_extent_npoints");
  return read_vlen_strings(static_cast<std::size_t>(count), [&](hid_t type, char** raw) {
    check(H5Dread(d.get(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw), "reading " + name);
  });
}

std::vector<std::vector<std::string>> read_string_rows(hid_t parent, const std::string& name) {
  const Dataset d(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), "opening dataset " + name);
  const auto dims = dims_of(d.get());
  if (dims.size() != 2) throw Error(name + ": expected a 2-D dataset");
  const std::vector<std::string> flat = read_strings(parent, name);
  std::vector<std::vector<std::string>> rows;
  for (hsize_t r = 0; r < dims[0]; ++r)
    rows.emplace_back(flat.begin() + static_cast<std::ptrdiff_t>(r * dims[1]),
                      flat.begin() + static_cast<std::ptrdiff_t>((r + 1) * dims[1]));
  return rows;
}

std::string library_version() {
  unsigned major = 0, minor = 0, release = 0;
  check(H5get_libversion(&major, &minor, &release), "H5get_libversion");
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release);
}

}  // namespace parkit::h5
