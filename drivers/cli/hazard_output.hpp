// SPDX-License-Identifier: MIT
// Hazard runs (`parkit hazards`) for a person (an aligned table, with each variant's verdict) or a
// program (JSON, read back by `parkit report` and `merge` like the JSON of run/sweep/io).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "parkit/results/hazard_record.hpp"
#include "parkit/results/hazard_report.hpp"

namespace parkit::cli {

/// One line per hazard run: scenario, variant, runtime, workers ("P+C" for queue), ops per
/// worker, expected, observed and the anomaly count (and what it counts) of the worst rep (most
/// anomalies, the first on a tie), time median [min-max], ns/op, Mops/s, verdict.
[[nodiscard]] std::string hazard_table(const std::vector<results::HazardRecord>& records);
/// "note: <scenario> <variant>: <warning>" for every warning of every run.
[[nodiscard]] std::string hazard_notes(const std::vector<results::HazardRecord>& records);

/// `parkit report`'s hazard part: per study a heading (the scenario and its parameters) and one
/// line per run: safe or unsafe by design, anomalies, ns/op, its cost against the study's fastest
/// safe run ("4.2x atomic"), verdict ("FAILED: " first for a safe run that was not correct).
/// Each study starts with "\n".
[[nodiscard]] std::string hazard_study_table(const std::vector<results::HazardStudy>& studies);
/// The studies as CSV, one row per run (empty cost_vs_fastest_safe: no safe run to compare with).
[[nodiscard]] std::string hazard_study_csv(const std::vector<results::HazardStudy>& studies);
/// Field names as the /hazard_table columns; cost_vs_fastest_safe and fastest_safe_* are null
/// without a safe run to compare with.
[[nodiscard]] nlohmann::json to_json(const results::HazardStudy& s);

/// Every field; hazard_record_from_json(to_json(r)) == r.
[[nodiscard]] nlohmann::json to_json(const results::HazardRecord& r);
/// The inverse of to_json; throws nlohmann::json::exception on a missing or mistyped field.
[[nodiscard]] results::HazardRecord hazard_record_from_json(const nlohmann::json& j);

}  // namespace parkit::cli
