// SPDX-License-Identifier: MIT
#include "drivers/cli/html_report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <system_error>
#include <utility>
#include <vector>

#include "drivers/cli/errors.hpp"
#include "drivers/cli/sizes.hpp"
#include "drivers/cli/svg_plot.hpp"
#include "drivers/cli/text_table.hpp"
#include "parkit/results/atomic_file.hpp"

namespace parkit::cli {
namespace {

using results::HazardStudy;
using results::IoStudy;
using results::Study;

// ---------------------------------------------------------------------------------------------
// Cells and tables

/// A table cell: its text, and for a number the exact value the page sorts by (data-value).
struct Cell {
  std::string text;
  std::optional<double> value{};
};

Cell text_cell(std::string text) { return {std::move(text)}; }

/// A number shown as `shown`, sorted by `value`; not-a-number values sort as text.
Cell number_cell(double value, std::string shown) {
  if (!std::isfinite(value)) return {std::move(shown)};
  return {std::move(shown), value};
}

Cell count_cell(std::int64_t n) { return number_cell(static_cast<double>(n), std::to_string(n)); }

/// A sortable table: header cells, then rows with optional attributes of their own (class,
/// data-point).
class HtmlTable {
 public:
  HtmlTable(std::string css_class, std::vector<std::string> header)
      : css_class_(std::move(css_class)), header_(std::move(header)) {}

  void add(std::vector<Cell> cells, std::string row_attributes = "") {
    rows_.push_back({std::move(cells), std::move(row_attributes)});
  }

  [[nodiscard]] std::string str() const {
    std::string out =
        fmt::format("<div class=\"scroll\"><table class=\"sortable {}\">\n<thead><tr>", css_class_);
    for (const std::string& h : header_) out += "<th scope=\"col\">" + escape_markup(h) + "</th>";
    out += "</tr></thead>\n<tbody>\n";
    for (const auto& [cells, attributes] : rows_) {
      out += "<tr" + attributes + ">";
      for (const Cell& c : cells)
        out += c.value ? fmt::format("<td class=\"num\" data-value=\"{:.17g}\">{}</td>", *c.value,
                                     escape_markup(c.text))
                       : "<td>" + escape_markup(c.text) + "</td>";
      out += "</tr>\n";
    }
    return out + "</tbody>\n</table></div>\n";
  }

 private:
  struct Row {
    std::vector<Cell> cells;
    std::string attributes;
  };
  std::string css_class_;
  std::vector<std::string> header_;
  std::vector<Row> rows_;
};

std::string paragraph(const std::string& css_class, const std::string& text) {
  return fmt::format("<p class=\"{}\">{}</p>\n", css_class, escape_markup(text));
}

std::string list_of(const std::vector<std::string>& items) {
  std::string out = "<ul>\n";
  for (const std::string& item : items) out += "<li>" + escape_markup(item) + "</li>\n";
  return out + "</ul>\n";
}

// ---------------------------------------------------------------------------------------------
// Number formats (the text report's, so both say the same)

std::string seconds(double s) { return fmt::format("{:.4g}", s); }
std::string ratio(double r) { return fmt::format("{:.2f}", r); }
std::string milliseconds(double s) {
  const double ms = 1e3 * s;
  return ms >= 10 ? fmt::format("{:.1f}", ms) : fmt::format("{:.3f}", ms);
}
std::string plural(std::size_t n, const char* one, const char* many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

std::string study_label(const Study& s) {
  return fmt::format("{} / {} ({})", s.kernel, s.model, s.scaling);
}

std::string point_label(const Study& s, const results::ScalingPoint& p) {
  return fmt::format("{} / {}, {} ({} x {})", s.kernel, s.model,
                     plural(static_cast<std::size_t>(p.workers), "worker", "workers"), p.ranks,
                     p.threads);
}

/// The interference cell: the verdict, or "-" when nothing was recorded.
std::string interference_cell(const results::ScalingPoint& p) {
  return p.interference_reps == 0 ? "-" : p.interference;
}

// ---------------------------------------------------------------------------------------------
// Scaling: plots and one table per study

/// Speedup and efficiency against workers, one series per study, as plot_scaling.py draws them:
/// ideal lines (strong: linear from the baseline; weak: 1), x on a log2 scale when the workers
/// span more than 8x, oversubscribed points hollow, unverified ones crossed, and here also the
/// disturbed ones ringed and each strong study's Amdahl fit dotted.
std::string scaling_plots(std::span<const Study> studies) {
  std::set<double> worker_counts;
  for (const Study& s : studies)
    for (const auto& p : s.points) worker_counts.insert(p.workers);
  const std::vector<double> workers(worker_counts.begin(), worker_counts.end());
  const bool log2_x = workers.back() / workers.front() > 8;
  const svg::MarkerMeanings markers{"oversubscribed", "not verified", "disturbed"};

  svg::LinePlot speedup{.id = "speedup-plot",
                        .title = "Speedup",
                        .x_label = "workers (ranks x threads)",
                        .y_label = "speedup (x, vs. fewest workers)",
                        .markers = markers,
                        .log2_x = log2_x,
                        .x_ticks = workers};
  svg::LinePlot efficiency{.id = "efficiency-plot",
                           .title = "Efficiency",
                           .x_label = "workers (ranks x threads)",
                           .y_label = "parallel efficiency (fraction of ideal)",
                           .markers = markers,
                           .log2_x = log2_x,
                           .x_ticks = workers};

  // one ideal line per (scaling, baseline workers); labelled once per scaling mode
  std::set<std::pair<std::string, int>> ideals;
  for (const Study& s : studies) ideals.emplace(s.scaling, s.points.front().workers);
  const bool both_modes = ideals.begin()->first != ideals.rbegin()->first;
  std::set<std::string> labelled;
  for (const auto& [scaling, base] : ideals) {
    const bool strong = scaling == "strong";
    svg::Series ideal{.style = strong ? svg::LineStyle::dashed : svg::LineStyle::dotted,
                      .colour = "#000000"};
    if (labelled.insert(scaling).second)
      ideal.label = both_modes ? "ideal (" + scaling + ")" : "ideal";
    for (const double w : workers) ideal.points.push_back({.x = w, .y = strong ? w / base : 1.0});
    speedup.series.push_back(std::move(ideal));
  }
  efficiency.series.push_back(
      {.label = "ideal",
       .points = {{.x = workers.front(), .y = 1.0}, {.x = workers.back(), .y = 1.0}},
       .style = svg::LineStyle::dashed});

  bool any_fit = false;
  for (std::size_t i = 0; i < studies.size(); ++i) {
    const Study& s = studies[i];
    const std::string colour = svg::palette(i);
    svg::Series speedups{.label = study_label(s), .colour = colour};
    svg::Series efficiencies{.label = study_label(s), .colour = colour};
    for (const auto& p : s.points) {
      std::string tooltip =
          fmt::format("{}: speedup {}, efficiency {}, median {} s", point_label(s, p),
                      ratio(p.speedup), ratio(p.efficiency), seconds(p.time));
      if (p.disturbed) tooltip += ", " + p.interference;
      if (p.oversubscribed) tooltip += ", oversubscribed";
      if (!p.verified) tooltip += ", NOT VERIFIED";
      const svg::PlotPoint point{.tooltip = tooltip,
                                 .hollow = p.oversubscribed,
                                 .crossed = !p.verified,
                                 .ringed = p.disturbed};
      svg::PlotPoint at_speedup = point, at_efficiency = point;
      at_speedup.x = at_efficiency.x = p.workers;
      at_speedup.y = p.speedup;
      at_efficiency.y = p.efficiency;
      speedups.points.push_back(std::move(at_speedup));
      efficiencies.points.push_back(std::move(at_efficiency));
    }
    speedup.series.push_back(std::move(speedups));
    efficiency.series.push_back(std::move(efficiencies));

    // the fitted Amdahl curve from the baseline to the study's most workers
    if (!s.amdahl_serial_fraction || s.points.size() < 2) continue;
    const double base = s.points.front().workers, last = s.points.back().workers;
    svg::Series fit{.style = svg::LineStyle::dotted, .colour = colour};
    constexpr int samples = 32;
    for (int k = 0; k <= samples; ++k) {
      const double t = static_cast<double>(k) / samples;
      const double w = log2_x ? base * std::pow(last / base, t) : base + t * (last - base);
      fit.points.push_back(
          {.x = w, .y = results::amdahl_speedup(*s.amdahl_serial_fraction, w / base)});
    }
    speedup.series.push_back(std::move(fit));
    any_fit = true;
  }
  if (any_fit)  // one legend entry for every study's dotted fit
    speedup.series.push_back({.label = "Amdahl fit (dotted, in its study's colour)",
                              .style = svg::LineStyle::dotted,
                              .colour = "#555555"});
  return "<div class=\"plots\">\n" + svg::render(speedup) + svg::render(efficiency) + "</div>\n";
}

std::string scaling_study(const Study& s, std::size_t index) {
  const auto& base = s.points.front();
  const bool weak = s.scaling == "weak";
  const std::string size =
      weak ? short_count(base.n_global / base.workers) + " per worker" : short_count(base.n_global);
  std::string out = fmt::format(
      "<article class=\"study\" id=\"study-{}\" data-kind=\"scaling\" data-study=\"{}\">\n"
      "<h3><span class=\"swatch\" style=\"background:{}\"></span>{} / {} <span class=\"sub\">{} "
      "scaling, n = {}</span></h3>\n",
      index + 1, escape_markup(study_label(s)), svg::palette(index), escape_markup(s.kernel),
      escape_markup(s.model), escape_markup(s.scaling), escape_markup(size));
  HtmlTable t("scaling", {"workers", "ranks x threads", "n", "median s", "speedup", "efficiency",
                          "serial fraction (Karp-Flatt)", "verified", "interference", "note"});
  for (const auto& p : s.points) {
    std::vector<std::string> notes;
    if (p.oversubscribed) notes.emplace_back("oversubscribed");
    if (&p == &s.points.front()) notes.emplace_back("baseline");
    std::string row_class = p.verified ? (p.disturbed ? "disturbed" : "") : "failed";
    t.add({count_cell(p.workers), text_cell(fmt::format("{} x {}", p.ranks, p.threads)),
           number_cell(static_cast<double>(p.n_global), short_count(p.n_global)),
           number_cell(p.time, seconds(p.time)), number_cell(p.speedup, ratio(p.speedup)),
           number_cell(p.efficiency, ratio(p.efficiency)),
           p.serial_fraction
               ? number_cell(*p.serial_fraction, fmt::format("{:.3f}", *p.serial_fraction))
               : text_cell("-"),
           text_cell(p.verified ? "yes" : "NO"), text_cell(interference_cell(p)),
           text_cell(fmt::format("{}", fmt::join(notes, ", ")))},
          fmt::format(" data-point data-run=\"{}\"{}", p.run,
                      row_class.empty() ? "" : " class=\"" + row_class + "\""));
  }
  out += t.str();
  if (s.amdahl_serial_fraction)
    out += paragraph("fit",
                     fmt::format("Amdahl fit: serial fraction {:.4f}, speedup limit {}",
                                 *s.amdahl_serial_fraction,
                                 s.amdahl_limit ? fmt::format("{:.1f}", *s.amdahl_limit) : "none"));
  else
    out += paragraph("fit", weak ? "Amdahl fit: none (weak scaling)"
                                 : "Amdahl fit: none (no point beyond the baseline)");
  out += s.invariant_holds
             ? paragraph("invariant ok",
                         weak ? fmt::format("Invariant holds: n per worker is {} at every point",
                                            short_count(base.n_global / base.workers))
                              : fmt::format("Invariant holds: n global is {} at every point",
                                            short_count(base.n_global)))
             : paragraph("invariant broken", "Invariant broken: " + s.invariant_note);
  return out + "</article>\n";
}

std::string kernel_runs_table(std::span<const measure::RunRecord> runs) {
  HtmlTable t("runs", {"kernel", "model", "job", "ranks", "threads", "n", "median s", "min s",
                       "max s", "cv %", "outliers", "disturbed reps", "GB/s", "GFLOP/s", "% triad",
                       "verified", "result"});
  for (const auto& r : runs) {
    const auto outliers = std::count(r.outliers.begin(), r.outliers.end(), true);
    const auto& in = r.interference;
    const Cell disturbed =
        in.recorded() ? number_cell(in.disturbed_reps(),
                                    fmt::format("{}/{}", in.disturbed_reps(), in.disturbed.size()))
                      : text_cell("-");
    const auto rate = [](double v) { return v > 0 ? number_cell(v, ratio(v)) : text_cell("-"); };
    t.add(
        {text_cell(r.kernel), text_cell(r.model), text_cell(r.job), count_cell(r.ranks),
         count_cell(r.threads),
         number_cell(static_cast<double>(r.n_global), short_count(r.n_global)),
         number_cell(r.time.median, seconds(r.time.median)),
         number_cell(r.time.min, seconds(r.time.min)), number_cell(r.time.max, seconds(r.time.max)),
         number_cell(100 * r.time.cv, fmt::format("{:.1f}", 100 * r.time.cv)), count_cell(outliers),
         disturbed, rate(r.gbytes_per_s), rate(r.gflops_per_s),
         r.percent_of_triad
             ? number_cell(*r.percent_of_triad, fmt::format("{:.0f}", *r.percent_of_triad))
             : text_cell("-"),
         text_cell(r.verified ? "yes" : "NO"),
         text_cell(r.verified ? r.observed : r.observed + ", want " + r.expected)},
        r.verified ? "" : " class=\"failed\"");
  }
  return t.str();
}

// ---------------------------------------------------------------------------------------------
// I/O and hazard studies

std::string io_study(const IoStudy& s, std::size_t index) {
  std::set<std::string> jobs;
  for (const auto& p : s.points) jobs.insert(p.job);
  const bool show_jobs = jobs.size() > 1;
  std::string paths;
  for (std::size_t i = 0; i < s.paths.size() && i < 6; ++i) paths += (i ? " " : "") + s.paths[i];
  if (s.paths.size() > 6) paths += fmt::format(" ... ({} paths)", s.paths.size());
  const std::string label = fmt::format("I/O: {} requests per rep of {}", s.requests, paths);
  std::string out = fmt::format(
      "<article class=\"study\" id=\"io-study-{}\" data-kind=\"io\" data-study=\"{}\">\n"
      "<h3>{} <span class=\"sub\">{}, {}, {}</span></h3>\n",
      index + 1, escape_markup(label), escape_markup(label),
      escape_markup(s.timeout_ms > 0 ? fmt::format("timeout {} ms", s.timeout_ms) : "no timeout"),
      escape_markup(s.connections),
      escape_markup(s.server_started ? "parkit's loopback server" : "server " + s.url));
  std::vector<std::string> header{"driver"};
  if (show_jobs) header.emplace_back("job");
  for (const char* h : {"requests", "reps", "concurrency", "median makespan s", "min s", "max s",
                        "speedup", "req/s", "p50 ms", "p99 ms", "in flight", "ok", "http err",
                        "conn err", "timeout", "cancelled", "CPU s", "RSS MiB", "note"})
    header.emplace_back(h);
  HtmlTable t("io", std::move(header));
  for (const auto& p : s.points) {
    std::vector<std::string> notes;
    if (p.baseline) notes.emplace_back("baseline");
    notes.insert(notes.end(), p.warnings.begin(), p.warnings.end());
    std::vector<Cell> row{text_cell(p.driver)};
    if (show_jobs) row.push_back(text_cell(p.job));
    for (Cell c :
         {count_cell(p.requests), count_cell(p.reps),
          p.driver == "pool"
              ? number_cell(static_cast<double>(p.max_concurrency),
                            fmt::format("{} ({} threads)", p.max_concurrency, p.pool_threads))
              : count_cell(p.max_concurrency),
          number_cell(p.makespan.median, fmt::format("{:.3f}", p.makespan.median)),
          number_cell(p.makespan.min, fmt::format("{:.3f}", p.makespan.min)),
          number_cell(p.makespan.max, fmt::format("{:.3f}", p.makespan.max)),
          p.speedup ? number_cell(*p.speedup, ratio(*p.speedup)) : text_cell("-"),
          number_cell(p.requests_per_s, fixed(p.requests_per_s)),
          number_cell(p.latency.p50, milliseconds(p.latency.p50)),
          number_cell(p.latency.p99, milliseconds(p.latency.p99)), count_cell(p.max_in_flight),
          count_cell(p.counts.ok), count_cell(p.counts.http_error),
          count_cell(p.counts.connection_error), count_cell(p.counts.timeout),
          count_cell(p.counts.cancelled),
          number_cell(p.cpu_median_s, fmt::format("{:.3f}", p.cpu_median_s)),
          number_cell(static_cast<double>(p.peak_rss_bytes),
                      fmt::format("{:.1f}", static_cast<double>(p.peak_rss_bytes) / (1 << 20))),
          text_cell(fmt::format("{}", fmt::join(notes, "; ")))})
      row.push_back(std::move(c));
    t.add(std::move(row), " data-point");
  }
  return out + t.str() + "</article>\n";
}

/// The heading's parameters: workers and ops, the queue's shape, or the booking's tickets.
std::string hazard_parameters(const HazardStudy& s) {
  if (s.producers > 0 || s.consumers > 0)
    return fmt::format("{} producers + {} consumers, capacity {}, {} ops per producer", s.producers,
                       s.consumers, s.capacity, s.ops);
  if (s.scenario == "booking") return fmt::format("{} workers, {} tickets", s.threads, s.ops);
  return fmt::format("{} workers, {} ops per worker", s.threads, s.ops);
}

std::string hazard_study(const HazardStudy& s, std::size_t index) {
  std::set<std::string> jobs;
  for (const auto& p : s.points) jobs.insert(p.job);
  const bool show_jobs = jobs.size() > 1;
  const std::string label = "Hazard: " + s.scenario;
  std::string out = fmt::format(
      "<article class=\"study\" id=\"hazard-study-{}\" data-kind=\"hazard\" data-study=\"{}\">\n"
      "<h3>{} <span class=\"sub\">{}</span></h3>\n",
      index + 1, escape_markup(label + ", " + hazard_parameters(s)), escape_markup(label),
      escape_markup(hazard_parameters(s)));
  std::vector<std::string> header{"variant", "runtime"};
  if (show_jobs) header.emplace_back("job");
  for (const char* h : {"design", "reps", "anomalies", "reps hit", "median s", "ns/op",
                        "cost vs fastest safe", "verdict"})
    header.emplace_back(h);
  HtmlTable t("hazard", std::move(header));
  for (const auto& p : s.points) {
    std::vector<Cell> row{text_cell(p.variant), text_cell(p.runtime)};
    if (show_jobs) row.push_back(text_cell(p.job));
    Cell cost = text_cell("-");
    if (p.fastest_safe)
      cost = text_cell("fastest safe");
    else if (p.cost_vs_fastest_safe && s.fastest_safe_variant)
      cost = number_cell(
          *p.cost_vs_fastest_safe,
          fmt::format("{}x {}", fixed(*p.cost_vs_fastest_safe), *s.fastest_safe_variant));
    const std::string anomalies = p.anomalies_total == 0 || p.anomaly.empty()
                                      ? std::to_string(p.anomalies_total)
                                      : fmt::format("{} {}", p.anomalies_total, p.anomaly);
    for (Cell c :
         {text_cell(p.expected_safe ? "safe" : "unsafe"), count_cell(p.reps),
          number_cell(static_cast<double>(p.anomalies_total), anomalies),
          number_cell(p.reps_with_anomalies, fmt::format("{}/{}", p.reps_with_anomalies, p.reps)),
          number_cell(p.time.median, fmt::format("{:.4g}", p.time.median)),
          number_cell(p.ns_per_op, fixed(p.ns_per_op)), cost,
          text_cell((p.failed ? "FAILED: " : "") + p.verdict)})
      row.push_back(std::move(c));
    t.add(std::move(row), p.failed ? " data-point class=\"failed\"" : " data-point");
  }
  return out + t.str() + "</article>\n";
}

// ---------------------------------------------------------------------------------------------
// Notes and provenance

std::string notes_section(const ReportContents& c) {
  std::string out = "<section id=\"notes\">\n<h2>Notes</h2>\n";

  // disturbed points: the interference verdict of every point whose median other work inflated
  std::vector<std::string> disturbed;
  std::size_t not_recorded = 0;
  for (const Study& s : c.studies)
    for (const auto& p : s.points) {
      if (p.interference_reps == 0) ++not_recorded;
      if (!p.disturbed) continue;
      disturbed.push_back(fmt::format(
          "{}: {}: other work had the CPUs in {} of {} reps, so its time (and every ratio taken "
          "from it) is inflated{}",
          point_label(s, p), p.interference, p.disturbed_reps, p.interference_reps,
          p.run < c.interference_at.size() ? " (see " + c.interference_at[p.run] + ")" : ""));
    }
  out += "<h3>Disturbed points</h3>\n";
  if (disturbed.empty())
    out += paragraph("quiet", c.studies.empty() ? "No kernel runs."
                                                : "None: no point's reps were disturbed by other "
                                                  "work on its CPUs.");
  else
    out += list_of(disturbed);
  if (not_recorded > 0)
    out += paragraph("aside", fmt::format("Interference was not recorded for {}.",
                                          plural(not_recorded, "point", "points")));

  // outliers: flagged by the median absolute deviation, never dropped
  std::vector<std::string> outliers;
  for (const auto& r : c.runs) {
    std::vector<std::string> reps;
    for (std::size_t i = 0; i < r.outliers.size(); ++i)
      if (r.outliers[i])
        reps.push_back(i < r.rep_times.size()
                           ? fmt::format("rep {} ({} s)", i + 1, seconds(r.rep_times[i]))
                           : fmt::format("rep {}", i + 1));
    if (!reps.empty())
      outliers.push_back(
          fmt::format("{} / {} / {} x {}: {} of {} reps against a median of {} s: {}", r.kernel,
                      r.model, r.ranks, r.threads, reps.size(), r.outliers.size(),
                      seconds(r.time.median), fmt::join(reps, ", ")));
  }
  out += "<h3>Outliers</h3>\n";
  out +=
      paragraph("aside",
                "Reps farther than 3.5 robust sigmas (median absolute deviation) from their "
                "run's median; they are flagged, never dropped, and the median is the headline.");
  out += outliers.empty() ? paragraph("quiet", "None.") : list_of(outliers);

  // failures and warnings of every kind of run
  std::vector<std::string> failures, warnings;
  for (const auto& r : c.runs) {
    if (!r.verified)
      failures.push_back(fmt::format(
          "{} / {} / {} x {}: not verified ({} failed reps): observed "
          "{}, want {}",
          r.kernel, r.model, r.ranks, r.threads, r.failed_reps, r.observed, r.expected));
    for (const auto& w : r.warnings)
      warnings.push_back(
          fmt::format("{} / {} / {} x {}: {}", r.kernel, r.model, r.ranks, r.threads, w));
  }
  for (const auto& s : c.hazard_studies)
    for (const auto& p : s.points)
      if (p.failed)
        failures.push_back(
            fmt::format("hazard {} {}: safe by design, but {}", s.scenario, p.variant, p.verdict));
  for (const auto& r : c.io_runs)
    for (const auto& w : r.warnings)
      warnings.push_back(fmt::format("I/O {} x {}: {}", r.driver, r.requests, w));
  for (const auto& r : c.hazard_runs)
    for (const auto& w : r.warnings)
      warnings.push_back(fmt::format("hazard {} {}: {}", r.scenario, r.variant, w));
  out += "<h3>Failures</h3>\n";
  out += failures.empty() ? paragraph("quiet", "None: every run verified.")
                          : "<div class=\"failed\">" + list_of(failures) + "</div>\n";
  out += "<h3>Warnings</h3>\n";
  out += warnings.empty() ? paragraph("quiet", "None.") : list_of(warnings);
  return out + "</section>\n";
}

std::string pairs_table(const results::Pairs& pairs) {
  std::string out = "<table class=\"pairs\">\n";
  for (const auto& [key, value] : pairs)
    out += "<tr><th scope=\"row\">" + escape_markup(key) + "</th><td>" + escape_markup(value) +
           "</td></tr>\n";
  return out + "</table>\n";
}

/// A job's numbers as a person reads them: memory in GiB, the timer in seconds.
std::string number_text(const std::string& key, double value) {
  if (key == "memory_bytes") return human_bytes(value);
  if (key.ends_with("_s")) return fmt::format("{:.3g} s", value);
  return fmt::format("{:g}", value);
}

/// The value of `key` among a job's text fields; empty when it has none.
std::string text_field(const results::JobProvenance& job, const std::string& key) {
  for (const auto& [k, value] : job.text)
    if (k == key) return value;
  return {};
}

/// An overview table (one row per job), then each job's every field, open when there is one job
/// (a merged cluster sweep can hold dozens, each with the same compiler and CPU).
std::string provenance_section(const ReportContents& c) {
  std::string out = "<section id=\"provenance\">\n<h2>Provenance</h2>\n";
  if (c.jobs.empty())
    out += paragraph("aside",
                     "No job provenance in these files (the JSON of --json carries runs only).");
  else {
    HtmlTable overview("jobs",
                       {"job", "created (UTC)", "hosts", "ranks", "source file", "command line"});
    for (const auto& job : c.jobs) {
      std::set<std::string> hosts(job.hosts.begin(), job.hosts.end());
      overview.add({text_cell(job.id), text_cell(text_field(job, "created_utc")),
                    text_cell(fmt::format("{}", fmt::join(hosts, ", "))),
                    count_cell(static_cast<std::int64_t>(job.hosts.size())),
                    text_cell(text_field(job, "source_file")),
                    text_cell(text_field(job, "command_line"))});
    }
    out += overview.str();
  }
  for (const auto& job : c.jobs) {
    out += fmt::format(
        "<details class=\"job\" id=\"{}\"{}>\n<summary><strong>{}</strong> "
        "<code>{}</code></summary>\n",
        escape_markup(job.id), c.jobs.size() == 1 ? " open" : "", escape_markup(job.id),
        escape_markup(text_field(job, "command_line")));
    results::Pairs rows = job.text;
    for (const auto& [key, value] : job.numbers) rows.emplace_back(key, number_text(key, value));
    std::string by_rank;
    for (std::size_t rank = 0; rank < job.hosts.size(); ++rank)
      by_rank += fmt::format("{}{}: {}", rank ? ", " : "", rank, job.hosts[rank]);
    rows.emplace_back("hosts (by rank)", by_rank);
    out += pairs_table(rows);
    for (const auto& [title, pairs] :
         {std::pair<const char*, const results::Pairs*>{"environment", &job.environment},
          {"OpenMP ICVs", &job.openmp_icvs},
          {"context (--context)", &job.context}}) {
      if (pairs->empty()) continue;
      out += fmt::format("<details class=\"more\"><summary>{} ({})</summary>\n{}</details>\n",
                         title, pairs->size(), pairs_table(*pairs));
    }
    out += "</details>\n";
  }
  return out + "</section>\n";
}

// ---------------------------------------------------------------------------------------------
// The page

// Plain CSS in the page: no font, image or sheet is fetched (the Content-Security-Policy below
// forbids it, so a slip would show as a broken page in the browser test rather than a leak).
constexpr const char* style = R"(
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #1d1d1f;
       margin: 0 auto; max-width: 1240px; padding: 16px 24px 48px; line-height: 1.4; }
h1 { margin: 8px 0 4px; font-size: 26px; }
h2 { border-bottom: 2px solid #d0d7de; padding-bottom: 4px; margin-top: 36px; font-size: 21px; }
h3 { font-size: 16px; margin: 22px 0 6px; }
.sub { font-weight: normal; color: #57606a; font-size: 14px; }
.meta, .aside { color: #57606a; font-size: 13px; }
#summary { font-size: 17px; font-weight: bold; margin: 6px 0; }
nav a { margin-right: 14px; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 12.5px; }
.plots { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
.plots svg { flex: 1 1 560px; max-width: 610px; height: auto; border: 1px solid #d0d7de;
             border-radius: 4px; background: #ffffff; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px;
          margin-right: 8px; vertical-align: -1px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 13px; margin: 4px 0; }
th, td { padding: 3px 9px; border-bottom: 1px solid #e1e4e8; text-align: left; white-space: nowrap; }
thead th { background: #f3f5f7; border-bottom: 2px solid #d0d7de; cursor: pointer; }
thead th[aria-sort="ascending"]::after { content: " \25B2"; font-size: 10px; }
thead th[aria-sort="descending"]::after { content: " \25BC"; font-size: 10px; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.disturbed td { background: #fff4d6; }
tr.failed td, div.failed { background: #ffe3e3; }
table.pairs th { font-weight: normal; color: #57606a; width: 13em; }
table.pairs td { white-space: normal; word-break: break-word; }
.invariant.ok { color: #1a7f37; }
.invariant.broken, .failed li { color: #b42318; font-weight: bold; }
.fit, .invariant { margin: 4px 0; font-size: 13.5px; }
details.job { border: 1px solid #d0d7de; border-radius: 4px; padding: 6px 10px; margin: 8px 0; }
details.more { margin: 6px 0 2px 4px; }
summary { cursor: pointer; }
footer { margin-top: 40px; color: #57606a; font-size: 12px; }
)";

// The page works without it; with it, the summary line is filled in (counted from the page
// itself, so a browser test can see that it ran) and every table sorts by a click on a heading.
constexpr const char* script = R"(
(function () {
  var studies = document.querySelectorAll('[data-study]').length;
  var runs = document.querySelectorAll('tr[data-point]').length;
  document.getElementById('summary').textContent =
      studies + (studies === 1 ? ' study, ' : ' studies, ') + runs + (runs === 1 ? ' run' : ' runs');
  function key(row, column) {
    var cell = row.cells[column];
    if (!cell) return '';
    var value = cell.getAttribute('data-value');
    return value === null ? cell.textContent : parseFloat(value);
  }
  function compare(a, b) {
    var an = typeof a === 'number', bn = typeof b === 'number';
    if (an && bn) return a - b;
    if (an !== bn) return an ? -1 : 1;
    return String(a).localeCompare(String(b));
  }
  document.querySelectorAll('table.sortable').forEach(function (table) {
    var headers = table.querySelectorAll('thead th');
    headers.forEach(function (th, column) {
      th.tabIndex = 0;
      th.title = 'Sort by ' + th.textContent;
      function sort() {
        var ascending = th.getAttribute('aria-sort') !== 'ascending';
        headers.forEach(function (other) { other.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var order = compare(key(a, column), key(b, column));
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      }
      th.addEventListener('click', sort);
      th.addEventListener('keydown', function (e) { if (e.key === 'Enter') sort(); });
    });
  });
})();
)";

}  // namespace

std::string html_report(const ReportContents& c, const std::string& generated_utc,
                        const std::string& generator) {
  const std::string files = fmt::format("{}", fmt::join(c.files, ", "));
  std::string page = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
      "'unsafe-inline'; script-src 'unsafe-inline'\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"generator\" content=\"{}\">\n<title>parkit report: {}</title>\n"
      "<style>{}</style>\n</head>\n<body>\n<header>\n<h1>parkit report</h1>\n"
      "<p class=\"meta\">{} from <code>{}</code>, generated {} by {}</p>\n"
      "<p id=\"summary\"></p>\n",
      escape_markup(generator), escape_markup(files), style,
      escape_markup(plural(c.jobs.size(), "job", "jobs")), escape_markup(files),
      escape_markup(generated_utc), escape_markup(generator));

  std::vector<std::pair<const char*, const char*>> contents;
  if (!c.studies.empty()) contents.emplace_back("scaling", "Scaling");
  if (!c.runs.empty()) contents.emplace_back("runs", "Kernel runs");
  if (!c.io_studies.empty()) contents.emplace_back("io", "I/O");
  if (!c.hazard_studies.empty()) contents.emplace_back("hazards", "Hazards");
  contents.emplace_back("notes", "Notes");
  contents.emplace_back("provenance", "Provenance");
  page += "<nav>";
  for (const auto& [id, title] : contents) page += fmt::format("<a href=\"#{}\">{}</a>", id, title);
  page += "</nav>\n</header>\n<main>\n";

  if (!c.studies.empty()) {
    page += "<section id=\"scaling\">\n<h2>Scaling</h2>\n" + scaling_plots(c.studies);
    page += paragraph(
        "aside",
        "Speedup S = T_base / T against each study's run with the fewest workers (median rep "
        "times). Efficiency: strong scaling S / (P / P_base), weak scaling T_base / T. Karp-Flatt "
        "serial fraction e = (1/S - 1/p) / (1 - 1/p). The invariant: strong scaling keeps n "
        "global, weak scaling n per worker.");
    for (std::size_t i = 0; i < c.studies.size(); ++i) page += scaling_study(c.studies[i], i);
    page += "</section>\n";
  }
  if (!c.runs.empty())
    page += "<section id=\"runs\">\n<h2>Kernel runs</h2>\n" + kernel_runs_table(c.runs) +
            "</section>\n";
  if (!c.io_studies.empty()) {
    page += "<section id=\"io\">\n<h2>I/O studies</h2>\n";
    page += paragraph("aside",
                      "Speedup against the study's sequential run (median makespans); outcome "
                      "counts are summed over reps.");
    for (std::size_t i = 0; i < c.io_studies.size(); ++i) page += io_study(c.io_studies[i], i);
    page += "</section>\n";
  }
  if (!c.hazard_studies.empty()) {
    page += "<section id=\"hazards\">\n<h2>Hazard studies</h2>\n";
    page += paragraph("aside",
                      "Each variant's cost per operation against the fastest variant that is safe "
                      "by design and was correct.");
    for (std::size_t i = 0; i < c.hazard_studies.size(); ++i)
      page += hazard_study(c.hazard_studies[i], i);
    page += "</section>\n";
  }
  page += notes_section(c) + provenance_section(c);
  page +=
      "</main>\n<footer>A self-contained page: its styles, plots (SVG) and script are all in "
      "this file, and it loads nothing.</footer>\n";
  return page + "<script>" + script + "</script>\n</body>\n</html>\n";
}

void write_html_report(const std::string& path, const std::string& page, bool replace) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(page.data());
  try {
    results::publish(path, {bytes, page.size()}, replace);
  } catch (const results::FileExists&) {
    // it appeared after the command line was checked
    throw IoError(fmt::format("{}: not written: it exists (add --force to replace it)", path));
  } catch (const std::system_error& e) {
    // e.what() may name only the directory (where the temporary file was to be made)
    throw IoError(fmt::format("{}: not written: {}", path, e.what()));
  }
}

}  // namespace parkit::cli
