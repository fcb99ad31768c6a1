// SPDX-License-Identifier: MIT
#include "drivers/cli/hazard_output.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <limits>
#include <optional>
#include <set>

#include "drivers/cli/json_fields.hpp"
#include "drivers/cli/text_table.hpp"

namespace parkit::cli {
namespace {

using fields::csv_field;
using fields::doubles_from_json;
using fields::number;
using fields::optional_json;
using fields::summary_from_json;
using fields::summary_json;

using measure::Summary;
using results::HazardPoint;
using results::HazardRecord;
using results::HazardStudy;

/// "0.482 [0.475-0.490]": median [min-max] in seconds, to the millisecond.
std::string seconds_range(const Summary& s) {
  return fmt::format("{:.3f} [{:.3f}-{:.3f}]", s.median, s.min, s.max);
}

/// "7204113 lost updates", or "0" when nothing went wrong (or nothing is named).
std::string anomalies_cell(std::int64_t count, const std::string& anomaly) {
  if (count == 0 || anomaly.empty()) return std::to_string(count);
  return fmt::format("{} {}", count, anomaly);
}

/// "4" threads, or "2+2" producers + consumers for the queue.
std::string workers_cell(const HazardRecord& r) {
  if (r.producers > 0 || r.consumers > 0) return fmt::format("{}+{}", r.producers, r.consumers);
  return std::to_string(r.threads);
}

/// "4.2x atomic": a run's ns/op against the study's fastest safe run; "fastest safe" for that run.
std::string cost_cell(const HazardPoint& p, const HazardStudy& s) {
  if (p.fastest_safe) return "fastest safe";
  if (!p.cost_vs_fastest_safe || !s.fastest_safe_variant) return "-";
  const double ratio = *p.cost_vs_fastest_safe;
  const std::string number = ratio >= 100 ? fmt::format("{:.0f}", ratio)
                             : ratio >= 1 ? fmt::format("{:.1f}", ratio)
                                          : fmt::format("{:.2f}", ratio);
  return fmt::format("{}x {}", number, *s.fastest_safe_variant);
}

/// The heading's parameters: "4 workers, 1000000 ops per worker", the queue's shape, or the
/// booking's stock (its ops are the tickets, not a count per worker).
std::string parameters(const HazardStudy& s) {
  if (s.producers > 0 || s.consumers > 0)
    return fmt::format("{} producers + {} consumers, capacity {}, {} ops per producer", s.producers,
                       s.consumers, s.capacity, s.ops);
  if (s.scenario == "booking") return fmt::format("{} workers, {} tickets", s.threads, s.ops);
  return fmt::format("{} workers, {} ops per worker", s.threads, s.ops);
}

}  // namespace

std::string hazard_table(const std::vector<HazardRecord>& records) {
  Table t({"scenario", "variant", "runtime", "workers", "ops/worker", "expected", "observed",
           "anomalies", "time s [min-max]", "ns/op", "Mops/s", "verdict"});
  for (const auto& r : records) {
    // the worst rep (most anomalies, the first on a tie): its expected - observed is the story
    const auto worst = std::max_element(r.anomalies.begin(), r.anomalies.end());
    const bool any = worst != r.anomalies.end();
    const auto rep = static_cast<std::size_t>(worst - r.anomalies.begin());
    const auto at = [&](const std::vector<std::int64_t>& v) {
      return any && rep < v.size() ? std::to_string(v[rep]) : std::string("-");
    };
    t.add({r.scenario, r.variant, r.runtime, workers_cell(r), std::to_string(r.ops), at(r.expected),
           at(r.observed), any ? anomalies_cell(*worst, r.anomaly) : "-", seconds_range(r.time),
           fixed(r.ns_per_op), fixed(r.ops_per_s / 1e6), r.verdict});
  }
  return t.str(3);
}

std::string hazard_notes(const std::vector<HazardRecord>& records) {
  std::string out;
  for (const auto& r : records)
    for (const auto& w : r.warnings)
      out += fmt::format("note: {} {}: {}\n", r.scenario, r.variant, w);
  return out;
}

std::string hazard_study_table(const std::vector<HazardStudy>& studies) {
  std::string out;
  for (const auto& s : studies) {
    std::set<std::string> jobs;
    for (const auto& p : s.points) jobs.insert(p.job);
    const bool show_jobs = jobs.size() > 1;
    out += fmt::format("\nHazard: {}, {}\n", s.scenario, parameters(s));
    std::vector<std::string> header{"variant", "runtime"};
    if (show_jobs) header.emplace_back("job");
    for (const char* column : {"design", "reps", "anomalies", "reps hit", "time s [min-max]",
                               "ns/op", "cost vs fastest safe", "verdict"})
      header.emplace_back(column);
    Table t(std::move(header));
    for (const auto& p : s.points) {
      std::string verdict = (p.failed ? "FAILED: " : "") + p.verdict;
      if (!p.warnings.empty())
        verdict +=
            fmt::format(" ({} warning{})", p.warnings.size(), p.warnings.size() == 1 ? "" : "s");
      std::vector<std::string> row{p.variant, p.runtime};
      if (show_jobs) row.push_back(p.job);
      for (std::string cell : {std::string(p.expected_safe ? "safe" : "unsafe"),
                               std::to_string(p.reps), anomalies_cell(p.anomalies_total, p.anomaly),
                               fmt::format("{}/{}", p.reps_with_anomalies, p.reps),
                               seconds_range(p.time), fixed(p.ns_per_op), cost_cell(p, s), verdict})
        row.push_back(std::move(cell));
      t.add(std::move(row));
    }
    out += t.str(show_jobs ? 3 : 2);
  }
  return out;
}

std::string hazard_study_csv(const std::vector<HazardStudy>& studies) {
  std::string out =
      "scenario,threads,producers,consumers,capacity,ops,job,variant,runtime,expected_safe,"
      "anomaly,reps,ops_total,median_s,min_s,max_s,ns_per_op,ops_per_s,anomalies_total,"
      "anomalies_max,reps_with_anomalies,correct,failed,cost_vs_fastest_safe,fastest_safe,"
      "verdict\n";
  const auto yes_no = [](bool b) { return b ? "true" : "false"; };
  for (const auto& s : studies)
    for (const auto& p : s.points)
      out += fmt::format(
          "{},{},{},{},{},{},{},{},{},{},{},{},{},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g},{},{},{},{},{}"
          ","
          "{},{},{}\n",
          csv_field(s.scenario), s.threads, s.producers, s.consumers, s.capacity, s.ops,
          csv_field(p.job), csv_field(p.variant), csv_field(p.runtime), yes_no(p.expected_safe),
          csv_field(p.anomaly), p.reps, p.ops_total, p.time.median, p.time.min, p.time.max,
          p.ns_per_op, p.ops_per_s, p.anomalies_total, p.anomalies_max, p.reps_with_anomalies,
          yes_no(p.correct), yes_no(p.failed),
          p.cost_vs_fastest_safe ? fmt::format("{:.6g}", *p.cost_vs_fastest_safe) : "",
          yes_no(p.fastest_safe), csv_field(p.verdict));
  return out;
}

nlohmann::json to_json(const HazardStudy& s) {
  nlohmann::json points = nlohmann::json::array();
  for (const auto& p : s.points)
    points.push_back({{"job", p.job},
                      {"variant", p.variant},
                      {"runtime", p.runtime},
                      {"expected_safe", p.expected_safe},
                      {"anomaly", p.anomaly},
                      {"reps", p.reps},
                      {"ops_total", p.ops_total},
                      {"median_s", p.time.median},
                      {"min_s", p.time.min},
                      {"max_s", p.time.max},
                      {"ns_per_op", p.ns_per_op},
                      {"ops_per_s", p.ops_per_s},
                      {"anomalies_total", p.anomalies_total},
                      {"anomalies_max", p.anomalies_max},
                      {"reps_with_anomalies", p.reps_with_anomalies},
                      {"correct", p.correct},
                      {"failed", p.failed},
                      {"cost_vs_fastest_safe", optional_json(p.cost_vs_fastest_safe)},
                      {"fastest_safe", p.fastest_safe},
                      {"verdict", p.verdict},
                      {"warnings", p.warnings}});
  return {{"scenario", s.scenario},
          {"threads", s.threads},
          {"producers", s.producers},
          {"consumers", s.consumers},
          {"capacity", s.capacity},
          {"ops", s.ops},
          {"fastest_safe_variant", s.fastest_safe_variant ? nlohmann::json(*s.fastest_safe_variant)
                                                          : nlohmann::json(nullptr)},
          {"fastest_safe_ns_per_op", optional_json(s.fastest_safe_ns_per_op)},
          {"points", points}};
}

nlohmann::json to_json(const HazardRecord& r) {
  return {{"job", r.job},
          {"scenario", r.scenario},
          {"variant", r.variant},
          {"runtime", r.runtime},
          {"expected_safe", r.expected_safe},
          {"anomaly", r.anomaly},
          {"threads", r.threads},
          {"producers", r.producers},
          {"consumers", r.consumers},
          {"capacity", r.capacity},
          {"ops", r.ops},
          {"ops_total", r.ops_total},
          {"reps", r.reps},
          {"warmup", r.warmup},
          {"rep_seconds", r.rep_seconds},
          {"expected", r.expected},
          {"observed", r.observed},
          {"anomalies", r.anomalies},
          {"time_s", summary_json(r.time)},
          {"ns_per_op", r.ns_per_op},
          {"ops_per_s", r.ops_per_s},
          {"anomalies_total", r.anomalies_total},
          {"anomalies_max", r.anomalies_max},
          {"correct", r.correct},
          {"verdict", r.verdict},
          {"timer_resolution_s", r.timer_resolution},
          {"warnings", r.warnings}};
}

HazardRecord hazard_record_from_json(const nlohmann::json& j) {
  HazardRecord r;
  r.job = j.at("job").get<std::string>();
  r.scenario = j.at("scenario").get<std::string>();
  r.variant = j.at("variant").get<std::string>();
  r.runtime = j.at("runtime").get<std::string>();
  r.expected_safe = j.at("expected_safe").get<bool>();
  r.anomaly = j.at("anomaly").get<std::string>();
  r.threads = j.at("threads").get<int>();
  r.producers = j.at("producers").get<int>();
  r.consumers = j.at("consumers").get<int>();
  r.capacity = j.at("capacity").get<int>();
  r.ops = j.at("ops").get<std::int64_t>();
  r.ops_total = j.at("ops_total").get<std::int64_t>();
  r.reps = j.at("reps").get<int>();
  r.warmup = j.at("warmup").get<int>();
  r.rep_seconds = doubles_from_json(j.at("rep_seconds"));
  r.expected = j.at("expected").get<std::vector<std::int64_t>>();
  r.observed = j.at("observed").get<std::vector<std::int64_t>>();
  r.anomalies = j.at("anomalies").get<std::vector<std::int64_t>>();
  r.time = summary_from_json(j.at("time_s"));
  r.ns_per_op = number(j.at("ns_per_op"));
  r.ops_per_s = number(j.at("ops_per_s"));
  r.anomalies_total = j.at("anomalies_total").get<std::int64_t>();
  r.anomalies_max = j.at("anomalies_max").get<std::int64_t>();
  r.correct = j.at("correct").get<bool>();
  r.verdict = j.at("verdict").get<std::string>();
  r.timer_resolution = number(j.at("timer_resolution_s"));
  r.warnings = j.at("warnings").get<std::vector<std::string>>();
  return r;
}

}  // namespace parkit::cli
