// SPDX-License-Identifier: MIT
// How results reach a person (aligned tables) or a program (JSON).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "drivers/cli/plan.hpp"
#include "parkit/measure/record.hpp"
#include "parkit/results/scaling.hpp"

namespace parkit::cli {

/// Array kernels as a percentage of the triad run with the same model, ranks and threads.
void attach_triad_percentages(std::vector<measure::RunRecord>& records);

[[nodiscard]] std::string runs_table(const std::vector<measure::RunRecord>& records);
/// `interference_at[i]`, when given, says where run i of analyse()'s input keeps its
/// interference ("/runs/run-0003/interference in a.h5"): the footnote of a disturbed point
/// points there.
[[nodiscard]] std::string scaling_table(const std::vector<results::Study>& studies,
                                        const std::vector<std::string>& interference_at = {});
[[nodiscard]] std::string notes(const std::vector<measure::RunRecord>& records,
                                const std::vector<Skipped>& skipped);

[[nodiscard]] nlohmann::json to_json(const measure::RunRecord& r);
/// The inverse of to_json for what the scaling analysis needs; throws nlohmann::json::exception.
[[nodiscard]] measure::RunRecord record_from_json(const nlohmann::json& j);
/// Studies as CSV, one row per point.
[[nodiscard]] std::string scaling_csv(const std::vector<results::Study>& studies);
[[nodiscard]] nlohmann::json to_json(const results::Study& s);
[[nodiscard]] nlohmann::json to_json(const std::vector<Skipped>& skipped);

}  // namespace parkit::cli
