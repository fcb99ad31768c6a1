// SPDX-License-Identifier: MIT
#include "drivers/cli/io_output.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "drivers/cli/text_table.hpp"

namespace parkit::cli {
namespace {

using results::IoCounts;
using results::IoRecord;
using results::IoRep;
using results::LatencySummary;
using results::Summary;

std::string milliseconds(double s) { return fmt::format("{:.3g}", 1e3 * s); }

nlohmann::json summary_json(const Summary& s) {
  return {{"min", s.min}, {"median", s.median}, {"mean", s.mean},
          {"max", s.max}, {"stddev", s.stddev}, {"cv", s.cv}};
}

/// JSON has no NaN (nlohmann writes null): read null back as NaN so a round trip stays one.
double number(const nlohmann::json& j) {
  return j.is_null() ? std::numeric_limits<double>::quiet_NaN() : j.get<double>();
}

Summary summary_from_json(const nlohmann::json& j) {
  return {number(j.at("min")), number(j.at("median")), number(j.at("mean")),
          number(j.at("max")), number(j.at("stddev")), number(j.at("cv"))};
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

std::vector<double> doubles_from_json(const nlohmann::json& j) {
  std::vector<double> out;
  out.reserve(j.size());
  for (const auto& v : j) out.push_back(number(v));
  return out;
}

}  // namespace

std::string io_table(const std::vector<IoRecord>& records) {
  Table t({"driver", "requests", "concurrency", "makespan s [min-max]", "req/s", "p50 ms", "p90 ms",
           "p99 ms", "max ms", "in flight", "ok", "http err", "conn err", "timeout", "cancelled",
           "CPU s", "RSS MiB", "connections"});
  for (const auto& r : records) {
    const double median = r.makespan.median;
    t.add({r.driver, std::to_string(r.requests),
           r.concurrency > 0 ? std::to_string(r.concurrency) : "-",
           fmt::format("{:.4g} [{:.4g}-{:.4g}]", median, r.makespan.min, r.makespan.max),
           median > 0 ? fmt::format("{:.0f}", static_cast<double>(r.requests) / median) : "-",
           milliseconds(r.latency.p50), milliseconds(r.latency.p90), milliseconds(r.latency.p99),
           milliseconds(r.latency.max), std::to_string(r.max_in_flight),
           std::to_string(r.counts.ok), std::to_string(r.counts.http_error),
           std::to_string(r.counts.connection_error), std::to_string(r.counts.timeout),
           std::to_string(r.counts.cancelled), fmt::format("{:.3g}", r.cpu_seconds.median),
           fmt::format("{:.1f}", static_cast<double>(r.peak_rss_bytes) / (1 << 20)),
           r.connections});
  }
  return t.str(1);
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
