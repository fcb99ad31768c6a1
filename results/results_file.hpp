// SPDX-License-Identifier: MIT
// A parkit results file: the jobs that produced runs (with their provenance), their kernel runs,
// their I/O runs and their hazard runs. One file per job when written by run/sweep/io/hazards;
// `merge` gathers jobs into a study file. The on-disk layout is results/SCHEMA.md.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "parkit/measure/record.hpp"
#include "parkit/results/hazard_record.hpp"
#include "parkit/results/io_record.hpp"

namespace parkit::results {

inline constexpr const char* schema_name = "parkit.results";
/// The version written. 2 added I/O runs (/io_runs, /io_table), 3 hazard runs (/hazard_runs,
/// /hazard_table), 4 each kernel run's interference (/runs/<id>/interference, /table's
/// disturbed_reps), 5 the other processes' tasks seen around each rep (interference/others_*,
/// host_cpus, host_workers); older files are still read, as files without what they lack.
inline constexpr std::int64_t schema_version = 5;
inline constexpr std::int64_t oldest_schema_version = 1;

using Pairs = std::vector<std::pair<std::string, std::string>>;

/// Where, how and by what a job ran: everything needed to trust or repeat its numbers.
struct JobProvenance {
  std::string id = "job-0000";
  Pairs text;  ///< command_line, user, compiler, cpu_model, mpi_library, ... (see SCHEMA.md)
  std::vector<std::pair<std::string, double>> numbers;  ///< ranks, cores, memory_bytes, ...
  std::vector<std::string> hosts;                       ///< by rank
  Pairs environment;  ///< every OMP_*, OMPI_*, SLURM_*, PARKIT_* variable seen
  Pairs openmp_icvs;
  Pairs context;  ///< --context key=value
};

struct ResultsFile {
  std::string created_utc;  ///< ISO 8601
  std::string parkit_version;
  std::string git_commit;
  std::vector<JobProvenance> jobs;
  std::vector<measure::RunRecord> runs;  ///< RunRecord::job names its job
  /// IoRecord::job names its job. `= {}` keeps aggregate initializers that stop at `runs`
  /// free of -Wmissing-field-initializers.
  std::vector<IoRecord> io_runs = {};
  std::vector<HazardRecord> hazard_runs = {};  ///< HazardRecord::job names its job
};

/// Not a parkit results file, or one of a schema version this parkit does not read (outside
/// oldest_schema_version..schema_version); the message names the file.
class FormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The file image (bytes of a complete HDF5 file), built in memory.
[[nodiscard]] std::vector<unsigned char> encode(const ResultsFile& file);
/// Writes `file` to `path` so that it appears complete or not at all (see atomic_file.hpp).
/// Throws FileExists when `path` exists and !replace.
void write_results(const std::string& path, const ResultsFile& file, bool replace);
/// Throws FormatError (not HDF5, not parkit's, other schema version) or h5::Error.
[[nodiscard]] ResultsFile read_results(const std::string& path);
/// True when the file starts with HDF5's signature.
[[nodiscard]] bool looks_like_hdf5(const std::string& path);

}  // namespace parkit::results
