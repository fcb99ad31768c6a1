// SPDX-License-Identifier: MIT
// Results files as the CLI handles them: where a job's file goes, its provenance, writing it
// once (rank 0, atomically), and reading parkit's files (HDF5, or the JSON of --json) back.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "drivers/cli/plan.hpp"
#include "parkit/results/results_file.hpp"

namespace parkit::cli {

/// Where a job's results go, decided (and checked) on rank 0 before any work.
struct OutputTarget {
  std::string path;          ///< empty: --no-output
  bool default_name = true;  ///< a generated name may take a -1, -2 suffix if it is taken
  bool replace = false;      ///< --force
};

/// Validates -o / --no-output / --force / --context; throws UsageError naming the option.
[[nodiscard]] OutputTarget choose_output(const RunOptions& options);

/// parkit-<UTC stamp>-<host>[-<SLURM_JOB_ID>-<SLURM_STEP_ID>].h5 in `directory`.
[[nodiscard]] std::string default_results_name(const std::string& directory);

/// The job's provenance; `hosts` are by rank (gathered by the caller, collectively).
[[nodiscard]] results::JobProvenance job_provenance(const nlohmann::json& decision,
                                                    const std::vector<std::string>& hosts);

/// Writes the file and returns the path written; throws IoError naming the file.
std::string write_job_results(const OutputTarget& target, const results::ResultsFile& file);

/// Runs from parkit's results files: HDF5 written by run/sweep/io/hazards/merge, or their --json
/// output.
/// Throws IoError naming the file that is missing, damaged or not parkit's.
[[nodiscard]] results::ResultsFile read_any_results(const std::string& path);

/// The UTC time now, ISO 8601 ("2026-11-22T04:30:00Z").
[[nodiscard]] std::string utc_now();

}  // namespace parkit::cli
