// SPDX-License-Identifier: MIT
// What every measuring command (run, sweep, io) shares about its results file: the options that
// choose it and the one place that writes it and says so.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string_view>

#include "drivers/cli/plan.hpp"
#include "parkit/results/results_file.hpp"

namespace parkit::cli {

/// {"version", "git_commit"}: the first key of every --json output.
[[nodiscard]] nlohmann::json header_json();
/// {key: value, ...} of ordered pairs.
[[nodiscard]] nlohmann::json to_object(const results::Pairs& pairs);
/// The job's provenance as JSON: the same record the results file stores (--json shows it).
[[nodiscard]] nlohmann::json provenance_json(const results::JobProvenance& job);
/// The inverse of provenance_json (strings as text, numbers and null as numbers); fields of
/// other types are skipped: provenance never makes a results file unreadable.
[[nodiscard]] results::JobProvenance provenance_from_json(const nlohmann::json& j);

/// --json, -o/--output, --no-output, --force, --context (with their PARKIT_* twins).
void add_output_options(CLI::App& command, RunOptions& options);

/// The decision's "output" object (from choose_output, made on rank 0 before any work).
[[nodiscard]] nlohmann::json output_json(const RunOptions& options);

/// Writes `file` where the decision says (nothing for --no-output) and reports it on stderr as
/// "wrote PATH (WHAT, N ms)". Returns exit_ok, or exit_io when it could not be written: what was
/// printed before is not lost.
int save_job_results(const nlohmann::json& decision, const results::ResultsFile& file,
                     std::string_view what);

}  // namespace parkit::cli
