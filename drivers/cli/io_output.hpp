// SPDX-License-Identifier: MIT
// I/O runs (`parkit io`) for a person (an aligned table) or a program (JSON, read back by
// `parkit report` and `merge` like the JSON of run/sweep).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "parkit/results/io_record.hpp"
#include "parkit/results/io_report.hpp"

namespace parkit::cli {

/// One line per I/O run: requests per rep and reps, the most requests in flight by design,
/// makespan median [min-max], requests/s, latency p50/p90/p99/max in ms, outcome counts (summed
/// over reps, so they add up to requests x reps), CPU and peak RSS.
[[nodiscard]] std::string io_table(const std::vector<results::IoRecord>& records);
/// "note: <driver> x <requests>: <warning>" for every warning of every run.
[[nodiscard]] std::string io_notes(const std::vector<results::IoRecord>& records);

/// `parkit report`'s I/O part: per study a heading (the workload) and one line per run with its
/// speedup against the study's sequential run ("-" without one). Each study starts with "\n".
[[nodiscard]] std::string io_study_table(const std::vector<results::IoStudy>& studies);
/// The studies as CSV, one row per run (paths joined by spaces; empty speedup: no baseline).
[[nodiscard]] std::string io_study_csv(const std::vector<results::IoStudy>& studies);
/// Field names as the /io_table columns; speedup and baseline_s null without a sequential run.
[[nodiscard]] nlohmann::json to_json(const results::IoStudy& s);

/// Every field, per-request arrays included (outcome as IoOutcome codes, named by
/// "outcome_names"); io_record_from_json(to_json(r)) == r field for field.
[[nodiscard]] nlohmann::json to_json(const results::IoRecord& r);
/// The inverse of to_json; throws nlohmann::json::exception on a missing or mistyped field.
[[nodiscard]] results::IoRecord io_record_from_json(const nlohmann::json& j);

}  // namespace parkit::cli
