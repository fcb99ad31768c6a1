// SPDX-License-Identifier: MIT
#include "results/results_file.hpp"

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>

#include "results/atomic_file.hpp"
#include "results/h5.hpp"

namespace parkit::results {
namespace {

using h5::write_attribute;

constexpr double no_value = std::numeric_limits<double>::quiet_NaN();

std::string run_id(std::size_t i) {
  std::string digits = std::to_string(i);
  return "run-" + std::string(digits.size() < 4 ? 4 - digits.size() : 0, '0') + digits;
}

/// One row of /table: fixed-size fields so h5py gives a plain numpy record array.
struct TableRow {
  char run[16];
  char job[16];
  char kernel[48];
  char model[16];
  char scaling[8];
  std::int64_t n_global, n_per_rank;
  std::int32_t ranks, threads, reps, warmup;
  double median_s, min_s, mean_s, max_s, stddev_s, cv, imbalance;
  double gbytes_per_s, gflops_per_s, ns_per_elem, percent_of_triad;
  std::int8_t verified, oversubscribed;
};

template <std::size_t N>
void copy_text(char (&field)[N], const std::string& text) {
  std::memset(field, 0, N);
  std::memcpy(field, text.data(), std::min(N, text.size()));  // NULLPAD: full width allowed
}

h5::Type fixed_string(std::size_t size) {
  h5::Type t(H5Tcopy(H5T_C_S1), "H5Tcopy");
  h5::check(H5Tset_size(t.get(), size), "H5Tset_size");
  h5::check(H5Tset_strpad(t.get(), H5T_STR_NULLPAD), "H5Tset_strpad");
  return t;
}

void write_table(hid_t file, const ResultsFile& f) {
  std::vector<TableRow> rows(f.runs.size());
  for (std::size_t i = 0; i < f.runs.size(); ++i) {
    const RunRecord& r = f.runs[i];
    TableRow& row = rows[i];
    copy_text(row.run, run_id(i));
    copy_text(row.job, r.job);
    copy_text(row.kernel, r.kernel);
    copy_text(row.model, r.model);
    copy_text(row.scaling, r.scaling);
    row.n_global = r.n_global;
    row.n_per_rank = r.n_per_rank;
    row.ranks = r.ranks;
    row.threads = static_cast<std::int32_t>(r.threads);
    row.reps = r.reps;
    row.warmup = r.warmup;
    row.median_s = r.time.median;
    row.min_s = r.time.min;
    row.mean_s = r.time.mean;
    row.max_s = r.time.max;
    row.stddev_s = r.time.stddev;
    row.cv = r.time.cv;
    row.imbalance = r.imbalance;
    row.gbytes_per_s = r.gbytes_per_s;
    row.gflops_per_s = r.gflops_per_s;
    row.ns_per_elem = r.ns_per_elem;
    row.percent_of_triad = r.percent_of_triad.value_or(no_value);
    row.verified = r.verified;
    row.oversubscribed = r.oversubscribed;
  }
  h5::Type type(H5Tcreate(H5T_COMPOUND, sizeof(TableRow)), "H5Tcreate(compound)");
  std::vector<std::string> units;
  auto text = [&](const char* name, std::size_t offset, std::size_t size) {
    const h5::Type s = fixed_string(size);
    h5::check(H5Tinsert(type.get(), name, offset, s.get()), name);
    units.emplace_back("1");
  };
  auto number = [&](const char* name, std::size_t offset, hid_t t, const char* unit) {
    h5::check(H5Tinsert(type.get(), name, offset, t), name);
    units.emplace_back(unit);
  };
  const h5::Type boolean = h5::bool_type();
  text("run", offsetof(TableRow, run), sizeof(TableRow::run));
  text("job", offsetof(TableRow, job), sizeof(TableRow::job));
  text("kernel", offsetof(TableRow, kernel), sizeof(TableRow::kernel));
  text("model", offsetof(TableRow, model), sizeof(TableRow::model));
  text("scaling", offsetof(TableRow, scaling), sizeof(TableRow::scaling));
  number("n_global", offsetof(TableRow, n_global), H5T_NATIVE_INT64, "elements");
  number("n_per_rank", offsetof(TableRow, n_per_rank), H5T_NATIVE_INT64, "elements");
  number("ranks", offsetof(TableRow, ranks), H5T_NATIVE_INT32, "1");
  number("threads", offsetof(TableRow, threads), H5T_NATIVE_INT32, "1");
  number("reps", offsetof(TableRow, reps), H5T_NATIVE_INT32, "1");
  number("warmup", offsetof(TableRow, warmup), H5T_NATIVE_INT32, "1");
  number("median_s", offsetof(TableRow, median_s), H5T_NATIVE_DOUBLE, "s");
  number("min_s", offsetof(TableRow, min_s), H5T_NATIVE_DOUBLE, "s");
  number("mean_s", offsetof(TableRow, mean_s), H5T_NATIVE_DOUBLE, "s");
  number("max_s", offsetof(TableRow, max_s), H5T_NATIVE_DOUBLE, "s");
  number("stddev_s", offsetof(TableRow, stddev_s), H5T_NATIVE_DOUBLE, "s");
  number("cv", offsetof(TableRow, cv), H5T_NATIVE_DOUBLE, "1");
  number("imbalance", offsetof(TableRow, imbalance), H5T_NATIVE_DOUBLE, "1");
  number("gbytes_per_s", offsetof(TableRow, gbytes_per_s), H5T_NATIVE_DOUBLE, "GB/s");
  number("gflops_per_s", offsetof(TableRow, gflops_per_s), H5T_NATIVE_DOUBLE, "GFLOP/s");
  number("ns_per_elem", offsetof(TableRow, ns_per_elem), H5T_NATIVE_DOUBLE, "ns");
  number("percent_of_triad", offsetof(TableRow, percent_of_triad), H5T_NATIVE_DOUBLE, "%");
  number("verified", offsetof(TableRow, verified), boolean.get(), "1");
  number("oversubscribed", offsetof(TableRow, oversubscribed), boolean.get(), "1");

  const hsize_t count = rows.size();
  const h5::Space space(H5Screate_simple(1, &count, nullptr), "H5Screate_simple");
  const h5::Dataset table(
      H5Dcreate2(file, "table", type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
      "creating /table");
  if (!rows.empty())
    h5::check(H5Dwrite(table.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data()),
              "writing /table");
  write_attribute(table.get(), "units", units);  // one per column, in column order
}

void write_pairs(hid_t parent, const std::string& name, const Pairs& pairs) {
  const h5::Group g = h5::create_group(parent, name);
  for (const auto& [k, v] : pairs) write_attribute(g.get(), k, v);
}

Pairs read_pairs(hid_t parent, const std::string& name) {
  const h5::Group g = h5::open_group(parent, name);
  return h5::string_attributes(g.get());
}

void write_job(hid_t jobs, const JobProvenance& job) {
  const h5::Group g = h5::create_group(jobs, job.id);
  for (const auto& [k, v] : job.text) write_attribute(g.get(), k, v);
  for (const auto& [k, v] : job.numbers) write_attribute(g.get(), k, v);
  write_attribute(g.get(), "hosts", job.hosts);
  write_pairs(g.get(), "environment", job.environment);
  write_pairs(g.get(), "openmp_icvs", job.openmp_icvs);
  write_pairs(g.get(), "context", job.context);
}

JobProvenance read_job(hid_t jobs, const std::string& id) {
  const h5::Group g = h5::open_group(jobs, id);
  JobProvenance job;
  job.id = id;
  job.text = h5::string_attributes(g.get());
  H5O_info_t info{};
  h5::check(H5Oget_info2(g.get(), &info, H5O_INFO_NUM_ATTRS), "H5Oget_info2");
  for (hsize_t i = 0; i < info.num_attrs; ++i) {
    const h5::Attribute a(
        H5Aopen_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, H5P_DEFAULT, H5P_DEFAULT),
        "H5Aopen_by_idx");
    const h5::Type type(H5Aget_type(a.get()), "H5Aget_type");
    if (H5Tget_class(type.get()) != H5T_FLOAT) continue;
    char name[256] = {};
    if (H5Aget_name(a.get(), sizeof name, name) < 0) h5::fail("H5Aget_name");
    job.numbers.emplace_back(name, h5::read_double_attribute(g.get(), name));
  }
  job.hosts = h5::read_strings_attribute(g.get(), "hosts");
  job.environment = read_pairs(g.get(), "environment");
  job.openmp_icvs = read_pairs(g.get(), "openmp_icvs");
  job.context = read_pairs(g.get(), "context");
  return job;
}

/// A scalar field of RunRecord and the attribute it is stored as: write_run and read_run both
/// walk these lists, so the two can never disagree about a field.
template <class T, class Owner = RunRecord>
struct Field {
  const char* name;
  T Owner::*member;
};
constexpr Field<std::string> text_fields[] = {
    {"job", &RunRecord::job},          {"kernel", &RunRecord::kernel},
    {"model", &RunRecord::model},      {"scaling", &RunRecord::scaling},
    {"bind", &RunRecord::bind},        {"expected", &RunRecord::expected},
    {"observed", &RunRecord::observed}};
constexpr Field<std::int64_t> int64_fields[] = {{"n_global", &RunRecord::n_global},
                                                {"n_per_rank", &RunRecord::n_per_rank}};
constexpr Field<int> int_fields[] = {{"ranks", &RunRecord::ranks},
                                     {"reps", &RunRecord::reps},
                                     {"warmup", &RunRecord::warmup},
                                     {"failed_reps", &RunRecord::failed_reps}};
constexpr Field<double> double_fields[] = {{"bytes_per_elem", &RunRecord::bytes_per_elem},
                                           {"flops_per_elem", &RunRecord::flops_per_elem},
                                           {"timer_resolution_s", &RunRecord::timer_resolution},
                                           {"imbalance", &RunRecord::imbalance},
                                           {"gbytes_per_s", &RunRecord::gbytes_per_s},
                                           {"gflops_per_s", &RunRecord::gflops_per_s},
                                           {"ns_per_elem", &RunRecord::ns_per_elem}};
constexpr Field<bool> bool_fields[] = {{"verified", &RunRecord::verified},
                                       {"bandwidth_bound", &RunRecord::bandwidth_bound},
                                       {"oversubscribed", &RunRecord::oversubscribed}};
constexpr Field<double, Summary> time_fields[] = {
    {"time_min_s", &Summary::min},       {"time_median_s", &Summary::median},
    {"time_mean_s", &Summary::mean},     {"time_max_s", &Summary::max},
    {"time_stddev_s", &Summary::stddev}, {"time_cv", &Summary::cv}};

void write_run(hid_t runs, const std::string& id, const RunRecord& r) {
  const h5::Group g = h5::create_group(runs, id);
  const hid_t o = g.get();
  for (const auto& f : text_fields) write_attribute(o, f.name, r.*f.member);
  for (const auto& f : int64_fields) write_attribute(o, f.name, r.*f.member);
  for (const auto& f : int_fields) write_attribute(o, f.name, std::int64_t{r.*f.member});
  for (const auto& f : double_fields) write_attribute(o, f.name, r.*f.member);
  for (const auto& f : bool_fields) write_attribute(o, f.name, r.*f.member);
  for (const auto& f : time_fields) write_attribute(o, f.name, r.time.*f.member);
  write_attribute(o, "threads", std::int64_t{r.threads});
  write_attribute(o, "percent_of_triad", r.percent_of_triad.value_or(no_value));
  write_attribute(o, "warnings", r.warnings);
  h5::write_dataset(o, "rank_seconds", r.rank_times, "s");
  h5::write_dataset(o, "rep_seconds", r.rep_times, "s");
  h5::write_dataset(o, "rep_rank_min_seconds", r.rep_rank_min, "s");
  h5::write_dataset(o, "rep_rank_mean_seconds", r.rep_rank_mean, "s");
  h5::write_dataset(o, "outliers", r.outliers);
  const h5::Group placement = h5::create_group(o, "placement");
  std::vector<std::string> hosts;
  std::vector<std::int64_t> local_ranks;
  std::vector<std::vector<std::string>> cpus;
  for (const auto& p : r.placement) {
    hosts.push_back(p.host);
    local_ranks.push_back(p.local_rank);
    cpus.push_back(p.thread_cpus);
  }
  h5::write_dataset(placement.get(), "host", hosts);
  h5::write_dataset(placement.get(), "local_rank", local_ranks, "1");
  h5::write_dataset(placement.get(), "thread_cpus", cpus);
}

RunRecord read_run(hid_t runs, const std::string& id) {
  const h5::Group g = h5::open_group(runs, id);
  const hid_t o = g.get();
  RunRecord r;
  for (const auto& f : text_fields) r.*f.member = h5::read_string_attribute(o, f.name);
  for (const auto& f : int64_fields) r.*f.member = h5::read_int_attribute(o, f.name);
  for (const auto& f : int_fields)
    r.*f.member = static_cast<int>(h5::read_int_attribute(o, f.name));
  for (const auto& f : double_fields) r.*f.member = h5::read_double_attribute(o, f.name);
  for (const auto& f : bool_fields) r.*f.member = h5::read_bool_attribute(o, f.name);
  for (const auto& f : time_fields) r.time.*f.member = h5::read_double_attribute(o, f.name);
  r.threads = static_cast<unsigned>(h5::read_int_attribute(o, "threads"));
  const double percent = h5::read_double_attribute(o, "percent_of_triad");
  if (!std::isnan(percent)) r.percent_of_triad = percent;
  r.warnings = h5::read_strings_attribute(o, "warnings");
  r.rank_times = h5::read_double_rows(o, "rank_seconds");
  r.rep_times = h5::read_doubles(o, "rep_seconds");
  r.rep_rank_min = h5::read_doubles(o, "rep_rank_min_seconds");
  r.rep_rank_mean = h5::read_doubles(o, "rep_rank_mean_seconds");
  r.outliers = h5::read_bools(o, "outliers");
  const h5::Group placement = h5::open_group(o, "placement");
  const auto hosts = h5::read_strings(placement.get(), "host");
  const auto local_ranks = h5::read_ints(placement.get(), "local_rank");
  const auto cpus = h5::read_string_rows(placement.get(), "thread_cpus");
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    RankPlacement p{hosts[i], static_cast<int>(local_ranks.at(i)), cpus.at(i)};
    std::erase(p.thread_cpus, std::string());  // drop the padding of a rectangle
    r.placement.push_back(std::move(p));
  }
  return r;
}

}  // namespace

std::vector<unsigned char> encode(const ResultsFile& f) {
  h5::silence_library_errors();
  const h5::Plist fapl(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate");
  // the core driver builds the whole file in memory; it reaches the disk in one piece
  h5::check(H5Pset_fapl_core(fapl.get(), 1 << 20, /*backing_store=*/0), "H5Pset_fapl_core");
  const h5::File file(H5Fcreate("parkit-in-memory.h5", H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()),
                      "creating the in-memory file");
  const hid_t root = file.get();
  write_attribute(root, "schema", schema_name);
  write_attribute(root, "schema_version", schema_version);
  write_attribute(root, "parkit_version", f.parkit_version);
  write_attribute(root, "git_commit", f.git_commit);
  write_attribute(root, "created_utc", f.created_utc);
  const h5::Group jobs = h5::create_group(root, "jobs");
  for (const auto& job : f.jobs) write_job(jobs.get(), job);
  const h5::Group runs = h5::create_group(root, "runs");
  for (std::size_t i = 0; i < f.runs.size(); ++i) write_run(runs.get(), run_id(i), f.runs[i]);
  write_table(root, f);
  h5::check(H5Fflush(root, H5F_SCOPE_GLOBAL), "H5Fflush");
  const ssize_t size = H5Fget_file_image(root, nullptr, 0);
  if (size < 0) h5::fail("H5Fget_file_image");
  std::vector<unsigned char> image(static_cast<std::size_t>(size));
  if (H5Fget_file_image(root, image.data(), image.size()) < 0) h5::fail("H5Fget_file_image");
  return image;
}

void write_results(const std::string& path, const ResultsFile& file, bool replace) {
  const std::vector<unsigned char> image = encode(file);
  publish(path, image, replace);
}

bool looks_like_hdf5(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char signature[8] = {};
  in.read(signature, sizeof signature);
  return in && std::memcmp(signature, "\x89HDF\r\n\x1a\n", 8) == 0;
}

ResultsFile read_results(const std::string& path) {
  h5::silence_library_errors();
  if (!looks_like_hdf5(path)) throw FormatError(path + ": not an HDF5 file");
  hid_t raw = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (raw < 0) {
    try {
      h5::fail(path + ": cannot open as HDF5 (truncated or damaged?)");
    } catch (const h5::Error& e) {
      throw FormatError(e.what());
    }
  }
  const h5::File file(raw, "H5Fopen");
  const hid_t root = file.get();
  if (H5Aexists(root, "schema") <= 0 || h5::read_string_attribute(root, "schema") != schema_name)
    throw FormatError(path + ": an HDF5 file, but not parkit results (no schema \"" +
                      std::string(schema_name) + "\")");
  const std::int64_t version = h5::read_int_attribute(root, "schema_version");
  if (version != schema_version)
    throw FormatError(path + ": parkit results schema version " + std::to_string(version) +
                      ", this parkit reads version " + std::to_string(schema_version));
  ResultsFile f;
  try {
    f.parkit_version = h5::read_string_attribute(root, "parkit_version");
    f.git_commit = h5::read_string_attribute(root, "git_commit");
    f.created_utc = h5::read_string_attribute(root, "created_utc");
    const h5::Group jobs = h5::open_group(root, "jobs");
    for (const auto& id : h5::members(jobs.get())) f.jobs.push_back(read_job(jobs.get(), id));
    const h5::Group runs = h5::open_group(root, "runs");
    for (const auto& id : h5::members(runs.get())) f.runs.push_back(read_run(runs.get(), id));
  } catch (const h5::Error& e) {
    throw FormatError(path + ": damaged parkit results: " + e.what());
  }
  return f;
}

}  // namespace parkit::results
