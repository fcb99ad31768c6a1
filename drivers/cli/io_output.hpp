// SPDX-License-Identifier: MIT
// I/O runs (`parkit io`) for a person (an aligned table) or a program (JSON, read back by
// `parkit report` and `merge` like the JSON of run/sweep).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "results/io_record.hpp"

namespace parkit::cli {

/// One line per I/O run: makespan median [min-max], requests/s, latency p50/p90/p99/max,
/// outcome counts (summed over reps), CPU and peak RSS.
[[nodiscard]] std::string io_table(const std::vector<results::IoRecord>& records);
/// "note: <driver> x <requests>: <warning>" for every warning of every run.
[[nodiscard]] std::string io_notes(const std::vector<results::IoRecord>& records);

/// Every field, per-request arrays included (outcome as IoOutcome codes, named by
/// "outcome_names"); io_record_from_json(to_json(r)) == r field for field.
[[nodiscard]] nlohmann::json to_json(const results::IoRecord& r);
/// The inverse of to_json; throws nlohmann::json::exception on a missing or mistyped field.
[[nodiscard]] results::IoRecord io_record_from_json(const nlohmann::json& j);

}  // namespace parkit::cli
