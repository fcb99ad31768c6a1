// SPDX-License-Identifier: MIT
#include "drivers/cli/output.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "drivers/cli/json_fields.hpp"
#include "drivers/cli/sizes.hpp"
#include "drivers/cli/text_table.hpp"

namespace parkit::cli {
namespace {

std::string seconds(double s) { return fmt::format("{:.4g}", s); }
std::string rate(double r) { return r > 0 ? fmt::format("{:.2f}", r) : "-"; }

/// The run table's "disturbed" cell: "-" not recorded, "no" quiet, else "N/M" reps.
std::string disturbed_cell(const measure::Interference& in) {
  if (!in.recorded()) return "-";
  const int n = in.disturbed_reps();
  return n == 0 ? "no" : fmt::format("{}/{}", n, in.disturbed.size());
}

/// Rows of doubles, NaN written as null (JSON has no NaN; double_rows_from_json reads it back).
nlohmann::json double_rows_json(const std::vector<std::vector<double>>& rows) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& row : rows) {
    nlohmann::json values = nlohmann::json::array();
    for (const double v : row)
      values.push_back(std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v));
    out.push_back(std::move(values));
  }
  return out;
}

std::vector<std::vector<double>> double_rows_from_json(const nlohmann::json& j) {
  std::vector<std::vector<double>> rows;
  for (const auto& row : j) rows.push_back(fields::doubles_from_json(row));
  return rows;
}

nlohmann::json interference_json(const measure::Interference& in) {
  nlohmann::json j = {{"verdict", in.verdict()}, {"disturbed_reps", in.disturbed_reps()}};
  if (!in.recorded()) return j;
  j["reps"] = in.disturbed.size();
  j["disturbed"] = in.disturbed;
  j["run_delay"] = double_rows_json(in.run_delay);
  j["involuntary_switches"] = in.involuntary_switches;
  j["migrations"] = in.migrations;
  j["steal"] = double_rows_json(in.steal);
  j["cpu_pressure"] = double_rows_json(in.cpu_pressure);
  if (!in.others_before.empty()) {
    j["others_before"] = in.others_before;
    j["others_after"] = in.others_after;
    j["host_cpus"] = in.host_cpus;
    j["host_workers"] = in.host_workers;
  }
  return j;
}

/// The inverse of interference_json; an absent object or one without "disturbed" (JSON from
/// before it, or not recorded) gives an empty Interference.
measure::Interference interference_from_json(const nlohmann::json& run) {
  measure::Interference in;
  if (!run.contains("interference") || !run.at("interference").contains("disturbed")) return in;
  const nlohmann::json& j = run.at("interference");
  in.run_delay = double_rows_from_json(j.at("run_delay"));
  in.involuntary_switches =
      j.at("involuntary_switches").get<std::vector<std::vector<std::int64_t>>>();
  in.migrations = j.at("migrations").get<std::vector<std::vector<std::int64_t>>>();
  in.steal = double_rows_from_json(j.at("steal"));
  in.cpu_pressure = double_rows_from_json(j.at("cpu_pressure"));
  if (j.contains("others_before")) {  // not in the JSON of parkit before schema version 5
    using Rows = std::vector<std::vector<std::int64_t>>;
    in.others_before = j.at("others_before").get<Rows>();
    in.others_after = j.at("others_after").get<Rows>();
    in.host_cpus = j.at("host_cpus").get<std::vector<std::int64_t>>();
    in.host_workers = j.at("host_workers").get<std::vector<std::int64_t>>();
  }
  in.disturbed = j.at("disturbed").get<std::vector<bool>>();
  return in;
}

}  // namespace

void attach_triad_percentages(std::vector<measure::RunRecord>& records) {
  for (auto& r : records) {
    if (!r.bandwidth_bound || r.kernel == "triad") continue;
    const auto triad = std::find_if(records.begin(), records.end(), [&](const auto& t) {
      return t.kernel == "triad" && t.model == r.model && t.ranks == r.ranks &&
             t.threads == r.threads && t.verified && t.gbytes_per_s > 0;
    });
    if (triad != records.end()) r.percent_of_triad = 100 * r.gbytes_per_s / triad->gbytes_per_s;
  }
}

std::string runs_table(const std::vector<measure::RunRecord>& records) {
  Table t({"kernel", "model", "ranks", "threads", "n", "median s", "min s", "max s", "cv %",
           "outliers", "disturbed", "GB/s", "GFLOP/s", "% triad", "ok", "result"});
  for (const auto& r : records)
    t.add({r.kernel, r.model, std::to_string(r.ranks), std::to_string(r.threads),
           short_count(r.n_global), seconds(r.time.median), seconds(r.time.min),
           seconds(r.time.max), fmt::format("{:.1f}", 100 * r.time.cv),
           std::to_string(std::count(r.outliers.begin(), r.outliers.end(), true)),
           disturbed_cell(r.interference), rate(r.gbytes_per_s), rate(r.gflops_per_s),
           r.percent_of_triad ? fmt::format("{:.0f}", *r.percent_of_triad) : "-",
           r.verified ? "yes" : "NO",
           r.verified ? r.observed : r.observed + ", want " + r.expected});
  return t.str();
}

std::string scaling_table(const std::vector<results::Study>& studies,
                          const std::vector<std::string>& interference_at) {
  std::string out;
  for (const auto& s : studies) {
    // a disturbed point's time gets a "*" (quiet ones a space, so the digits stay aligned) and
    // a footnote under the table
    const bool any_disturbed =
        std::any_of(s.points.begin(), s.points.end(), [](const auto& p) { return p.disturbed; });
    std::string footnotes;
    const auto& base = s.points.front();
    const std::string size = s.scaling == "weak"
                                 ? short_count(base.n_global / base.workers) + " per worker"
                                 : short_count(base.n_global);
    out += fmt::format("\n{} / {}: {} scaling, n = {}\n", s.kernel, s.model, s.scaling, size);
    Table t({"workers", "ranks x threads", "median s", "speedup", "efficiency", "serial fraction",
             "ok", "note"});
    for (const auto& p : s.points) {
      const bool disturbed = p.disturbed;
      const std::string mark = disturbed ? "*" : (any_disturbed ? " " : "");
      t.add({std::to_string(p.workers), fmt::format("{} x {}", p.ranks, p.threads),
             seconds(p.time) + mark, fmt::format("{:.2f}", p.speedup),
             fmt::format("{:.2f}", p.efficiency),
             p.serial_fraction ? fmt::format("{:.3f}", *p.serial_fraction) : "-",
             p.verified ? "yes" : "NO", p.oversubscribed ? "oversubscribed" : ""});
      if (disturbed)
        footnotes += fmt::format(
            "* {} worker{} ({} x {}): disturbed: other work had the CPUs in {} of {} reps{}\n",
            p.workers, p.workers == 1 ? "" : "s", p.ranks, p.threads, p.disturbed_reps,
            p.interference_reps,
            p.run < interference_at.size() ? " (see " + interference_at[p.run] + ")" : "");
    }
    out += t.str(0) + footnotes;
    if (s.amdahl_serial_fraction)
      out += fmt::format("Amdahl fit: serial fraction {:.4f}, speedup limit {}\n",
                         *s.amdahl_serial_fraction,
                         s.amdahl_limit ? fmt::format("{:.1f}", *s.amdahl_limit) : "none");
    if (!s.invariant_holds) out += "warning: " + s.invariant_note + "\n";
  }
  return out;
}

std::string notes(const std::vector<measure::RunRecord>& records,
                  const std::vector<Skipped>& skipped) {
  std::string out;
  for (const auto& s : skipped) out += fmt::format("skipped {}: {}\n", s.what, s.reason);
  for (const auto& r : records)
    for (const auto& w : r.warnings)
      out += fmt::format("note: {} / {} / {} x {}: {}\n", r.kernel, r.model, r.ranks, r.threads, w);
  return out;
}

nlohmann::json to_json(const measure::RunRecord& r) {
  nlohmann::json placement = nlohmann::json::array();
  for (std::size_t rank = 0; rank < r.placement.size(); ++rank)
    placement.push_back({{"rank", rank},
                         {"host", r.placement[rank].host},
                         {"local_rank", r.placement[rank].local_rank},
                         {"thread_cpus", r.placement[rank].thread_cpus}});
  nlohmann::json j = {{"kernel", r.kernel},
                      {"model", r.model},
                      {"scaling", r.scaling},
                      {"n_global", r.n_global},
                      {"n_per_rank", r.n_per_rank},
                      {"ranks", r.ranks},
                      {"threads", r.threads},
                      {"bind", r.bind},
                      {"placement", placement},
                      {"oversubscribed", r.oversubscribed},
                      {"reps", r.reps},
                      {"warmup", r.warmup},
                      {"rep_seconds", r.rep_times},
                      {"rank_seconds", r.rank_times},
                      {"rep_rank_min_seconds", r.rep_rank_min},
                      {"rep_rank_mean_seconds", r.rep_rank_mean},
                      {"imbalance", r.imbalance},
                      {"outliers", r.outliers},
                      {"time",
                       {{"min", r.time.min},
                        {"median", r.time.median},
                        {"mean", r.time.mean},
                        {"max", r.time.max},
                        {"stddev", r.time.stddev},
                        {"cv", r.time.cv}}},
                      {"timer_resolution_s", r.timer_resolution},
                      {"verification",
                       {{"verified", r.verified},
                        {"failed_reps", r.failed_reps},
                        {"expected", r.expected},
                        {"observed", r.observed}}},
                      {"kernel_build", r.kernel_build},
                      {"interference", interference_json(r.interference)},
                      {"rates",
                       {{"bytes_per_elem", r.bytes_per_elem},
                        {"flops_per_elem", r.flops_per_elem},
                        {"gbytes_per_s", r.gbytes_per_s},
                        {"gflops_per_s", r.gflops_per_s},
                        {"ns_per_elem", r.ns_per_elem}}},
                      {"warnings", r.warnings}};
  j["rates"]["percent_of_triad"] =
      r.percent_of_triad ? nlohmann::json(*r.percent_of_triad) : nlohmann::json(nullptr);
  return j;
}

measure::RunRecord record_from_json(const nlohmann::json& j) {
  measure::RunRecord r;
  r.kernel = j.at("kernel").get<std::string>();
  r.model = j.at("model").get<std::string>();
  r.scaling = j.at("scaling").get<std::string>();
  r.n_global = j.at("n_global").get<std::int64_t>();
  r.n_per_rank = j.at("n_per_rank").get<std::int64_t>();
  r.ranks = j.at("ranks").get<int>();
  r.threads = j.at("threads").get<unsigned>();
  // what compare names when it differs (absent from the JSON of older parkits)
  r.bind = j.value("bind", std::string("none"));
  r.warmup = j.value("warmup", 0);
  r.kernel_build = j.value("kernel_build", std::string());
  for (const auto& rank : j.value("placement", nlohmann::json::array()))
    r.placement.push_back({rank.at("host").get<std::string>(), rank.at("local_rank").get<int>(),
                           rank.at("thread_cpus").get<std::vector<std::string>>()});
  r.rep_times = j.at("rep_seconds").get<std::vector<double>>();
  r.time = measure::summarize(r.rep_times);
  r.verified = j.at("verification").at("verified").get<bool>();
  r.oversubscribed = j.value("oversubscribed", false);
  r.expected = j.at("verification").at("expected").get<std::string>();
  r.observed = j.at("verification").at("observed").get<std::string>();
  r.interference = interference_from_json(j);
  return r;
}

std::string scaling_csv(const std::vector<results::Study>& studies) {
  std::string out =
      "kernel,model,scaling,workers,ranks,threads,n_global,median_s,speedup,efficiency,"
      "serial_fraction,verified,oversubscribed,invariant_holds,interference\n";
  for (const auto& s : studies)
    for (const auto& p : s.points)
      out += fmt::format("{},{},{},{},{},{},{},{:.9g},{:.6g},{:.6g},{},{},{},{},{}\n", s.kernel,
                         s.model, s.scaling, p.workers, p.ranks, p.threads, p.n_global, p.time,
                         p.speedup, p.efficiency,
                         p.serial_fraction ? fmt::format("{:.6g}", *p.serial_fraction) : "",
                         p.verified ? "true" : "false", p.oversubscribed ? "true" : "false",
                         s.invariant_holds ? "true" : "false", fields::csv_field(p.interference));
  return out;
}

nlohmann::json to_json(const results::Study& s) {
  nlohmann::json points = nlohmann::json::array();
  for (const auto& p : s.points)
    points.push_back({{"workers", p.workers},
                      {"ranks", p.ranks},
                      {"threads", p.threads},
                      {"n_global", p.n_global},
                      {"median_s", p.time},
                      {"speedup", p.speedup},
                      {"efficiency", p.efficiency},
                      {"serial_fraction", p.serial_fraction ? nlohmann::json(*p.serial_fraction)
                                                            : nlohmann::json(nullptr)},
                      {"verified", p.verified},
                      {"oversubscribed", p.oversubscribed},
                      {"interference", p.interference},
                      {"disturbed_reps", p.disturbed_reps}});
  return {{"kernel", s.kernel},
          {"model", s.model},
          {"scaling", s.scaling},
          {"points", points},
          {"invariant_holds", s.invariant_holds},
          {"invariant_note", s.invariant_note}};
}

nlohmann::json to_json(const std::vector<Skipped>& skipped) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : skipped) out.push_back({{"what", s.what}, {"reason", s.reason}});
  return out;
}

}  // namespace parkit::cli
