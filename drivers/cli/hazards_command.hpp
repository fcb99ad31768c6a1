// SPDX-License-Identifier: MIT
// `parkit hazards [SCENARIO...]`: the lessons' thread hazards as measured scenarios (see
// drivers/hazards/scenario.hpp): options, validation, running, printing, the results file.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "drivers/cli/plan.hpp"

namespace parkit::cli {

/// `parkit hazards` as typed. Output options (--json, -o, ...) live in `output`.
struct HazardsOptions {
  std::vector<std::string> scenarios;  ///< empty: all
  std::string variants;                ///< comma list; empty: every variant of each scenario
  std::string threads = "2";
  std::string ops;  ///< empty: each scenario's default
  std::string producers = "2";
  std::string consumers = "2";
  std::string capacity = "64";
  std::string watchdog_ms = "200";
  std::string reps = "5";
  std::string warmup = "1";
  RunOptions output;
};

void add_hazards_options(CLI::App& command, HazardsOptions& options);
/// Validates everything before any work; throws UsageError naming the option and what it
/// accepts.
[[nodiscard]] nlohmann::json hazards_decision(const HazardsOptions& options,
                                              const std::string& command_line);
/// Runs the decided scenarios: prints the table (or JSON), writes the results file. Exit 1 when
/// a variant that must be safe showed an anomaly; the unsafe variants' anomalies are the point.
int hazards_command(const nlohmann::json& decision);

/// "scenarios:" and one line per scenario and variant, for `parkit list`.
[[nodiscard]] std::string hazards_list();
[[nodiscard]] nlohmann::json hazards_list_json();

}  // namespace parkit::cli
