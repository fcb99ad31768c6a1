// SPDX-License-Identifier: MIT
#include <fmt/format.h>

#include <algorithm>

#include "drivers/hazards/scenario.hpp"
#include "parkit/measure/statistics.hpp"

namespace parkit::hazards {

measure::Verification HazardExperiment::verify() {
  const Outcome last = outcome();
  history_.push_back(last);
  return {last.anomalies == 0, std::to_string(last.expected), std::to_string(last.observed)};
}

const std::vector<Scenario>& scenarios() {
  static const std::vector<Scenario> all{counter_scenario(), booking_scenario(), queue_scenario(),
                                         ordering_scenario()};
  return all;
}

const Scenario* find_scenario(std::string_view name) {
  for (const auto& s : scenarios())
    if (s.name == name) return &s;
  return nullptr;
}

const Variant* find_variant(const Scenario& scenario, std::string_view name) {
  for (const auto& v : scenario.variants)
    if (v.name == name) return &v;
  return nullptr;
}

Options resolved(const Scenario& scenario, Options options) {
  if (options.ops <= 0) options.ops = scenario.default_ops;
  return options;
}

namespace {

std::int64_t median_of(std::vector<std::int64_t> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0 : values[(values.size() - 1) / 2];  // the lower median: a count
}

std::string verdict(const Scenario& scenario, const Variant& variant,
                    const results::HazardRecord& r, const std::string& explanation) {
  if (r.anomalies_max == 0) {
    return variant.expected_safe
               ? fmt::format("no {} in {} reps", scenario.anomaly, r.reps)
               : fmt::format("no {} seen in {} reps (a race need not show every time)",
                             scenario.anomaly, r.reps);
  }
  const auto [least, most] = std::minmax_element(r.anomalies.begin(), r.anomalies.end());
  std::string text =
      fmt::format("{}{}: {} per rep of {} (median; {} to {} over {} reps)",
                  variant.expected_safe ? "BUG: " : "", scenario.anomaly, median_of(r.anomalies),
                  r.expected.empty() ? 0 : r.expected.front(), *least, *most, r.reps);
  if (!explanation.empty()) text += "; " + explanation;
  return text;
}

}  // namespace

results::HazardRecord run_variant(const Scenario& scenario, const Variant& variant,
                                  const Options& given, const measure::RepDone& on_rep) {
  const Options options = resolved(scenario, given);
  const std::unique_ptr<HazardExperiment> experiment = variant.make(options);
  const measure::Measurement m =
      measure::measure(*experiment, {options.reps, options.warmup}, on_rep);

  results::HazardRecord r;
  r.scenario = std::string(scenario.name);
  r.variant = std::string(variant.name);
  r.runtime = std::string(variant.runtime);
  r.expected_safe = variant.expected_safe;
  r.anomaly = std::string(scenario.anomaly);
  experiment->describe(r);
  r.ops = options.ops;
  r.ops_total = experiment->ops_total();
  r.reps = options.reps;
  r.warmup = options.warmup;
  r.rep_seconds = m.rep_times;
  const auto& history = experiment->history();
  for (std::size_t i = static_cast<std::size_t>(options.warmup); i < history.size(); ++i) {
    r.expected.push_back(history[i].expected);
    r.observed.push_back(history[i].observed);
    r.anomalies.push_back(history[i].anomalies);
  }
  r.time = measure::summarize(r.rep_seconds);
  if (r.time.median > 0 && r.ops_total > 0) {
    r.ns_per_op = r.time.median * 1e9 / static_cast<double>(r.ops_total);
    r.ops_per_s = static_cast<double>(r.ops_total) / r.time.median;
  }
  for (const std::int64_t a : r.anomalies) {
    r.anomalies_total += a;
    r.anomalies_max = std::max(r.anomalies_max, a);
  }
  r.correct = std::all_of(history.begin(), history.end(),
                          [](const Outcome& o) { return o.anomalies == 0; });
  r.verdict = verdict(scenario, variant, r, experiment->explanation());
  r.timer_resolution = m.timer_resolution;
  if (r.time.min < 20 * m.timer_resolution)
    r.warnings.push_back(
        fmt::format("a rep took {:.3g} s, under 20 clock ticks: raise --ops", r.time.min));
  return r;
}

}  // namespace parkit::hazards
