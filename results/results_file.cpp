// SPDX-License-Identifier: MIT
#include "parkit/results/results_file.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <limits>
#include <string_view>
#include <type_traits>

#include "parkit/results/atomic_file.hpp"
#include "parkit/results/h5.hpp"

namespace parkit::results {

using measure::Interference;
using measure::RankPlacement;
using measure::RunRecord;
using measure::Summary;
namespace {

using h5::write_attribute;

constexpr double no_value = std::numeric_limits<double>::quiet_NaN();

/// "run-0042", "io-0042", "hz-0042": zero-padded to four digits, so that name order is run order.
std::string numbered_id(std::string_view prefix, std::size_t i) {
  const std::string digits = std::to_string(i);
  std::string id(prefix);
  id.append(digits.size() < 4 ? 4 - digits.size() : 0, '0');
  id += digits;
  return id;
}
std::string run_id(std::size_t i) { return numbered_id("run-", i); }
std::string io_run_id(std::size_t i) { return numbered_id("io-", i); }
std::string hazard_run_id(std::size_t i) { return numbered_id("hz-", i); }

/// Group members in number order: name order, except that "run-10000" follows "run-9999".
std::vector<std::string> ids_in_order(hid_t group) {
  std::vector<std::string> ids = h5::members(group);
  std::stable_sort(ids.begin(), ids.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  });
  return ids;
}

h5::Type fixed_string(std::size_t size) {
  h5::Type t(H5Tcopy(H5T_C_S1), "H5Tcopy");
  h5::check(H5Tset_size(t.get(), size), "H5Tset_size");
  h5::check(H5Tset_strpad(t.get(), H5T_STR_NULLPAD), "H5Tset_strpad");
  return t;
}

template <std::size_t N>
void copy_text(char (&field)[N], const std::string& text) {
  std::memset(field, 0, N);
  std::memcpy(field, text.data(), std::min(N, text.size()));  // NULLPAD: full width allowed
}

/// A flat table (/table, /io_table, /hazard_table): one compound row per run, with fixed-size
/// fields so h5py gives a plain numpy record array and pandas reads it in one line, and a `units`
/// attribute naming each column's unit in column order. Columns are declared in the row's field
/// order.
template <class Row>
class CompoundTable {
 public:
  CompoundTable() : type_(H5Tcreate(H5T_COMPOUND, sizeof(Row)), "H5Tcreate(compound)") {}
  /// A fixed-length ASCII column (NULLPAD).
  void text(const char* name, std::size_t offset, std::size_t size) {
    const h5::Type s = fixed_string(size);
    h5::check(H5Tinsert(type_.get(), name, offset, s.get()), name);
    units_.emplace_back("1");
  }
  void number(const char* name, std::size_t offset, hid_t type, const char* unit) {
    h5::check(H5Tinsert(type_.get(), name, offset, type), name);
    units_.emplace_back(unit);
  }
  void write(hid_t file, const char* name, const std::vector<Row>& rows) const {
    const hsize_t count = rows.size();
    const h5::Space space(H5Screate_simple(1, &count, nullptr), "H5Screate_simple");
    std::string where = "/";
    where += name;
    const h5::Dataset table(
        H5Dcreate2(file, name, type_.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
        std::string("creating ").append(where));
    if (!rows.empty())
      h5::check(H5Dwrite(table.get(), type_.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data()),
                std::string("writing ").append(where));
    write_attribute(table.get(), "units", units_);  // one per column, in column order
  }

 private:
  h5::Type type_;
  std::vector<std::string> units_;
};

/// One row of /table.
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
  std::int32_t disturbed_reps;  // since version 4; -1: interference not recorded
};

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
    row.disturbed_reps = r.interference.recorded() ? r.interference.disturbed_reps() : -1;
  }
  CompoundTable<TableRow> t;
  const h5::Type boolean = h5::bool_type();
  t.text("run", offsetof(TableRow, run), sizeof(TableRow::run));
  t.text("job", offsetof(TableRow, job), sizeof(TableRow::job));
  t.text("kernel", offsetof(TableRow, kernel), sizeof(TableRow::kernel));
  t.text("model", offsetof(TableRow, model), sizeof(TableRow::model));
  t.text("scaling", offsetof(TableRow, scaling), sizeof(TableRow::scaling));
  t.number("n_global", offsetof(TableRow, n_global), H5T_NATIVE_INT64, "elements");
  t.number("n_per_rank", offsetof(TableRow, n_per_rank), H5T_NATIVE_INT64, "elements");
  t.number("ranks", offsetof(TableRow, ranks), H5T_NATIVE_INT32, "1");
  t.number("threads", offsetof(TableRow, threads), H5T_NATIVE_INT32, "1");
  t.number("reps", offsetof(TableRow, reps), H5T_NATIVE_INT32, "1");
  t.number("warmup", offsetof(TableRow, warmup), H5T_NATIVE_INT32, "1");
  t.number("median_s", offsetof(TableRow, median_s), H5T_NATIVE_DOUBLE, "s");
  t.number("min_s", offsetof(TableRow, min_s), H5T_NATIVE_DOUBLE, "s");
  t.number("mean_s", offsetof(TableRow, mean_s), H5T_NATIVE_DOUBLE, "s");
  t.number("max_s", offsetof(TableRow, max_s), H5T_NATIVE_DOUBLE, "s");
  t.number("stddev_s", offsetof(TableRow, stddev_s), H5T_NATIVE_DOUBLE, "s");
  t.number("cv", offsetof(TableRow, cv), H5T_NATIVE_DOUBLE, "1");
  t.number("imbalance", offsetof(TableRow, imbalance), H5T_NATIVE_DOUBLE, "1");
  t.number("gbytes_per_s", offsetof(TableRow, gbytes_per_s), H5T_NATIVE_DOUBLE, "GB/s");
  t.number("gflops_per_s", offsetof(TableRow, gflops_per_s), H5T_NATIVE_DOUBLE, "GFLOP/s");
  t.number("ns_per_elem", offsetof(TableRow, ns_per_elem), H5T_NATIVE_DOUBLE, "ns");
  t.number("percent_of_triad", offsetof(TableRow, percent_of_triad), H5T_NATIVE_DOUBLE, "%");
  t.number("verified", offsetof(TableRow, verified), boolean.get(), "1");
  t.number("oversubscribed", offsetof(TableRow, oversubscribed), boolean.get(), "1");
  t.number("disturbed_reps", offsetof(TableRow, disturbed_reps), H5T_NATIVE_INT32, "reps");
  t.write(file, "table", rows);
}

/// One row of /io_table: an I/O run's parameters and headline numbers, counts over its reps.
struct IoTableRow {
  char io_run[16];
  char job[16];
  char driver[16];
  std::int64_t requests;
  std::int32_t concurrency, pool_threads, timeout_ms;
  char connections[16];
  std::int32_t reps;
  double makespan_median_s, makespan_min_s, makespan_max_s, cpu_median_s;
  double latency_p50_s, latency_p90_s, latency_p99_s, latency_max_s;
  std::int64_t max_in_flight, ok, http_error, connection_error, timeout, cancelled;
  std::int64_t peak_rss_bytes;
};

void write_io_table(hid_t file, const ResultsFile& f) {
  std::vector<IoTableRow> rows(f.io_runs.size());
  for (std::size_t i = 0; i < f.io_runs.size(); ++i) {
    const IoRecord& r = f.io_runs[i];
    IoTableRow& row = rows[i];
    copy_text(row.io_run, io_run_id(i));
    copy_text(row.job, r.job);
    copy_text(row.driver, r.driver);
    row.requests = r.requests;
    row.concurrency = r.concurrency;
    row.pool_threads = r.pool_threads;
    row.timeout_ms = r.timeout_ms;
    copy_text(row.connections, r.connections);
    row.reps = r.reps;
    row.makespan_median_s = r.makespan.median;
    row.makespan_min_s = r.makespan.min;
    row.makespan_max_s = r.makespan.max;
    row.cpu_median_s = r.cpu_seconds.median;
    row.latency_p50_s = r.latency.p50;
    row.latency_p90_s = r.latency.p90;
    row.latency_p99_s = r.latency.p99;
    row.latency_max_s = r.latency.max;
    row.max_in_flight = r.max_in_flight;
    row.ok = r.counts.ok;
    row.http_error = r.counts.http_error;
    row.connection_error = r.counts.connection_error;
    row.timeout = r.counts.timeout;
    row.cancelled = r.counts.cancelled;
    row.peak_rss_bytes = r.peak_rss_bytes;
  }
  CompoundTable<IoTableRow> t;
  using R = IoTableRow;
  t.text("io_run", offsetof(R, io_run), sizeof(R::io_run));
  t.text("job", offsetof(R, job), sizeof(R::job));
  t.text("driver", offsetof(R, driver), sizeof(R::driver));
  t.number("requests", offsetof(R, requests), H5T_NATIVE_INT64, "requests");
  t.number("concurrency", offsetof(R, concurrency), H5T_NATIVE_INT32, "requests");
  t.number("pool_threads", offsetof(R, pool_threads), H5T_NATIVE_INT32, "1");
  t.number("timeout_ms", offsetof(R, timeout_ms), H5T_NATIVE_INT32, "ms");
  t.text("connections", offsetof(R, connections), sizeof(R::connections));
  t.number("reps", offsetof(R, reps), H5T_NATIVE_INT32, "1");
  t.number("makespan_median_s", offsetof(R, makespan_median_s), H5T_NATIVE_DOUBLE, "s");
  t.number("makespan_min_s", offsetof(R, makespan_min_s), H5T_NATIVE_DOUBLE, "s");
  t.number("makespan_max_s", offsetof(R, makespan_max_s), H5T_NATIVE_DOUBLE, "s");
  t.number("cpu_median_s", offsetof(R, cpu_median_s), H5T_NATIVE_DOUBLE, "s");
  t.number("latency_p50_s", offsetof(R, latency_p50_s), H5T_NATIVE_DOUBLE, "s");
  t.number("latency_p90_s", offsetof(R, latency_p90_s), H5T_NATIVE_DOUBLE, "s");
  t.number("latency_p99_s", offsetof(R, latency_p99_s), H5T_NATIVE_DOUBLE, "s");
  t.number("latency_max_s", offsetof(R, latency_max_s), H5T_NATIVE_DOUBLE, "s");
  t.number("max_in_flight", offsetof(R, max_in_flight), H5T_NATIVE_INT64, "requests");
  t.number("ok", offsetof(R, ok), H5T_NATIVE_INT64, "requests");
  t.number("http_error", offsetof(R, http_error), H5T_NATIVE_INT64, "requests");
  t.number("connection_error", offsetof(R, connection_error), H5T_NATIVE_INT64, "requests");
  t.number("timeout", offsetof(R, timeout), H5T_NATIVE_INT64, "requests");
  t.number("cancelled", offsetof(R, cancelled), H5T_NATIVE_INT64, "requests");
  t.number("peak_rss_bytes", offsetof(R, peak_rss_bytes), H5T_NATIVE_INT64, "bytes");
  t.write(file, "io_table", rows);
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
/// Writes every field of every list of `lists` as an attribute of `o`.
template <class Owner, class... Lists>
void write_fields(hid_t o, const Owner& r, const Lists&... lists) {
  const auto write_list = [&](const auto& fields) {
    for (const auto& f : fields) {
      if constexpr (std::is_same_v<std::remove_cvref_t<decltype(r.*f.member)>, int>)
        write_attribute(o, f.name, std::int64_t{r.*f.member});  // ints are stored as int64
      else
        write_attribute(o, f.name, r.*f.member);
    }
  };
  (write_list(lists), ...);
}

/// Reads every field of every list of `lists` from the attributes of `o`.
template <class Owner, class... Lists>
void read_fields(hid_t o, Owner& r, const Lists&... lists) {
  const auto read_list = [&](const auto& fields) {
    for (const auto& f : fields) {
      using T = std::remove_cvref_t<decltype(r.*f.member)>;
      if constexpr (std::is_same_v<T, std::string>)
        r.*f.member = h5::read_string_attribute(o, f.name);
      else if constexpr (std::is_same_v<T, std::int64_t>)
        r.*f.member = h5::read_int_attribute(o, f.name);
      else if constexpr (std::is_same_v<T, int>)
        r.*f.member = static_cast<int>(h5::read_int_attribute(o, f.name));
      else if constexpr (std::is_same_v<T, double>)
        r.*f.member = h5::read_double_attribute(o, f.name);
      else
        r.*f.member = h5::read_bool_attribute(o, f.name);
    }
  };
  (read_list(lists), ...);
}

/// A Summary as attributes <prefix>min_s ... <prefix>cv (time_ of runs, makespan_ and cpu_ of
/// I/O runs).
constexpr Field<double, Summary> summary_fields[] = {
    {"min_s", &Summary::min}, {"median_s", &Summary::median}, {"mean_s", &Summary::mean},
    {"max_s", &Summary::max}, {"stddev_s", &Summary::stddev}, {"cv", &Summary::cv}};

std::string prefixed(std::string_view prefix, const char* name) {
  std::string full(prefix);
  full += name;
  return full;
}

void write_summary(hid_t o, std::string_view prefix, const Summary& s) {
  for (const auto& f : summary_fields) write_attribute(o, prefixed(prefix, f.name), s.*f.member);
}

Summary read_summary(hid_t o, std::string_view prefix) {
  Summary s;
  for (const auto& f : summary_fields)
    s.*f.member = h5::read_double_attribute(o, prefixed(prefix, f.name));
  return s;
}

template <class T>
hid_t native_type();
template <>
hid_t native_type<std::uint8_t>() {
  return H5T_NATIVE_UINT8;
}
template <>
hid_t native_type<std::int16_t>() {
  return H5T_NATIVE_INT16;
}
template <>
hid_t native_type<std::int64_t>() {
  return H5T_NATIVE_INT64;
}

/// [rows][columns] integers with a `units` attribute (h5.hpp has 2-D doubles and strings only).
template <class T>
void write_matrix(hid_t parent, const std::string& name, const std::vector<std::vector<T>>& rows,
                  const std::string& units) {
  const std::size_t columns = rows.empty() ? 0 : rows.front().size();
  std::vector<T> flat;
  for (const auto& row : rows) {
    if (row.size() != columns) throw h5::Error(std::string("ragged rows for dataset ") + name);
    flat.insert(flat.end(), row.begin(), row.end());
  }
  const hsize_t dims[2] = {rows.size(), columns};
  const h5::Space space(H5Screate_simple(2, dims, nullptr), "H5Screate_simple");
  const h5::Dataset d(H5Dcreate2(parent, name.c_str(), native_type<T>(), space.get(), H5P_DEFAULT,
                                 H5P_DEFAULT, H5P_DEFAULT),
                      std::string("creating dataset ") + name);
  if (!flat.empty())
    h5::check(H5Dwrite(d.get(), native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, flat.data()),
              std::string("writing ") + name);
  write_attribute(d.get(), "units", units);
}

template <class T>
std::vector<std::vector<T>> read_matrix(hid_t parent, const std::string& name) {
  const h5::Dataset d(H5Dopen2(parent, name.c_str(), H5P_DEFAULT),
                      std::string("opening dataset ") + name);
  const h5::Space space(H5Dget_space(d.get()), "H5Dget_space");
  hsize_t dims[2] = {0, 0};
  if (H5Sget_simple_extent_ndims(space.get()) != 2)
    throw h5::Error(name + ": expected a 2-D dataset");
  h5::check(H5Sget_simple_extent_dims(space.get(), dims, nullptr), "H5Sget_simple_extent_dims");
  std::vector<T> flat(static_cast<std::size_t>(dims[0] * dims[1]));
  if (!flat.empty())
    h5::check(H5Dread(d.get(), native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, flat.data()),
              std::string("reading ") + name);
  std::vector<std::vector<T>> rows;
  const auto width = static_cast<std::ptrdiff_t>(dims[1]);
  for (std::size_t r = 0; r < dims[0]; ++r) {
    const auto begin = flat.begin() + static_cast<std::ptrdiff_t>(r) * width;
    rows.emplace_back(begin, begin + width);
  }
  return rows;
}

/// Throws unless every per-rep array of `in` has one row per rep (disturbed's length) and the
/// per-worker and per-rank arrays each have one width: a reader indexes them together.
void check_interference_shape(const Interference& in, const std::string& id) {
  const std::size_t reps = in.disturbed.size();
  const auto fail = [&](const std::string& what) {
    throw h5::Error(id + ": interference: " + what);
  };
  const auto rows = [&](const auto& a, const char* name) {
    if (a.size() != reps)
      fail(std::string(name) + " has " + std::to_string(a.size()) + " reps, disturbed " +
           std::to_string(reps));
  };
  rows(in.run_delay, "run_delay");
  rows(in.involuntary_switches, "involuntary_switches");
  rows(in.migrations, "migrations");
  rows(in.steal, "steal");
  rows(in.cpu_pressure, "cpu_pressure");
  const std::size_t workers = in.run_delay.front().size(), ranks = in.steal.front().size();
  // the others' counts (since version 5): all four or none
  const bool others = !in.others_before.empty();
  if (others) {
    rows(in.others_before, "others_before");
    rows(in.others_after, "others_after");
    if (in.host_cpus.size() != ranks || in.host_workers.size() != ranks)
      fail("host_cpus and host_workers need one entry per rank");
  } else if (!in.others_after.empty() || !in.host_cpus.empty() || !in.host_workers.empty()) {
    fail("others_after, host_cpus or host_workers without others_before");
  }
  for (std::size_t rep = 0; rep < reps; ++rep) {
    if (in.run_delay[rep].size() != workers || in.involuntary_switches[rep].size() != workers ||
        in.migrations[rep].size() != workers)
      fail("per-worker arrays of different widths at rep " + std::to_string(rep));
    if (in.steal[rep].size() != ranks || in.cpu_pressure[rep].size() != ranks ||
        (others && (in.others_before[rep].size() != ranks || in.others_after[rep].size() != ranks)))
      fail("per-rank arrays of different widths at rep " + std::to_string(rep));
  }
}

/// The run's verdict as the attribute `interference` ("quiet", "disturbed: N of M reps", "not
/// recorded") and, when it was recorded, the subgroup `interference` with its per-rep arrays.
void write_interference(hid_t run, const std::string& id, const Interference& in) {
  write_attribute(run, "interference", in.verdict());
  if (!in.recorded()) return;
  check_interference_shape(in, id);
  const h5::Group g = h5::create_group(run, "interference");
  const hid_t o = g.get();
  h5::write_dataset(o, "run_delay", in.run_delay, "s");
  write_matrix(o, "involuntary_switches", in.involuntary_switches, "1");
  write_matrix(o, "migrations", in.migrations, "1");
  h5::write_dataset(o, "steal", in.steal, "s");
  h5::write_dataset(o, "cpu_pressure", in.cpu_pressure, "s");
  if (!in.others_before.empty()) {
    write_matrix(o, "others_before", in.others_before, "1");
    write_matrix(o, "others_after", in.others_after, "1");
    h5::write_dataset(o, "host_cpus", in.host_cpus, "1");
    h5::write_dataset(o, "host_workers", in.host_workers, "1");
  }
  h5::write_dataset(o, "disturbed", in.disturbed);
}

/// The subgroup `interference`, or an empty Interference (not recorded) when the run has none:
/// files from before version 4, and runs where nothing could be read. Version 4 files have no
/// others' counts.
Interference read_interference(hid_t run, const std::string& id) {
  Interference in;
  if (!h5::exists(run, "interference")) return in;
  const h5::Group g = h5::open_group(run, "interference");
  const hid_t o = g.get();
  in.run_delay = h5::read_double_rows(o, "run_delay");
  in.involuntary_switches = read_matrix<std::int64_t>(o, "involuntary_switches");
  in.migrations = read_matrix<std::int64_t>(o, "migrations");
  in.steal = h5::read_double_rows(o, "steal");
  in.cpu_pressure = h5::read_double_rows(o, "cpu_pressure");
  if (h5::exists(o, "others_before")) {  // since version 5
    in.others_before = read_matrix<std::int64_t>(o, "others_before");
    in.others_after = read_matrix<std::int64_t>(o, "others_after");
    in.host_cpus = h5::read_ints(o, "host_cpus");
    in.host_workers = h5::read_ints(o, "host_workers");
  }
  in.disturbed = h5::read_bools(o, "disturbed");
  if (!in.recorded()) return {};  // an empty group says no more than none
  check_interference_shape(in, id);
  return in;
}

void write_run(hid_t runs, const std::string& id, const RunRecord& r) {
  const h5::Group g = h5::create_group(runs, id);
  const hid_t o = g.get();
  write_fields(o, r, text_fields, int64_fields, int_fields, double_fields, bool_fields);
  write_summary(o, "time_", r.time);
  write_attribute(o, "threads", std::int64_t{r.threads});
  write_attribute(o, "percent_of_triad", r.percent_of_triad.value_or(no_value));
  write_attribute(o, "warnings", r.warnings);
  write_attribute(o, "kernel_build", r.kernel_build);
  write_interference(o, id, r.interference);
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
  read_fields(o, r, text_fields, int64_fields, int_fields, double_fields, bool_fields);
  r.time = read_summary(o, "time_");
  r.threads = static_cast<unsigned>(h5::read_int_attribute(o, "threads"));
  const double percent = h5::read_double_attribute(o, "percent_of_triad");
  if (!std::isnan(percent)) r.percent_of_triad = percent;
  r.warnings = h5::read_strings_attribute(o, "warnings");
  if (H5Aexists(o, "kernel_build") > 0)  // absent in files from before parkit 0.1.0's kit
    r.kernel_build = h5::read_string_attribute(o, "kernel_build");
  r.rank_times = h5::read_double_rows(o, "rank_seconds");
  r.rep_times = h5::read_doubles(o, "rep_seconds");
  r.rep_rank_min = h5::read_doubles(o, "rep_rank_min_seconds");
  r.rep_rank_mean = h5::read_doubles(o, "rep_rank_mean_seconds");
  r.outliers = h5::read_bools(o, "outliers");
  r.interference = read_interference(o, id);
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

// I/O runs: the same pattern, over IoRecord.
constexpr Field<std::string, IoRecord> io_text_fields[] = {{"job", &IoRecord::job},
                                                           {"driver", &IoRecord::driver},
                                                           {"url", &IoRecord::url},
                                                           {"connections", &IoRecord::connections}};
constexpr Field<std::int64_t, IoRecord> io_int64_fields[] = {
    {"requests", &IoRecord::requests},
    {"max_in_flight", &IoRecord::max_in_flight},
    {"peak_rss_bytes", &IoRecord::peak_rss_bytes}};
constexpr Field<int, IoRecord> io_int_fields[] = {{"concurrency", &IoRecord::concurrency},
                                                  {"pool_threads", &IoRecord::pool_threads},
                                                  {"timeout_ms", &IoRecord::timeout_ms},
                                                  {"reps", &IoRecord::reps},
                                                  {"warmup", &IoRecord::warmup}};
constexpr Field<double, LatencySummary> latency_fields[] = {
    {"latency_p50_s", &LatencySummary::p50},
    {"latency_p90_s", &LatencySummary::p90},
    {"latency_p99_s", &LatencySummary::p99},
    {"latency_max_s", &LatencySummary::max},
    {"latency_mean_s", &LatencySummary::mean}};
/// In io_outcome_names order: the columns of `counts` and the outcome codes.
constexpr Field<std::int64_t, IoCounts> count_fields[] = {
    {"ok", &IoCounts::ok},
    {"http_error", &IoCounts::http_error},
    {"connection_error", &IoCounts::connection_error},
    {"timeout", &IoCounts::timeout},
    {"cancelled", &IoCounts::cancelled}};
static_assert(std::size(count_fields) == io_outcome_names.size());
static_assert([] {
  for (std::size_t i = 0; i < io_outcome_names.size(); ++i)
    if (io_outcome_names[i] != count_fields[i].name) return false;
  return true;
}());

std::vector<std::string> outcome_names() {
  return {io_outcome_names.begin(), io_outcome_names.end()};
}

void write_io_run(hid_t io_runs, const std::string& id, const IoRecord& r) {
  const h5::Group g = h5::create_group(io_runs, id);
  const hid_t o = g.get();
  write_fields(o, r, io_text_fields, io_int64_fields, io_int_fields);
  write_attribute(o, "server_started", r.server_started);
  write_attribute(o, "timer_resolution_s", r.timer_resolution);
  write_attribute(o, "warnings", r.warnings);
  write_summary(o, "makespan_", r.makespan);
  write_summary(o, "cpu_", r.cpu_seconds);
  write_attribute(o, "latency_count", r.latency.count);
  for (const auto& f : latency_fields) write_attribute(o, f.name, r.latency.*f.member);
  for (const auto& f : count_fields) write_attribute(o, f.name, r.counts.*f.member);
  // a dataset, not an attribute: a long path list would outgrow an attribute's 64 KiB
  h5::write_dataset(o, "paths", r.paths);

  std::vector<double> makespan, user, system;
  std::vector<std::int64_t> in_flight;
  std::vector<std::vector<std::int64_t>> counts;
  std::vector<std::vector<double>> latency;
  std::vector<std::vector<std::uint8_t>> outcome;
  std::vector<std::vector<std::int16_t>> status;
  for (const IoRep& rep : r.rep_data) {
    makespan.push_back(rep.makespan_s);
    user.push_back(rep.cpu_user_s);
    system.push_back(rep.cpu_system_s);
    in_flight.push_back(rep.max_in_flight);
    auto& row = counts.emplace_back();
    for (const auto& f : count_fields) row.push_back(rep.counts.*f.member);
    latency.push_back(rep.latency_s);
    outcome.push_back(rep.outcome);
    status.push_back(rep.http_status);
  }
  h5::write_dataset(o, "makespan_seconds", makespan, "s");
  h5::write_dataset(o, "cpu_user_seconds", user, "s");
  h5::write_dataset(o, "cpu_system_seconds", system, "s");
  h5::write_dataset(o, "max_in_flight", in_flight, "requests");
  write_matrix(o, "counts", counts, "requests");
  {
    const h5::Dataset d(H5Dopen2(o, "counts", H5P_DEFAULT), "opening dataset counts");
    write_attribute(d.get(), "columns", outcome_names());
  }
  h5::write_dataset(o, "latency_seconds", latency, "s");
  write_matrix(o, "outcome", outcome, "1");
  {
    const h5::Dataset d(H5Dopen2(o, "outcome", H5P_DEFAULT), "opening dataset outcome");
    write_attribute(d.get(), "names", outcome_names());  // names[code]
  }
  write_matrix(o, "http_status", status, "1");
}

IoRecord read_io_run(hid_t io_runs, const std::string& id) {
  const h5::Group g = h5::open_group(io_runs, id);
  const hid_t o = g.get();
  IoRecord r;
  read_fields(o, r, io_text_fields, io_int64_fields, io_int_fields);
  r.server_started = h5::read_bool_attribute(o, "server_started");
  r.timer_resolution = h5::read_double_attribute(o, "timer_resolution_s");
  r.warnings = h5::read_strings_attribute(o, "warnings");
  r.makespan = read_summary(o, "makespan_");
  r.cpu_seconds = read_summary(o, "cpu_");
  r.latency.count = h5::read_int_attribute(o, "latency_count");
  for (const auto& f : latency_fields) r.latency.*f.member = h5::read_double_attribute(o, f.name);
  for (const auto& f : count_fields) r.counts.*f.member = h5::read_int_attribute(o, f.name);
  r.paths = h5::read_strings(o, "paths");

  const auto makespan = h5::read_doubles(o, "makespan_seconds");
  const auto user = h5::read_doubles(o, "cpu_user_seconds");
  const auto system = h5::read_doubles(o, "cpu_system_seconds");
  const auto in_flight = h5::read_ints(o, "max_in_flight");
  const auto counts = read_matrix<std::int64_t>(o, "counts");
  auto latency = h5::read_double_rows(o, "latency_seconds");
  auto outcome = read_matrix<std::uint8_t>(o, "outcome");
  auto status = read_matrix<std::int16_t>(o, "http_status");
  const std::size_t reps = makespan.size();
  if (user.size() != reps || system.size() != reps || in_flight.size() != reps ||
      counts.size() != reps || latency.size() != reps || outcome.size() != reps ||
      status.size() != reps)
    throw h5::Error(id + ": per-rep datasets of different lengths");
  for (std::size_t i = 0; i < reps; ++i) {
    IoRep& rep = r.rep_data.emplace_back();
    rep.makespan_s = makespan[i];
    rep.cpu_user_s = user[i];
    rep.cpu_system_s = system[i];
    rep.max_in_flight = in_flight[i];
    if (counts[i].size() != std::size(count_fields))
      throw h5::Error(id + ": counts has " + std::to_string(counts[i].size()) + " columns");
    for (std::size_t c = 0; c < std::size(count_fields); ++c)
      rep.counts.*count_fields[c].member = counts[i][c];
    rep.latency_s = std::move(latency[i]);
    rep.outcome = std::move(outcome[i]);
    rep.http_status = std::move(status[i]);
  }
  return r;
}

// Hazard runs: the same pattern, over HazardRecord.
constexpr Field<std::string, HazardRecord> hazard_text_fields[] = {
    {"job", &HazardRecord::job},         {"scenario", &HazardRecord::scenario},
    {"variant", &HazardRecord::variant}, {"runtime", &HazardRecord::runtime},
    {"anomaly", &HazardRecord::anomaly}, {"verdict", &HazardRecord::verdict}};
constexpr Field<std::int64_t, HazardRecord> hazard_int64_fields[] = {
    {"ops", &HazardRecord::ops},
    {"ops_total", &HazardRecord::ops_total},
    {"anomalies_total", &HazardRecord::anomalies_total},
    {"anomalies_max", &HazardRecord::anomalies_max}};
constexpr Field<int, HazardRecord> hazard_int_fields[] = {
    {"threads", &HazardRecord::threads},     {"producers", &HazardRecord::producers},
    {"consumers", &HazardRecord::consumers}, {"capacity", &HazardRecord::capacity},
    {"reps", &HazardRecord::reps},           {"warmup", &HazardRecord::warmup}};
constexpr Field<double, HazardRecord> hazard_double_fields[] = {
    {"ns_per_op", &HazardRecord::ns_per_op},
    {"ops_per_s", &HazardRecord::ops_per_s},
    {"timer_resolution_s", &HazardRecord::timer_resolution}};
constexpr Field<bool, HazardRecord> hazard_bool_fields[] = {
    {"expected_safe", &HazardRecord::expected_safe}, {"correct", &HazardRecord::correct}};

void write_hazard_run(hid_t hazard_runs, const std::string& id, const HazardRecord& r) {
  // one row per timed rep: a reader indexes the four arrays together
  const std::size_t reps = r.rep_seconds.size();
  if (r.expected.size() != reps || r.observed.size() != reps || r.anomalies.size() != reps)
    throw h5::Error(id + ": per-rep arrays of different lengths (rep_seconds " +
                    std::to_string(reps) + ", expected " + std::to_string(r.expected.size()) +
                    ", observed " + std::to_string(r.observed.size()) + ", anomalies " +
                    std::to_string(r.anomalies.size()) + ")");
  const h5::Group g = h5::create_group(hazard_runs, id);
  const hid_t o = g.get();
  write_fields(o, r, hazard_text_fields, hazard_int64_fields, hazard_int_fields,
               hazard_double_fields, hazard_bool_fields);
  write_summary(o, "time_", r.time);
  write_attribute(o, "warnings", r.warnings);
  h5::write_dataset(o, "rep_seconds", r.rep_seconds, "s");
  h5::write_dataset(o, "expected", r.expected, "1");
  h5::write_dataset(o, "observed", r.observed, "1");
  h5::write_dataset(o, "anomalies", r.anomalies, "1");
}

HazardRecord read_hazard_run(hid_t hazard_runs, const std::string& id) {
  const h5::Group g = h5::open_group(hazard_runs, id);
  const hid_t o = g.get();
  HazardRecord r;
  read_fields(o, r, hazard_text_fields, hazard_int64_fields, hazard_int_fields,
              hazard_double_fields, hazard_bool_fields);
  r.time = read_summary(o, "time_");
  r.warnings = h5::read_strings_attribute(o, "warnings");
  r.rep_seconds = h5::read_doubles(o, "rep_seconds");
  r.expected = h5::read_ints(o, "expected");
  r.observed = h5::read_ints(o, "observed");
  r.anomalies = h5::read_ints(o, "anomalies");
  const std::size_t reps = r.rep_seconds.size();
  if (r.expected.size() != reps || r.observed.size() != reps || r.anomalies.size() != reps)
    throw h5::Error(id + ": per-rep datasets of different lengths");
  return r;
}

/// One row of /hazard_table: a hazard run's parameters and headline numbers.
struct HazardTableRow {
  char hazard_run[16];
  char job[16];
  char scenario[16];
  char variant[32];
  char runtime[16];
  std::int8_t expected_safe;
  char anomaly[32];
  std::int32_t threads, producers, consumers, capacity;
  std::int64_t ops, ops_total;
  std::int32_t reps, warmup;
  double median_s, min_s, mean_s, max_s, cv, ns_per_op, ops_per_s;
  std::int64_t anomalies_total, anomalies_max;
  std::int8_t correct;
};

void write_hazard_table(hid_t file, const ResultsFile& f) {
  std::vector<HazardTableRow> rows(f.hazard_runs.size());
  for (std::size_t i = 0; i < f.hazard_runs.size(); ++i) {
    const HazardRecord& r = f.hazard_runs[i];
    HazardTableRow& row = rows[i];
    copy_text(row.hazard_run, hazard_run_id(i));
    copy_text(row.job, r.job);
    copy_text(row.scenario, r.scenario);
    copy_text(row.variant, r.variant);
    copy_text(row.runtime, r.runtime);
    row.expected_safe = r.expected_safe;
    copy_text(row.anomaly, r.anomaly);
    row.threads = r.threads;
    row.producers = r.producers;
    row.consumers = r.consumers;
    row.capacity = r.capacity;
    row.ops = r.ops;
    row.ops_total = r.ops_total;
    row.reps = r.reps;
    row.warmup = r.warmup;
    row.median_s = r.time.median;
    row.min_s = r.time.min;
    row.mean_s = r.time.mean;
    row.max_s = r.time.max;
    row.cv = r.time.cv;
    row.ns_per_op = r.ns_per_op;
    row.ops_per_s = r.ops_per_s;
    row.anomalies_total = r.anomalies_total;
    row.anomalies_max = r.anomalies_max;
    row.correct = r.correct;
  }
  CompoundTable<HazardTableRow> t;
  using R = HazardTableRow;
  const h5::Type boolean = h5::bool_type();
  t.text("hazard_run", offsetof(R, hazard_run), sizeof(R::hazard_run));
  t.text("job", offsetof(R, job), sizeof(R::job));
  t.text("scenario", offsetof(R, scenario), sizeof(R::scenario));
  t.text("variant", offsetof(R, variant), sizeof(R::variant));
  t.text("runtime", offsetof(R, runtime), sizeof(R::runtime));
  t.number("expected_safe", offsetof(R, expected_safe), boolean.get(), "1");
  t.text("anomaly", offsetof(R, anomaly), sizeof(R::anomaly));
  t.number("threads", offsetof(R, threads), H5T_NATIVE_INT32, "1");
  t.number("producers", offsetof(R, producers), H5T_NATIVE_INT32, "1");
  t.number("consumers", offsetof(R, consumers), H5T_NATIVE_INT32, "1");
  t.number("capacity", offsetof(R, capacity), H5T_NATIVE_INT32, "items");
  t.number("ops", offsetof(R, ops), H5T_NATIVE_INT64, "ops");
  t.number("ops_total", offsetof(R, ops_total), H5T_NATIVE_INT64, "ops");
  t.number("reps", offsetof(R, reps), H5T_NATIVE_INT32, "1");
  t.number("warmup", offsetof(R, warmup), H5T_NATIVE_INT32, "1");
  t.number("median_s", offsetof(R, median_s), H5T_NATIVE_DOUBLE, "s");
  t.number("min_s", offsetof(R, min_s), H5T_NATIVE_DOUBLE, "s");
  t.number("mean_s", offsetof(R, mean_s), H5T_NATIVE_DOUBLE, "s");
  t.number("max_s", offsetof(R, max_s), H5T_NATIVE_DOUBLE, "s");
  t.number("cv", offsetof(R, cv), H5T_NATIVE_DOUBLE, "1");
  t.number("ns_per_op", offsetof(R, ns_per_op), H5T_NATIVE_DOUBLE, "ns");
  t.number("ops_per_s", offsetof(R, ops_per_s), H5T_NATIVE_DOUBLE, "ops/s");
  t.number("anomalies_total", offsetof(R, anomalies_total), H5T_NATIVE_INT64, "1");
  t.number("anomalies_max", offsetof(R, anomalies_max), H5T_NATIVE_INT64, "1");
  t.number("correct", offsetof(R, correct), boolean.get(), "1");
  t.write(file, "hazard_table", rows);
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
  // since version 2, always present (empty without I/O runs): readers need no special case
  const h5::Group io_runs = h5::create_group(root, "io_runs");
  for (std::size_t i = 0; i < f.io_runs.size(); ++i)
    write_io_run(io_runs.get(), io_run_id(i), f.io_runs[i]);
  write_io_table(root, f);
  // since version 3, always present (empty without hazard runs)
  const h5::Group hazard_runs = h5::create_group(root, "hazard_runs");
  for (std::size_t i = 0; i < f.hazard_runs.size(); ++i)
    write_hazard_run(hazard_runs.get(), hazard_run_id(i), f.hazard_runs[i]);
  write_hazard_table(root, f);
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
  if (version < oldest_schema_version || version > schema_version)
    throw FormatError(path + ": parkit results schema version " + std::to_string(version) +
                      ", this parkit reads versions " + std::to_string(oldest_schema_version) +
                      " to " + std::to_string(schema_version));
  ResultsFile f;
  try {
    f.parkit_version = h5::read_string_attribute(root, "parkit_version");
    f.git_commit = h5::read_string_attribute(root, "git_commit");
    f.created_utc = h5::read_string_attribute(root, "created_utc");
    const h5::Group jobs = h5::open_group(root, "jobs");
    for (const auto& id : ids_in_order(jobs.get())) f.jobs.push_back(read_job(jobs.get(), id));
    const h5::Group runs = h5::open_group(root, "runs");
    for (const auto& id : ids_in_order(runs.get())) f.runs.push_back(read_run(runs.get(), id));
    if (version >= 2) {  // version 1 had no I/O runs
      const h5::Group io_runs = h5::open_group(root, "io_runs");
      for (const auto& id : ids_in_order(io_runs.get()))
        f.io_runs.push_back(read_io_run(io_runs.get(), id));
    }
    if (version >= 3) {  // versions 1 and 2 had no hazard runs
      const h5::Group hazard_runs = h5::open_group(root, "hazard_runs");
      for (const auto& id : ids_in_order(hazard_runs.get()))
        f.hazard_runs.push_back(read_hazard_run(hazard_runs.get(), id));
    }
  } catch (const h5::Error& e) {
    throw FormatError(path + ": damaged parkit results: " + e.what());
  }
  return f;
}

}  // namespace parkit::results
