// SPDX-License-Identifier: MIT
// RAII over the HDF5 C API (HighFive's idea, which Debian 12 does not package, in ~200 lines):
// one move-only owner per handle kind, HDF5's own error printing silenced, failures thrown as
// h5::Error carrying HDF5's error-stack text. Destructors never throw.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parkit::h5 {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Silences HDF5's automatic error printing for the whole process (we report errors ourselves).
void silence_library_errors();
/// Throws Error("what: <HDF5 error stack>") and clears the stack.
[[noreturn]] void fail(std::string_view what);
/// For status-returning calls: throws unless status >= 0.
inline void check(herr_t status, std::string_view what) {
  if (status < 0) fail(what);
}

template <herr_t (*Close)(hid_t)>
class Handle {
 public:
  Handle() = default;
  Handle(hid_t id, std::string_view what) : id_(id) {
    if (id_ < 0) fail(what);
  }
  Handle(Handle&& o) noexcept : id_(std::exchange(o.id_, H5I_INVALID_HID)) {}
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = std::exchange(o.id_, H5I_INVALID_HID);
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { reset(); }
  [[nodiscard]] hid_t get() const noexcept { return id_; }
  void reset() noexcept {
    if (id_ >= 0) Close(id_);  // status ignored: a destructor must not throw
    id_ = H5I_INVALID_HID;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
};

using File = Handle<H5Fclose>;
using Group = Handle<H5Gclose>;
using Dataset = Handle<H5Dclose>;
using Space = Handle<H5Sclose>;
using Type = Handle<H5Tclose>;
using Plist = Handle<H5Pclose>;
using Attribute = Handle<H5Aclose>;

/// Variable-length UTF-8 string type (h5py reads it as str).
[[nodiscard]] Type utf8_string_type();
/// HDF5 enum with h5py's bool layout (FALSE=0, TRUE=1 over int8): numpy reads it as bool.
[[nodiscard]] Type bool_type();

[[nodiscard]] Group create_group(hid_t parent, const std::string& name);
[[nodiscard]] Group open_group(hid_t parent, const std::string& name);
[[nodiscard]] bool exists(hid_t parent, const std::string& name);
/// Names of the members of a group, in name order.
[[nodiscard]] std::vector<std::string> members(hid_t group);

// Attributes: scalars and string lists on any object.
void write_attribute(hid_t object, const std::string& name, const std::string& value);
void write_attribute(hid_t object, const std::string& name, const char* value);
void write_attribute(hid_t object, const std::string& name, double value);
void write_attribute(hid_t object, const std::string& name, std::int64_t value);
void write_attribute(hid_t object, const std::string& name, bool value);
void write_attribute(hid_t object, const std::string& name, const std::vector<std::string>& values);
[[nodiscard]] std::string read_string_attribute(hid_t object, const std::string& name);
[[nodiscard]] double read_double_attribute(hid_t object, const std::string& name);
[[nodiscard]] std::int64_t read_int_attribute(hid_t object, const std::string& name);
[[nodiscard]] bool read_bool_attribute(hid_t object, const std::string& name);
[[nodiscard]] std::vector<std::string> read_strings_attribute(hid_t object,
                                                              const std::string& name);
/// Every attribute of an object whose value is a single string, as (name, value).
[[nodiscard]] std::vector<std::pair<std::string, std::string>> string_attributes(hid_t object);

// Datasets with a `units` attribute: 1-D and 2-D doubles, 1-D bools, ints and strings.
void write_dataset(hid_t parent, const std::string& name, const std::vector<double>& values,
                   const std::string& units);
void write_dataset(hid_t parent, const std::string& name,
                   const std::vector<std::vector<double>>& rows, const std::string& units);
void write_dataset(hid_t parent, const std::string& name, const std::vector<bool>& values);
void write_dataset(hid_t parent, const std::string& name, const std::vector<std::int64_t>& values,
                   const std::string& units);
void write_dataset(hid_t parent, const std::string& name, const std::vector<std::string>& values);
void write_dataset(hid_t parent, const std::string& name,
                   const std::vector<std::vector<std::string>>& rows);
[[nodiscard]] std::vector<double> read_doubles(hid_t parent, const std::string& name);
[[nodiscard]] std::vector<std::vector<double>> read_double_rows(hid_t parent,
                                                                const std::string& name);
[[nodiscard]] std::vector<bool> read_bools(hid_t parent, const std::string& name);
[[nodiscard]] std::vector<std::int64_t> read_ints(hid_t parent, const std::string& name);
[[nodiscard]] std::vector<std::string> read_strings(hid_t parent, const std::string& name);
[[nodiscard]] std::vector<std::vector<std::string>> read_string_rows(hid_t parent,
                                                                     const std::string& name);

/// "1.10.8".
[[nodiscard]] std::string library_version();

}  // namespace parkit::h5
