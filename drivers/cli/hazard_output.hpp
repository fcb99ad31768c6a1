// SPDX-License-Identifier: MIT
// Hazard runs (`parkit hazards`) for a person (an aligned table, with each variant's verdict) or a
// program (JSON, read back by `parkit report` and `merge` like the JSON of run/sweep/io).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "results/hazard_record.hpp"

namespace parkit::cli {

/// One line per hazard run: scenario, variant, runtime, workers, ops, expected, observed, the
/// anomaly count (and what it counts), time median [min-max], ns/op, ops/s, verdict.
[[nodiscard]] std::string hazard_table(const std::vector<results::HazardRecord>& records);
/// "note: <scenario> <variant>: <warning>" for every warning of every run.
[[nodiscard]] std::string hazard_notes(const std::vector<results::HazardRecord>& records);

/// Every field; hazard_record_from_json(to_json(r)) == r.
[[nodiscard]] nlohmann::json to_json(const results::HazardRecord& r);
/// The inverse of to_json; throws nlohmann::json::exception on a missing or mistyped field.
[[nodiscard]] results::HazardRecord hazard_record_from_json(const nlohmann::json& j);

}  // namespace parkit::cli
