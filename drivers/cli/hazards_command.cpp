// SPDX-License-Identifier: MIT
#include "drivers/cli/hazards_command.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iostream>

#include "drivers/cli/errors.hpp"
#include "drivers/cli/hazard_output.hpp"
#include "drivers/cli/job_output.hpp"
#include "drivers/cli/machine.hpp"
#include "drivers/cli/progress.hpp"
#include "drivers/cli/results_io.hpp"
#include "drivers/cli/sizes.hpp"
#include "drivers/hazards/scenario.hpp"

namespace parkit::cli {
namespace {

std::string scenario_names() {
  std::vector<std::string> names;
  for (const auto& s : hazards::scenarios()) names.emplace_back(s.name);
  return fmt::format("{}", fmt::join(names, ", "));
}

std::string variant_names(const std::vector<const hazards::Scenario*>& chosen) {
  std::vector<std::string> names;
  for (const auto* s : chosen)
    for (const auto& v : s->variants)
      if (std::find(names.begin(), names.end(), v.name) == names.end()) names.emplace_back(v.name);
  return fmt::format("{}", fmt::join(names, ", "));
}

hazards::Options options_of(const nlohmann::json& d) {
  hazards::Options o;
  o.threads = d.at("threads").get<int>();
  o.ops = d.at("ops").get<std::int64_t>();
  o.producers = d.at("producers").get<int>();
  o.consumers = d.at("consumers").get<int>();
  o.capacity = d.at("capacity").get<int>();
  o.watchdog = std::chrono::milliseconds(d.at("watchdog_ms").get<int>());
  o.reps = d.at("reps").get<int>();
  o.warmup = d.at("warmup").get<int>();
  return o;
}

}  // namespace

void add_hazards_options(CLI::App& cmd, HazardsOptions& o) {
  cmd.add_option("scenario", o.scenarios,
                 "Scenarios to run: " + scenario_names() + " (default: all)");
  cmd.add_option("-V,--variant", o.variants,
                 "Variants to run, comma separated (default: every variant; see parkit list)")
      ->envname("PARKIT_VARIANT");
  cmd.add_option("-t,--threads", o.threads, "Threads of counter, booking (ordering: always 2)")
      ->capture_default_str()
      ->envname("PARKIT_HAZARD_THREADS");
  cmd.add_option("--ops", o.ops,
                 "Per thread: increments (counter), lock pairs (ordering); items per producer "
                 "(queue); tickets in all (booking). Default: each scenario's own")
      ->envname("PARKIT_OPS");
  cmd.add_option("--producers", o.producers, "queue: producers")
      ->capture_default_str()
      ->envname("PARKIT_PRODUCERS");
  cmd.add_option("--consumers", o.consumers, "queue: consumers")
      ->capture_default_str()
      ->envname("PARKIT_CONSUMERS");
  cmd.add_option("--capacity", o.capacity, "queue: its bound")
      ->capture_default_str()
      ->envname("PARKIT_CAPACITY");
  cmd.add_option("--watchdog-ms", o.watchdog_ms,
                 "ordering: no progress this long while the lockers run is a deadlock")
      ->capture_default_str()
      ->envname("PARKIT_WATCHDOG_MS");
  cmd.add_option("-r,--reps", o.reps, "Timed reps per variant")
      ->capture_default_str()
      ->envname("PARKIT_REPS");
  cmd.add_option("-w,--warmup", o.warmup, "Untimed warm-up reps per variant")
      ->capture_default_str()
      ->envname("PARKIT_WARMUP");
  add_output_options(cmd, o.output);
}

nlohmann::json hazards_decision(const HazardsOptions& o, const std::string& command_line) {
  std::vector<const hazards::Scenario*> chosen;
  for (const auto& name : o.scenarios) {
    if (name == "all") {
      chosen.clear();
      break;
    }
    const hazards::Scenario* s = hazards::find_scenario(name);
    if (s == nullptr)
      throw UsageError(fmt::format("scenario: '{}' is not a scenario (accepted: {}, all)", name,
                                   scenario_names()));
    if (std::find(chosen.begin(), chosen.end(), s) == chosen.end()) chosen.push_back(s);
  }
  if (chosen.empty())
    for (const auto& s : hazards::scenarios()) chosen.push_back(&s);

  // Each scenario runs the asked variants it has; a name no chosen scenario has is an error.
  const std::vector<std::string> asked = split_list(o.variants);
  for (const auto& v : asked) {
    const bool known = std::any_of(chosen.begin(), chosen.end(), [&](const auto* s) {
      return hazards::find_variant(*s, v) != nullptr;
    });
    if (!known)
      throw UsageError(fmt::format("--variant: '{}' is no variant of {} (accepted: {})", v,
                                   chosen.size() == 1 ? chosen[0]->name : "these scenarios",
                                   variant_names(chosen)));
  }
  nlohmann::json runs = nlohmann::json::array();
  for (const auto* s : chosen) {
    std::size_t taken = 0;
    for (const auto& v : s->variants)
      if (asked.empty() || std::find(asked.begin(), asked.end(), v.name) != asked.end()) {
        runs.push_back({{"scenario", s->name}, {"variant", v.name}});
        ++taken;
      }
    if (taken == 0)  // a scenario asked for, with none of the variants asked for: say so
      throw UsageError(fmt::format("--variant: none of {} is a variant of {} (accepted: {})",
                                   o.variants, s->name, variant_names({s})));
  }

  return {{"command", "hazards"},
          {"command_line", command_line},
          {"threads_option", o.threads},
          {"context", o.output.context},
          {"json", o.output.json},
          {"output", output_json(o.output)},
          {"runs", runs},
          {"threads", parse_count(o.threads, "--threads", 1, 1024)},
          {"ops", o.ops.empty() ? 0 : parse_size(o.ops, "--ops")},
          {"producers", parse_count(o.producers, "--producers", 1, 256)},
          {"consumers", parse_count(o.consumers, "--consumers", 1, 256)},
          {"capacity", parse_count(o.capacity, "--capacity", 1, 1 << 20)},
          {"watchdog_ms", parse_count(o.watchdog_ms, "--watchdog-ms", 1, 600'000)},
          {"reps", parse_count(o.reps, "--reps", 1, 1000)},
          {"warmup", parse_count(o.warmup, "--warmup", 0, 1000)}};
}

int hazards_command(const nlohmann::json& decision) {
  const hazards::Options options = options_of(decision);
  const auto& runs = decision.at("runs");
  std::vector<results::HazardRecord> records;
  Progress progress(runs.size(), true);
  for (const auto& run : runs) {
    const auto* scenario = hazards::find_scenario(run.at("scenario").get<std::string>());
    const auto* variant = hazards::find_variant(*scenario, run.at("variant").get<std::string>());
    progress.start_run(fmt::format("hazards {} {}", scenario->name, variant->name));
    records.push_back(hazards::run_variant(
        *scenario, *variant, options, [&](int rep, int reps) { progress.rep_done(rep, reps); }));
  }
  progress.finish();

  const results::JobProvenance provenance = job_provenance(decision, {machine_info().host});
  if (decision.at("json").get<bool>()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : records) out.push_back(to_json(r));
    std::cout << nlohmann::json{{"parkit", header_json()},
                                {"provenance", provenance_json(provenance)},
                                {"hazard_runs", out}}
                     .dump(2)
              << '\n';
  } else {
    std::cout << hazard_table(records) << hazard_notes(records);
  }
  std::cout.flush();

  const BuildInfo b = build_info();
  results::ResultsFile file{utc_now(), b.version, b.git_commit, {provenance}, {}};
  file.hazard_runs = records;
  const int code = save_job_results(decision, file, fmt::format("{} hazard runs", records.size()));
  const bool a_safe_variant_failed = std::any_of(
      records.begin(), records.end(), [](const auto& r) { return r.expected_safe && !r.correct; });
  return code == exit_ok && a_safe_variant_failed ? exit_verification_failed : code;
}

std::string hazards_list() {
  std::string out = "hazard scenarios (parkit hazards SCENARIO --variant V):\n";
  for (const auto& s : hazards::scenarios()) {
    out += fmt::format("  {:<18} {} (counts {}; --ops: {}, default {})\n", s.name, s.summary,
                       s.anomaly, s.ops_meaning, short_count(s.default_ops));
    for (const auto& v : s.variants)
      out += fmt::format("    {:<20} {:<7} {} [{}]\n", v.name, v.expected_safe ? "safe" : "unsafe",
                         v.summary, v.runtime);
  }
  return out;
}

nlohmann::json hazards_list_json() {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : hazards::scenarios()) {
    nlohmann::json variants = nlohmann::json::array();
    for (const auto& v : s.variants)
      variants.push_back({{"name", v.name},
                          {"runtime", v.runtime},
                          {"expected_safe", v.expected_safe},
                          {"summary", v.summary}});
    out.push_back({{"name", s.name},
                   {"summary", s.summary},
                   {"anomaly", s.anomaly},
                   {"ops_meaning", s.ops_meaning},
                   {"default_ops", s.default_ops},
                   {"variants", variants}});
  }
  return out;
}

}  // namespace parkit::cli
