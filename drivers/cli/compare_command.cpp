// SPDX-License-Identifier: MIT
#include "drivers/cli/compare_command.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <map>

#include "drivers/cli/errors.hpp"
#include "drivers/cli/job_output.hpp"
#include "drivers/cli/json_fields.hpp"
#include "drivers/cli/results_io.hpp"
#include "drivers/cli/sizes.hpp"
#include "drivers/cli/text_table.hpp"
#include "parkit/results/compare.hpp"

namespace parkit::cli {
namespace {

using results::Comparison;
using results::Match;
using results::PooledRuns;
using results::RunKind;
using results::Verdict;

/// A finite number, the whole text; nullopt otherwise.
std::optional<double> parse_number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::string key_value(const results::RunKey& key, const std::string& field) {
  for (const auto& [k, v] : key.fields)
    if (k == field) return v;
  return {};
}

/// How a person names the run: "sum_squares threads 1x2 n=2e7", "io pool 100 requests
/// /delay/10 pool=8 keep-alive", "hazard counter mutex 2 threads ops=1e6".
std::string run_label(const results::RunKey& key) {
  const auto f = [&](const char* field) { return key_value(key, field); };
  const auto count = [&](const char* field) { return short_count(std::stoll(f(field))); };
  switch (key.kind) {
    case RunKind::kernel:
      return fmt::format("{} {} {}x{} n={}{}", f("kernel"), f("model"), f("ranks"), f("threads"),
                         count("n"), f("scaling") == "none" ? "" : " " + f("scaling"));
    case RunKind::io: {
      std::string label =
          fmt::format("io {} {} requests {}", f("driver"), f("requests"), f("paths"));
      if (f("concurrency") != "0") label += " concurrency=" + f("concurrency");
      if (f("driver") == "pool") label += " pool=" + f("pool_threads");
      if (f("timeout_ms") != "0") label += " timeout=" + f("timeout_ms") + "ms";
      label += " " + f("connections");
      if (f("server") != "own") label += " external server";
      return label;
    }
    case RunKind::hazard: {
      std::string label = fmt::format("hazard {} {} {} {} ops={}", f("scenario"), f("variant"),
                                      f("threads"), f("runtime"), count("ops"));
      if (f("producers") != "0")
        label += fmt::format(" {}p/{}c capacity={}", f("producers"), f("consumers"), f("capacity"));
      return label;
    }
  }
  return {};
}

std::string reps_cell(const PooledRuns& p) {
  return p.runs == 1 ? std::to_string(p.rep_times.size())
                     : fmt::format("{} ({} runs)", p.rep_times.size(), p.runs);
}

std::string verdict_text(const Match& m) {
  if (m.stats.verdict == Verdict::not_compared)
    return fmt::format("not compared: {}", m.stats.problem);
  return std::string(to_string(m.stats.verdict));
}

std::string interval_text(const results::RatioInterval& i) {
  if (!i.low) return "-";
  return fmt::format("{:.3f}-{:.3f}", *i.low, *i.high);
}

/// "bind: none -> close"
std::string difference_text(const results::Difference& d) {
  return fmt::format("{}: {} -> {}", d.field, d.base, d.fresh);
}

/// The notes of both sides, each starting with its side: "NEW 1 of 2 runs disturbed (...)".
std::vector<std::string> side_notes(const Match& m) {
  std::vector<std::string> notes;
  for (const std::string& note : m.base.notes) notes.push_back("BASE " + note);
  for (const std::string& note : m.fresh.notes) notes.push_back("NEW " + note);
  return notes;
}

bool compared(const Match& m) { return m.stats.verdict != Verdict::not_compared; }

std::string confidence_label(double alpha) { return fmt::format("{:g}% CI", 100 * (1 - alpha)); }

/// "1 slower, 0 faster, 2 no significant change, 0 too few reps" (+ ", 1 not compared").
std::string summary_line(const Comparison& c) {
  std::map<Verdict, int> count;
  for (const Match& m : c.matches) ++count[m.stats.verdict];
  std::string line = fmt::format(
      "{} slower, {} faster, {} no significant change, {} too few reps", count[Verdict::slower],
      count[Verdict::faster], count[Verdict::no_significant_change], count[Verdict::too_few_reps]);
  if (count[Verdict::not_compared] > 0)
    line += fmt::format(", {} not compared", count[Verdict::not_compared]);
  return line;
}

/// Whether some compared match has one run on a side: its p-value then counts only the spread of
/// reps within that run, which on a shared machine is narrower than how far two runs of the same
/// command drift apart (bench/RESULTS.md: up to 10 % between back-to-back runs on a 2-vCPU VM).
bool has_single_run_match(const Comparison& c) {
  return std::any_of(c.matches.begin(), c.matches.end(), [](const Match& m) {
    return compared(m) && (m.base.runs == 1 || m.fresh.runs == 1);
  });
}

constexpr const char* single_run_caution =
    "caution: one run on a side: its p-value counts the spread of reps within that run, not how "
    "far two runs of the same command drift apart on this machine. To compare on a shared "
    "machine, alternate 5 runs of each side, merge each side (parkit merge) and compare the "
    "merged files (README, \"Did it get faster?\").";

struct Settings {
  double alpha = 0.05;
  double threshold = 5;
};

std::string table_text(const std::string& base_file, const std::string& new_file,
                       const Comparison& c, const Settings& s) {
  std::string out = fmt::format("BASE {} vs NEW {} (alpha {:g}, threshold {:g} %)\n\n", base_file,
                                new_file, s.alpha, s.threshold);
  Table t({"run", "base reps", "new reps", "base median s", "new median s", "new/base",
           confidence_label(s.alpha), "p", "verdict"});
  for (const Match& m : c.matches)
    t.add({run_label(m.base.key), reps_cell(m.base), reps_cell(m.fresh),
           compared(m) ? fmt::format("{:.4g}", m.stats.base_median) : "-",
           compared(m) ? fmt::format("{:.4g}", m.stats.new_median) : "-",
           compared(m) ? fmt::format("{:.3f}", m.stats.ratio) : "-",
           compared(m) ? interval_text(m.stats.interval) : "-",
           compared(m) ? fmt::format("{:.2g}", m.stats.test.p) : "-", verdict_text(m)});
  out += t.str(1);
  const auto unmatched = [&](const char* side, const std::string& file,
                             const std::vector<PooledRuns>& runs) {
    if (runs.empty()) return;
    out += fmt::format("\nonly in {} {}:\n", side, file);
    for (const PooledRuns& p : runs)
      out += fmt::format("  {} ({} reps{})\n", run_label(p.key), p.rep_times.size(),
                         p.runs == 1 ? "" : fmt::format(", {} runs", p.runs));
  };
  unmatched("BASE", base_file, c.only_in_base);
  unmatched("NEW", new_file, c.only_in_new);
  std::string differences, notes;
  for (const Match& m : c.matches) {
    for (const auto& d : m.differences)
      differences += fmt::format("  {}: {}\n", run_label(m.base.key), difference_text(d));
    for (const std::string& note : side_notes(m))
      notes += fmt::format("  {}: {}\n", run_label(m.base.key), note);
  }
  if (!differences.empty())
    out += "\nsettings that differ between matched runs (BASE -> NEW):\n" + differences;
  if (!notes.empty()) out += "\nnotes:\n" + notes;
  if (c.base_jobs == 0 || c.new_jobs == 0) {
    out +=
        fmt::format("\nprovenance: not recorded in {}\n", c.base_jobs == 0 ? base_file : new_file);
  } else if (c.provenance.empty()) {
    out += "\nprovenance: the same on both sides\n";
  } else {
    out += "\nprovenance that differs:\n";
    Table p({"field", "BASE", "NEW"});
    for (const auto& d : c.provenance) p.add({d.field, d.base, d.fresh});
    out += p.str(3);
  }
  if (has_single_run_match(c)) out += fmt::format("\n{}\n", single_run_caution);
  out += "\nsummary: " + summary_line(c) + "\n";
  return out;
}

std::string csv_number(double value) { return fmt::format("{:.9g}", value); }

std::string csv_text(const std::string& base_file, const std::string& new_file, const Comparison& c,
                     std::string& provenance_rows) {
  using fields::csv_field;
  std::string out;
  const std::string files = csv_field(base_file) + "," + csv_field(new_file) + ",";
  for (const Match& m : c.matches) {
    std::vector<std::string> differences;
    for (const auto& d : m.differences) differences.push_back(difference_text(d));
    const bool ok = compared(m);
    const auto& i = m.stats.interval;
    out += files +
           fmt::format(
               "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", to_string(m.base.key.kind),
               csv_field(run_label(m.base.key)), m.base.runs, m.base.rep_times.size(), m.fresh.runs,
               m.fresh.rep_times.size(), ok ? csv_number(m.stats.base_median) : "",
               ok ? csv_number(m.stats.new_median) : "", ok ? csv_number(m.stats.ratio) : "",
               ok ? csv_number(i.estimate) : "", ok && i.low ? csv_number(*i.low) : "",
               ok && i.high ? csv_number(*i.high) : "", ok ? csv_number(m.stats.test.p) : "",
               ok ? (m.stats.test.exact ? "exact" : "normal") : "", csv_field(verdict_text(m)),
               csv_field(fmt::format("{}", fmt::join(differences, "; "))),
               csv_field(fmt::format("{}", fmt::join(side_notes(m), "; "))));
  }
  const auto unmatched = [&](const char* verdict, const std::vector<PooledRuns>& runs, bool base) {
    for (const PooledRuns& p : runs)
      out += files + fmt::format("{},{},{},{},{},{},,,,,,,,,{},,\n", to_string(p.key.kind),
                                 csv_field(run_label(p.key)), base ? std::to_string(p.runs) : "",
                                 base ? std::to_string(p.rep_times.size()) : "",
                                 base ? "" : std::to_string(p.runs),
                                 base ? "" : std::to_string(p.rep_times.size()), verdict);
  };
  unmatched("only in base", c.only_in_base, true);
  unmatched("only in new", c.only_in_new, false);
  for (const auto& d : c.provenance)
    provenance_rows +=
        files + csv_field(d.field) + "," + csv_field(d.base) + "," + csv_field(d.fresh) + "\n";
  return out;
}

nlohmann::json side_json(const PooledRuns& p, const results::SampleComparison* stats, bool base) {
  nlohmann::json j = {{"runs", p.runs},
                      {"reps", p.rep_times.size()},
                      {"jobs", p.jobs},
                      {"settings", to_object(p.settings)},
                      {"notes", p.notes}};
  if (stats != nullptr && stats->verdict != Verdict::not_compared)
    j["median_s"] = base ? stats->base_median : stats->new_median;
  return j;
}

nlohmann::json key_json(const results::RunKey& key) {
  return {{"kind", to_string(key.kind)}, {"run", run_label(key)}, {"key", to_object(key.fields)}};
}

nlohmann::json differences_json(const std::vector<results::Difference>& differences) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& d : differences)
    out.push_back({{"field", d.field}, {"base", d.base}, {"new", d.fresh}});
  return out;
}

nlohmann::json comparison_json(const std::string& new_file, const Comparison& c, double alpha) {
  nlohmann::json matches = nlohmann::json::array();
  for (const Match& m : c.matches) {
    nlohmann::json j = key_json(m.base.key);
    j["base"] = side_json(m.base, &m.stats, true);
    j["new"] = side_json(m.fresh, &m.stats, false);
    j["verdict"] = to_string(m.stats.verdict);
    j["differences"] = differences_json(m.differences);
    if (!compared(m)) {
      j["problem"] = m.stats.problem;
    } else {
      const auto& i = m.stats.interval;
      j["ratio"] = m.stats.ratio;
      j["hodges_lehmann_ratio"] = i.estimate;
      j["ci"] = {{"level", 1 - alpha},
                 {"low", fields::optional_json(i.low)},
                 {"high", fields::optional_json(i.high)}};
      j["u"] = m.stats.test.u;
      j["p_value"] = m.stats.test.p;
      j["p_method"] = m.stats.test.exact ? "exact" : "normal";
      j["ties"] = m.stats.test.ties;
      j["smallest_p"] = m.stats.smallest_p;
    }
    matches.push_back(j);
  }
  const auto unmatched = [](const std::vector<PooledRuns>& runs) {
    nlohmann::json out = nlohmann::json::array();
    for (const PooledRuns& p : runs) {
      nlohmann::json j = key_json(p.key);
      j.update(side_json(p, nullptr, true));
      out.push_back(j);
    }
    return out;
  };
  std::map<std::string, int> summary = {{"slower", 0},
                                        {"faster", 0},
                                        {"no significant change", 0},
                                        {"too few reps", 0},
                                        {"not compared", 0}};
  for (const Match& m : c.matches) ++summary[std::string(to_string(m.stats.verdict))];
  return {{"new", new_file},
          {"matches", matches},
          {"only_in_base", unmatched(c.only_in_base)},
          {"only_in_new", unmatched(c.only_in_new)},
          {"provenance",
           {{"recorded", c.base_jobs > 0 && c.new_jobs > 0},
            {"base_jobs", c.base_jobs},
            {"new_jobs", c.new_jobs},
            {"differences", differences_json(c.provenance)}}},
          {"single_run_caution",
           has_single_run_match(c) ? nlohmann::json(single_run_caution) : nlohmann::json(nullptr)},
          {"summary", summary}};
}

std::string runs_text(std::size_t runs) {
  return runs == 1 ? std::string("1 run") : fmt::format("{} runs", runs);
}

/// A file compare can use: readable, parkit's, with runs that have rep times.
results::ResultsFile read_comparable(const std::string& path) {
  results::ResultsFile f = read_any_results(path);  // IoError: missing, damaged, not parkit's
  const std::size_t runs = results::run_count(f);
  if (runs == 0) throw IoError(fmt::format("{}: no runs to compare", path));
  if (results::runs_with_rep_times(f) == 0)
    throw IoError(
        fmt::format("{}: no run has per-rep times ({} read; compare tests each rep's time)", path,
                    runs == 1 ? std::string("1 run") : fmt::format("{} runs", runs)));
  return f;
}

}  // namespace

void add_compare_options(CLI::App& cmd, CompareOptions& o) {
  cmd.add_option("base", o.base, "BASE: the results file to compare against (HDF5 or --json)")
      ->required();
  cmd.add_option("new", o.news, "NEW: results files, each compared with BASE in turn")->required();
  cmd.add_option("--alpha", o.alpha, "Significance level of the Mann-Whitney test, in (0, 1)")
      ->capture_default_str()
      ->envname("PARKIT_ALPHA");
  cmd.add_option("--threshold", o.threshold,
                 "Smallest change that counts, in percent of BASE's median (>= 0)")
      ->capture_default_str()
      ->envname("PARKIT_THRESHOLD");
  cmd.add_option("--format", o.format, "table, csv or json")
      ->capture_default_str()
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->envname("PARKIT_FORMAT");
  cmd.add_flag("--fail-on-regression", o.fail_on_regression,
               "Exit 1 when some run is significantly slower in a NEW file")
      ->envname("PARKIT_FAIL_ON_REGRESSION");
  cmd.footer(
      "Runs match by kernel, model, ranks, threads, n and scaling; I/O runs by workload and "
      "driver; hazard runs by scenario, variant and workload. Runs of one key in one file (a "
      "merged study) are pooled. Runs found on one side only are listed.\n"
      "Verdict per match: slower or faster when the two-sided Mann-Whitney p < alpha and the "
      "ratio of medians NEW/BASE is beyond the threshold; too few reps when even two samples "
      "completely apart could not give p < alpha; else no significant change. The interval is "
      "Hodges-Lehmann's (Moses) at confidence 1 - alpha. Merge NEW files first to pool them.\n"
      "Exit codes: 0 compared (slower included, without --fail-on-regression); 1 "
      "--fail-on-regression and some run is slower; 2 usage error; 4 a file missing, damaged, "
      "not parkit's, without runs or per-rep times, or with no run in common with BASE.");
}

nlohmann::json compare_decision(const CompareOptions& o) {
  const std::optional<double> alpha = parse_number(o.alpha);
  if (!alpha || *alpha <= 0 || *alpha >= 1)
    throw UsageError(fmt::format(
        "--alpha: '{}' is not a significance level (accepted: a number in (0, 1), e.g. 0.05)",
        o.alpha));
  const std::optional<double> threshold = parse_number(o.threshold);
  if (!threshold || *threshold < 0)
    throw UsageError(fmt::format(
        "--threshold: '{}' is not a percentage (accepted: a number >= 0, e.g. 5 for 5 %)",
        o.threshold));
  return {{"command", "compare"},
          {"base", o.base},
          {"new", o.news},
          {"alpha", *alpha},
          {"threshold", *threshold},
          {"format", o.format},
          {"fail_on_regression", o.fail_on_regression}};
}

int compare_command(const nlohmann::json& decision) {
  const Settings s{decision.at("alpha").get<double>(), decision.at("threshold").get<double>()};
  const std::string base_file = decision.at("base").get<std::string>();
  const auto new_files = decision.at("new").get<std::vector<std::string>>();
  const std::string format = decision.at("format").get<std::string>();

  // everything read and compared before anything is printed: a bad file prints one line only
  const results::ResultsFile base = read_comparable(base_file);
  std::vector<Comparison> comparisons;
  for (const std::string& new_file : new_files) {
    const results::ResultsFile fresh = read_comparable(new_file);
    Comparison c = results::compare(base, fresh, s.alpha, s.threshold);
    if (c.matches.empty())
      throw IoError(fmt::format(
          "{} ({}) and {} ({}) have no runs in common (runs match by kernel, model, ranks, "
          "threads, n and scaling; I/O runs by workload and driver; hazard runs by scenario, "
          "variant and workload)",
          base_file, runs_text(results::run_count(base)), new_file,
          runs_text(results::run_count(fresh))));
    comparisons.push_back(std::move(c));
  }

  bool regression = false;
  for (const Comparison& c : comparisons)
    for (const Match& m : c.matches) regression |= m.stats.verdict == Verdict::slower;

  if (format == "json") {
    nlohmann::json list = nlohmann::json::array();
    for (std::size_t i = 0; i < comparisons.size(); ++i)
      list.push_back(comparison_json(new_files[i], comparisons[i], s.alpha));
    std::cout << nlohmann::json{{"parkit", header_json()}, {"base", base_file},
                                {"alpha", s.alpha},        {"threshold_percent", s.threshold},
                                {"comparisons", list},     {"slower", regression}}
                     .dump(2)
              << '\n';
  } else if (format == "csv") {  // matches and unmatched runs; provenance after a blank line
    std::string runs =
        "base_file,new_file,kind,run,base_runs,base_reps,new_runs,new_reps,base_median_s,"
        "new_median_s,ratio,hodges_lehmann_ratio,ci_low,ci_high,p_value,p_method,verdict,"
        "differences,notes\n";
    std::string provenance = "base_file,new_file,field,base,new\n";
    for (std::size_t i = 0; i < comparisons.size(); ++i)
      runs += csv_text(base_file, new_files[i], comparisons[i], provenance);
    std::cout << runs << '\n' << provenance;
  } else {
    for (std::size_t i = 0; i < comparisons.size(); ++i)
      std::cout << (i == 0 ? "" : "\n") << table_text(base_file, new_files[i], comparisons[i], s);
  }
  std::cout.flush();
  return decision.at("fail_on_regression").get<bool>() && regression ? exit_verification_failed
                                                                     : exit_ok;
}

}  // namespace parkit::cli
