// SPDX-License-Identifier: MIT
// The SVG plotter and the HTML page of `parkit report --html` on synthetic runs with known
// answers: what is escaped, where points land, one polyline point per run, the notes and the
// provenance. (tests/browser/ renders the real page in Chromium.)
#include "drivers/cli/html_report.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <limits>
#include <regex>
#include <string>
#include <vector>

#include "drivers/cli/svg_plot.hpp"
#include "parkit/results/scaling.hpp"
#include "support/process.hpp"

namespace parkit::cli {
namespace {

using measure::RunRecord;
using parkit::testing::count;

/// The value of attribute `name` in the first element of `markup` that has `marker` in it.
std::string attribute(const std::string& markup, const std::string& marker,
                      const std::string& name) {
  const auto at = markup.find(marker);
  if (at == std::string::npos) return {};
  const auto start = markup.rfind('<', at);
  const auto end = markup.find('>', at);
  const std::string element = markup.substr(start, end - start);
  const std::string key = " " + name + "=\"";
  const auto value = element.find(key);
  if (value == std::string::npos) return {};
  const auto from = value + key.size();
  return element.substr(from, element.find('"', from) - from);
}

/// "x,y x,y ..." as pairs.
std::vector<std::pair<double, double>> coordinates(const std::string& points) {
  std::vector<std::pair<double, double>> out;
  static const std::regex pair(R"((-?[0-9.]+),(-?[0-9.]+))");
  for (std::sregex_iterator it(points.begin(), points.end(), pair), end; it != end; ++it)
    out.emplace_back(std::stod((*it)[1]), std::stod((*it)[2]));
  return out;
}

TEST(Markup, EscapesEveryCharacterThatCouldOpenMarkupOrCloseAnAttribute) {
  EXPECT_EQ(escape_markup(R"(<script>a && b</script> "x" 'y')"),
            "&lt;script&gt;a &amp;&amp; b&lt;/script&gt; &quot;x&quot; &#39;y&#39;");
  EXPECT_EQ(escape_markup("plain 1.5 x 2 / 3"), "plain 1.5 x 2 / 3");
}

TEST(SvgPlot, RoundTicksCoverTheRangeInStepsOfOneTwoOrFive) {
  EXPECT_EQ(svg::round_ticks(0, 2.1, 5), (std::vector<double>{0, 0.5, 1, 1.5, 2, 2.5}));
  EXPECT_EQ(svg::round_ticks(0, 1.05, 5), (std::vector<double>{0, 0.5, 1, 1.5}));
  EXPECT_EQ(svg::round_ticks(0, 9, 5), (std::vector<double>{0, 2, 4, 6, 8, 10}));
  EXPECT_EQ(svg::round_ticks(3, 3, 5), (std::vector<double>{3, 3.2, 3.4, 3.6, 3.8, 4}));
  const auto ticks = svg::round_ticks(0.013, 0.087, 4);
  EXPECT_LE(ticks.front(), 0.013);
  EXPECT_GE(ticks.back(), 0.087);
  EXPECT_LE(ticks.size(), 6u);
}

svg::LinePlot two_series_plot() {
  svg::LinePlot plot{.id = "p", .title = "Speedup", .x_label = "workers", .y_label = "speedup"};
  plot.series.push_back({.label = "ideal",
                         .points = {{.x = 1, .y = 1}, {.x = 4, .y = 4}},
                         .style = svg::LineStyle::dashed});
  plot.series.push_back({.label = "a <b> & c",
                         .points = {{.x = 1, .y = 1, .tooltip = "one"},
                                    {.x = 2, .y = 1.9, .tooltip = "two", .hollow = true},
                                    {.x = 4, .y = 3.2, .tooltip = "four", .ringed = true}},
                         .colour = svg::palette(0)});
  plot.markers = {"oversubscribed", "not verified", "disturbed"};
  return plot;
}

TEST(SvgPlot, OnePolylinePointPerDataPointAndHigherValuesDrawnHigher) {
  const std::string svg = svg::render(two_series_plot());
  EXPECT_EQ(count(svg, "<polyline class=\"series\""), 1) << svg;
  const auto points = coordinates(attribute(svg, "class=\"series\"", "points"));
  ASSERT_EQ(points.size(), 3u) << svg;
  EXPECT_LT(points[0].first, points[1].first);  // x grows to the right
  EXPECT_LT(points[1].first, points[2].first);
  EXPECT_GT(points[0].second, points[1].second);  // y grows upwards (SVG y downwards)
  EXPECT_GT(points[1].second, points[2].second);
  // 1 -> 2 -> 4 on a linear axis: the second gap is twice the first
  EXPECT_NEAR(points[2].first - points[1].first, 2 * (points[1].first - points[0].first), 0.15);
  // + the legend's markers: the series' sample, the hollow key and the ringed key
  EXPECT_EQ(count(svg, "<circle class=\"point\""), 3 + 3);
  EXPECT_EQ(count(svg, "<circle class=\"ring\""), 1 + 1);  // the point and its legend key
}

TEST(SvgPlot, ALog2AxisSpacesDoublingsEvenly) {
  svg::LinePlot plot = two_series_plot();
  plot.log2_x = true;
  const auto points = coordinates(attribute(svg::render(plot), "class=\"series\"", "points"));
  ASSERT_EQ(points.size(), 3u);
  EXPECT_NEAR(points[2].first - points[1].first, points[1].first - points[0].first, 0.15);
}

TEST(SvgPlot, LabelsAreEscapedAndOnlyTheMarkersDrawnAreExplained) {
  const std::string svg = svg::render(two_series_plot());
  EXPECT_EQ(svg.find("a <b>"), std::string::npos) << svg;
  EXPECT_NE(svg.find("data-series=\"a &lt;b&gt; &amp; c\""), std::string::npos) << svg;
  EXPECT_NE(svg.find(">oversubscribed</text>"), std::string::npos) << svg;
  EXPECT_NE(svg.find(">disturbed</text>"), std::string::npos) << svg;
  EXPECT_EQ(svg.find("not verified"), std::string::npos) << svg;  // no crossed point
  EXPECT_NE(svg.find("<title>two</title>"), std::string::npos) << svg;
  EXPECT_EQ(svg.find("http"), std::string::npos) << svg;  // inline SVG needs no namespace URL
}

TEST(SvgPlot, PointsThatCannotBePlacedAreLeftOut) {
  svg::LinePlot plot = two_series_plot();
  plot.series[1].points.push_back({.x = 8, .y = std::numeric_limits<double>::quiet_NaN()});
  plot.log2_x = true;
  plot.series[1].points.push_back({.x = 0, .y = 1});  // no place on a log axis
  const std::string svg = svg::render(plot);
  EXPECT_EQ(coordinates(attribute(svg, "class=\"series\"", "points")).size(), 3u) << svg;
  EXPECT_FALSE(std::regex_search(svg, std::regex(R"(\b(nan|inf)\b)"))) << svg;
}

/// A verified sum_squares run of `model` on `threads` threads taking `seconds`, with `disturbed`
/// of its 4 reps disturbed (interference recorded).
RunRecord run(const std::string& model, unsigned threads, double seconds, int disturbed = 0,
              std::int64_t n = 1'000'000) {
  RunRecord r;
  r.kernel = "sum_squares";
  r.model = model;
  r.scaling = "strong";
  r.n_global = r.n_per_rank = n;
  r.threads = threads;
  r.reps = 4;
  r.rep_times.assign(4, seconds);
  r.outliers.assign(4, false);
  r.time = {seconds, seconds, seconds, seconds, 0, 0};
  r.verified = true;
  r.expected = r.observed = "333332833333500000";
  r.interference.run_delay.assign(4, std::vector<double>(threads, 0.0));
  r.interference.disturbed.assign(4, false);
  for (std::size_t rep = 0; rep < static_cast<std::size_t>(disturbed); ++rep)
    r.interference.disturbed[rep] = true;
  return r;
}

struct Page {
  std::vector<std::string> files{"a.h5"};
  std::vector<results::JobProvenance> jobs;
  std::vector<RunRecord> runs;
  std::vector<std::string> interference_at;
  std::vector<results::Study> studies;

  std::string html() {
    studies = results::analyse(runs);
    interference_at.clear();
    for (std::size_t i = 0; i < runs.size(); ++i)
      interference_at.push_back("/runs/run-000" + std::to_string(i) + "/interference in a.h5");
    return html_report({.files = files,
                        .jobs = jobs,
                        .runs = runs,
                        .studies = studies,
                        .interference_at = interference_at},
                       "2026-12-01T00:00:00Z", "parkit 9.9.9 (abc)");
  }
};

TEST(HtmlReport, EveryStudyHasATableRowAndAPlotPointPerRun) {
  Page page;
  page.runs = {run("threads", 1, 0.8), run("threads", 2, 0.41), run("threads", 4, 0.25, 2),
               run("openmp", 1, 0.8), run("openmp", 2, 0.4)};
  const std::string html = page.html();
  EXPECT_EQ(count(html, "data-kind=\"scaling\""), 2);
  EXPECT_EQ(count(html, "<tr data-point"), 5);
  for (const auto* plot : {"speedup-plot", "efficiency-plot"}) {
    const std::string svg = html.substr(html.find(std::string("id=\"") + plot + "\""));
    EXPECT_EQ(
        coordinates(attribute(svg, "data-series=\"sum_squares / threads (strong)\"", "points"))
            .size(),
        3u)
        << plot;
    EXPECT_EQ(coordinates(attribute(svg, "data-series=\"sum_squares / openmp (strong)\"", "points"))
                  .size(),
              2u)
        << plot;
  }
  // the speedup cell carries the exact value the analysis computed, and shows it rounded
  const double speedup = page.studies[0].points[1].speedup;  // 0.8 / 0.41
  EXPECT_NE(html.find(fmt::format("data-value=\"{:.17g}\">1.95</td>", speedup)), std::string::npos)
      << html;
  // the summary is left for the script to fill in
  EXPECT_NE(html.find("<p id=\"summary\"></p>"), std::string::npos);
  EXPECT_NE(html.find("Amdahl fit: serial fraction"), std::string::npos);
  EXPECT_NE(html.find("Invariant holds: n global is 1e6 at every point"), std::string::npos);
}

TEST(HtmlReport, TheDisturbedPointIsMarkedAndExplainedInTheNotes) {
  Page page;
  page.runs = {run("threads", 1, 0.8), run("threads", 2, 0.4, 3)};
  const std::string html = page.html();
  EXPECT_EQ(count(html, "class=\"disturbed\""), 1);
  EXPECT_EQ(count(html, "<circle class=\"ring\""), 2 + 2);  // a point per plot + legend keys
  EXPECT_NE(html.find("sum_squares / threads, 2 workers (1 x 2): disturbed: 3 of 4 reps: other "
                      "work had the CPUs in 3 of 4 reps"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("(see /runs/run-0001/interference in a.h5)"), std::string::npos);
}

TEST(HtmlReport, FailuresBrokenInvariantsOutliersAndWarningsAreNoted) {
  Page page;
  page.runs = {run("threads", 1, 0.8), run("threads", 2, 0.4, 0, 2'000'000)};
  page.runs[1].verified = false;
  page.runs[1].observed = "42";
  page.runs[1].failed_reps = 4;
  page.runs[0].outliers = {false, false, true, false};
  page.runs[0].rep_times[2] = 1.5;
  page.runs[0].warnings = {"oversubscribed: 4 threads on host h with 2 cores"};
  const std::string html = page.html();
  EXPECT_NE(html.find("Invariant broken: strong scaling needs n global constant"),
            std::string::npos);
  EXPECT_NE(html.find("not verified (4 failed reps): observed 42, want 333332833333500000"),
            std::string::npos);
  EXPECT_NE(html.find("1 of 4 reps against a median of 0.8 s: rep 3 (1.5 s)"), std::string::npos);
  EXPECT_NE(html.find("sum_squares / threads / 1 x 1: oversubscribed: 4 threads on host h"),
            std::string::npos);
  EXPECT_EQ(count(html, "<path class=\"cross\""), 2 + 2);  // a point per plot + legend keys
}

TEST(HtmlReport, ProvenanceIsShownAndEveryStringIsEscaped) {
  Page page;
  page.files = {"<odd>.h5"};
  page.runs = {run("threads", 1, 0.8)};
  page.runs[0].kernel = "k<img src=x onerror=alert(1)>";
  results::JobProvenance job;
  job.text = {{"command_line", "parkit sweep --context note=\"<script>alert(1)</script>\""},
              {"compiler", "GNU 12.2.0"},
              {"cpu_model", "AMD EPYC"}};
  job.numbers = {{"memory_bytes", 8.0 * (1 << 30)}, {"timer_resolution_s", 2e-8}};
  job.hosts = {"node-a", "node-b"};
  job.environment = {{"OMP_NUM_THREADS", "2"}};
  job.context = {{"note", "'quoted'"}};
  page.jobs = {job};
  const std::string html = page.html();
  EXPECT_EQ(count(html, "<script>"), 1) << html;  // the page's own
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<odd>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("k&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
  for (const char* shown :
       {"<td>GNU 12.2.0</td>", "<td>AMD EPYC</td>", "<td>8.0 GiB</td>", "<td>2e-08 s</td>",
        "<td>0: node-a, 1: node-b</td>", "<th scope=\"row\">OMP_NUM_THREADS</th><td>2</td>",
        "<td>&#39;quoted&#39;</td>"})
    EXPECT_NE(html.find(shown), std::string::npos) << shown;
}

TEST(HtmlReport, ThePageLoadsNothing) {
  Page page;
  page.runs = {run("threads", 1, 0.8), run("threads", 2, 0.4)};
  const std::string html = page.html();
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find(" src="), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_NE(html.find("content=\"default-src 'none';"), std::string::npos);
}

}  // namespace
}  // namespace parkit::cli
