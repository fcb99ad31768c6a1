// SPDX-License-Identifier: MIT
#include "drivers/cli/io_output.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <optional>
#include <set>

#include "drivers/cli/json_fields.hpp"
#include "drivers/cli/text_table.hpp"
#include "parkit/results/io_report.hpp"

namespace parkit::cli {
namespace {

using fields::csv_field;
using fields::doubles_from_json;
using fields::number;
using fields::optional_json;
using fields::summary_from_json;
using fields::summary_json;

using measure::Summary;
using results::IoCounts;
using results::IoRecord;
using results::IoRep;
using results::LatencySummary;

/// Milliseconds in fixed notation: 1000.4, 20.5, 0.147 (never 1e+03).
std::string milliseconds(double s) {
  const double ms = 1e3 * s;
  return ms >= 10 ? fmt::format("{:.1f}", ms) : fmt::format("{:.3f}", ms);
}

/// Requests per second in fixed notation: 13245, 12.5, 0.333.
std::string per_second(double rate) {
  if (!(rate > 0)) return "-";
  return rate >= 100 ? fmt::format("{:.0f}", rate)
         : rate >= 1 ? fmt::format("{:.1f}", rate)
                     : fmt::format("{:.3f}", rate);
}

std::string cpu_seconds(double s) { return fmt::format("{:.3f}", s); }

std::string mebibytes(std::int64_t bytes) {
  return fmt::format("{:.1f}", static_cast<double>(bytes) / (1 << 20));
}

/// The most requests a run may have in flight; the pool says how many threads it had.
std::string concurrency_cell(std::int64_t bound, const std::string& driver, int pool_threads) {
  if (driver != "pool") return std::to_string(bound);
  if (bound == pool_threads) return fmt::format("{} threads", pool_threads);
  return fmt::format("{} ({} threads)", bound, pool_threads);
}

/// "1.002 [1.001-1.004]": median [min-max] in seconds, to the millisecond.
std::string seconds_range(const Summary& s) {
  return fmt::format("{:.3f} [{:.3f}-{:.3f}]", s.median, s.min, s.max);
}

std::string joined(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? separator : "") + items[i];
  return out;
}

/// The paths of a study's heading: all of them, or the first few and how many there are.
std::string paths_heading(const std::vector<std::string>& paths) {
  constexpr std::size_t shown = 6;
  if (paths.size() <= shown) return joined(paths, " ");
  return joined({paths.begin(), paths.begin() + shown}, " ") +
         fmt::format(" ... ({} paths)", paths.size());
}

nlohmann::json counts_json(const IoCounts& c) {
  return {{"ok", c.ok},
          {"http_error", c.http_error},
          {"connection_error", c.connection_error},
          {"timeout", c.timeout},
          {"cancelled", c.cancelled}};
}

IoCounts counts_from_json(const nlohmann::json& j) {
  return {j.at("ok").get<std::int64_t>(), j.at("http_error").get<std::int64_t>(),
          j.at("connection_error").get<std::int64_t>(), j.at("timeout").get<std::int64_t>(),
          j.at("cancelled").get<std::int64_t>()};
}

}  // namespace

std::string io_table(const std::vector<IoRecord>& records) {
  // counts are summed over reps: ok + http err + ... == requests x reps
  Table t({"driver", "requests", "reps", "concurrency", "makespan s [min-max]", "req/s", "p50 ms",
           "p90 ms", "p99 ms", "max ms", "in flight", "ok", "http err", "conn err", "timeout",
           "cancelled", "CPU s", "RSS MiB", "connections"});
  for (const auto& r : records) {
    const double median = r.makespan.median;
    t.add({r.driver, std::to_string(r.requests), std::to_string(r.reps),
           concurrency_cell(results::max_concurrency(r), r.driver, r.pool_threads),
           seconds_range(r.makespan),
           per_second(median > 0 ? static_cast<double>(r.requests) / median : 0),
           milliseconds(r.latency.p50), milliseconds(r.latency.p90), milliseconds(r.latency.p99),
           milliseconds(r.latency.max), std::to_string(r.max_in_flight),
           std::to_string(r.counts.ok), std::to_string(r.counts.http_error),
           std::to_string(r.counts.connection_error), std::to_string(r.counts.timeout),
           std::to_string(r.counts.cancelled), cpu_seconds(r.cpu_seconds.median),
           mebibytes(r.peak_rss_bytes), r.connections});
  }
  return t.str(1);
}

std::string io_study_table(const std::vector<results::IoStudy>& studies) {
  std::string out;
  for (const auto& s : studies) {
    std::set<std::string> jobs;
    for (const auto& p : s.points) jobs.insert(p.job);
    out += fmt::format(
        "\nI/O: {} requests per rep of {}, {}, {}, {}\n", s.requests, paths_heading(s.paths),
        s.timeout_ms > 0 ? fmt::format("timeout {} ms", s.timeout_ms) : std::string("no timeout"),
        s.connections,
        s.server_started ? std::string("parkit's loopback server") : "server " + s.url);
    // counts are summed over reps: ok + http err + ... == requests x reps
    Table t({"driver", "requests", "reps", "concurrency", "makespan s [min-max]", "speedup",
             "req/s", "p50 ms", "p99 ms", "in flight", "ok", "http err", "conn err", "timeout",
             "cancelled", "CPU s", "RSS MiB", "note"});
    for (const auto& p : s.points) {
      std::vector<std::string> note;
      if (p.baseline) note.emplace_back("baseline");
      if (jobs.size() > 1) note.push_back(p.job);
      if (!p.warnings.empty())
        note.push_back(
            fmt::format("{} warning{}", p.warnings.size(), p.warnings.size() == 1 ? "" : "s"));
      t.add({p.driver, std::to_string(p.requests), std::to_string(p.reps),
             concurrency_cell(p.max_concurrency, p.driver, p.pool_threads),
             seconds_range(p.makespan), p.speedup ? fmt::format("{:.2f}", *p.speedup) : "-",
             per_second(p.requests_per_s), milliseconds(p.latency.p50), milliseconds(p.latency.p99),
             std::to_string(p.max_in_flight), std::to_string(p.counts.ok),
             std::to_string(p.counts.http_error), std::to_string(p.counts.connection_error),
             std::to_string(p.counts.timeout), std::to_string(p.counts.cancelled),
             cpu_seconds(p.cpu_median_s), mebibytes(p.peak_rss_bytes), joined(note, ", ")});
    }
    out += t.str(1);
  }
  return out;
}

std::string io_study_csv(const std::vector<results::IoStudy>& studies) {
  std::string out =
      "paths,requests,timeout_ms,connections,server_started,url,job,driver,reps,concurrency,"
      "pool_threads,max_concurrency,makespan_median_s,makespan_min_s,makespan_max_s,speedup,"
      "requests_per_s,latency_p50_s,latency_p90_s,latency_p99_s,latency_max_s,max_in_flight,ok,"
      "http_error,connection_error,timeout,cancelled,cpu_median_s,peak_rss_bytes,baseline\n";
  for (const auto& s : studies)
    for (const auto& p : s.points)
      out += fmt::format(
          "{},{},{},{},{},{},{},{},{},{},{},{},{:.9g},{:.9g},{:.9g},{},{:.6g},{:.9g},{:.9g},{:.9g},"
          "{:.9g},{},{},{},{},{},{},{:.6g},{},{}\n",
          csv_field(joined(s.paths, " ")), s.requests, s.timeout_ms, csv_field(s.connections),
          s.server_started ? "true" : "false", csv_field(s.url), csv_field(p.job),
          csv_field(p.driver), p.reps, p.concurrency, p.pool_threads, p.max_concurrency,
          p.makespan.median, p.makespan.min, p.makespan.max,
          p.speedup ? fmt::format("{:.6g}", *p.speedup) : "", p.requests_per_s, p.latency.p50,
          p.latency.p90, p.latency.p99, p.latency.max, p.max_in_flight, p.counts.ok,
          p.counts.http_error, p.counts.connection_error, p.counts.timeout, p.counts.cancelled,
          p.cpu_median_s, p.peak_rss_bytes, p.baseline ? "true" : "false");
  return out;
}

nlohmann::json to_json(const results::IoStudy& s) {
  nlohmann::json points = nlohmann::json::array();
  for (const auto& p : s.points)
    points.push_back({{"job", p.job},
                      {"driver", p.driver},
                      {"requests", p.requests},
                      {"reps", p.reps},
                      {"concurrency", p.concurrency},
                      {"pool_threads", p.pool_threads},
                      {"max_concurrency", p.max_concurrency},
                      {"makespan_median_s", p.makespan.median},
                      {"makespan_min_s", p.makespan.min},
                      {"makespan_max_s", p.makespan.max},
                      {"speedup", optional_json(p.speedup)},
                      {"baseline", p.baseline},
                      {"requests_per_s", p.requests_per_s},
                      {"latency_p50_s", p.latency.p50},
                      {"latency_p90_s", p.latency.p90},
                      {"latency_p99_s", p.latency.p99},
                      {"latency_max_s", p.latency.max},
                      {"latency_count", p.latency.count},
                      {"max_in_flight", p.max_in_flight},
                      {"ok", p.counts.ok},
                      {"http_error", p.counts.http_error},
                      {"connection_error", p.counts.connection_error},
                      {"timeout", p.counts.timeout},
                      {"cancelled", p.counts.cancelled},
                      {"cpu_median_s", p.cpu_median_s},
                      {"peak_rss_bytes", p.peak_rss_bytes},
                      {"warnings", p.warnings}});
  return {{"paths", s.paths},
          {"requests", s.requests},
          {"timeout_ms", s.timeout_ms},
          {"connections", s.connections},
          {"server_started", s.server_started},
          {"url", s.url},
          {"baseline_s", optional_json(s.baseline_s)},
          {"points", points}};
}

std::string io_notes(const std::vector<IoRecord>& records) {
  std::string out;
  for (const auto& r : records)
    for (const auto& w : r.warnings)
      out += fmt::format("note: {} x {}: {}\n", r.driver, r.requests, w);
  return out;
}

nlohmann::json to_json(const IoRecord& r) {
  nlohmann::json reps = nlohmann::json::array();
  for (const IoRep& rep : r.rep_data)
    reps.push_back({{"makespan_s", rep.makespan_s},
                    {"cpu_user_s", rep.cpu_user_s},
                    {"cpu_system_s", rep.cpu_system_s},
                    {"max_in_flight", rep.max_in_flight},
                    {"counts", counts_json(rep.counts)},
                    {"latency_s", rep.latency_s},
                    {"outcome", rep.outcome},
                    {"http_status", rep.http_status}});
  return {{"job", r.job},
          {"driver", r.driver},
          {"url", r.url},
          {"server_started", r.server_started},
          {"paths", r.paths},
          {"requests", r.requests},
          {"concurrency", r.concurrency},
          {"pool_threads", r.pool_threads},
          {"timeout_ms", r.timeout_ms},
          {"connections", r.connections},
          {"reps", r.reps},
          {"warmup", r.warmup},
          {"outcome_names", results::io_outcome_names},
          {"rep_data", reps},
          {"makespan_s", summary_json(r.makespan)},
          {"cpu_s", summary_json(r.cpu_seconds)},
          {"latency_s",
           {{"count", r.latency.count},
            {"p50", r.latency.p50},
            {"p90", r.latency.p90},
            {"p99", r.latency.p99},
            {"max", r.latency.max},
            {"mean", r.latency.mean}}},
          {"max_in_flight", r.max_in_flight},
          {"counts", counts_json(r.counts)},
          {"peak_rss_bytes", r.peak_rss_bytes},
          {"timer_resolution_s", r.timer_resolution},
          {"warnings", r.warnings}};
}

IoRecord io_record_from_json(const nlohmann::json& j) {
  IoRecord r;
  r.job = j.at("job").get<std::string>();
  r.driver = j.at("driver").get<std::string>();
  r.url = j.at("url").get<std::string>();
  r.server_started = j.at("server_started").get<bool>();
  r.paths = j.at("paths").get<std::vector<std::string>>();
  r.requests = j.at("requests").get<std::int64_t>();
  r.concurrency = j.at("concurrency").get<int>();
  r.pool_threads = j.at("pool_threads").get<int>();
  r.timeout_ms = j.at("timeout_ms").get<int>();
  r.connections = j.at("connections").get<std::string>();
  r.reps = j.at("reps").get<int>();
  r.warmup = j.at("warmup").get<int>();
  for (const auto& rep : j.at("rep_data")) {
    IoRep& out = r.rep_data.emplace_back();
    out.makespan_s = number(rep.at("makespan_s"));
    out.cpu_user_s = number(rep.at("cpu_user_s"));
    out.cpu_system_s = number(rep.at("cpu_system_s"));
    out.max_in_flight = rep.at("max_in_flight").get<std::int64_t>();
    out.counts = counts_from_json(rep.at("counts"));
    out.latency_s = doubles_from_json(rep.at("latency_s"));
    out.outcome = rep.at("outcome").get<std::vector<std::uint8_t>>();
    out.http_status = rep.at("http_status").get<std::vector<std::int16_t>>();
  }
  r.makespan = summary_from_json(j.at("makespan_s"));
  r.cpu_seconds = summary_from_json(j.at("cpu_s"));
  const auto& latency = j.at("latency_s");
  r.latency = {latency.at("count").get<std::int64_t>(),
               number(latency.at("p50")),
               number(latency.at("p90")),
               number(latency.at("p99")),
               number(latency.at("max")),
               number(latency.at("mean"))};
  r.max_in_flight = j.at("max_in_flight").get<std::int64_t>();
  r.counts = counts_from_json(j.at("counts"));
  r.peak_rss_bytes = j.at("peak_rss_bytes").get<std::int64_t>();
  r.timer_resolution = number(j.at("timer_resolution_s"));
  r.warnings = j.at("warnings").get<std::vector<std::string>>();
  return r;
}

}  // namespace parkit::cli
