// SPDX-License-Identifier: MIT
#include "drivers/cli/svg_plot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace parkit::cli {

std::string escape_markup(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

namespace svg {
namespace {

// The drawing, in SVG user units (the viewBox; the page scales it to its width).
constexpr double width = 600;
constexpr double plot_left = 66, plot_right = width - 20;
constexpr double plot_top = 38, plot_bottom = plot_top + 290;
constexpr double legend_top = plot_bottom + 62, legend_row = 18;
constexpr double marker_radius = 4;
constexpr const char* failure_red = "#d62728";

/// Where a value lands along one axis: a linear map of [lo, hi] (after log2 when asked) onto
/// [from, to] in user units.
struct Scale {
  double lo = 0, hi = 1, from = 0, to = 1;
  bool log2 = false;
  [[nodiscard]] double position(double v) const {
    const double u = log2 ? std::log2(v) : v;
    return from + (u - lo) / (hi - lo) * (to - from);
  }
  [[nodiscard]] bool placeable(double v) const { return std::isfinite(v) && (!log2 || v > 0); }
};

std::string number(double v) { return fmt::format("{:.1f}", v); }

/// A tick's label: round values without float noise ("0.6", not "0.6000000000000001").
std::string tick_label(double v) { return fmt::format("{:.6g}", std::abs(v) < 1e-12 ? 0.0 : v); }

const char* dash_array(LineStyle style) {
  switch (style) {
    case LineStyle::dashed:
      return "6 4";
    case LineStyle::dotted:
      return "2 3";
    case LineStyle::data:
      break;
  }
  return nullptr;
}

std::string line_element(const char* css_class, const std::string& colour, LineStyle style,
                         const std::string& points, const std::string& extra_attributes) {
  const char* dashes = dash_array(style);
  return fmt::format(
      "<polyline class=\"{}\"{} fill=\"none\" stroke=\"{}\" stroke-width=\"{}\"{} "
      "points=\"{}\"/>\n",
      css_class, extra_attributes, escape_markup(colour), style == LineStyle::data ? 2 : 1.5,
      dashes ? fmt::format(" stroke-dasharray=\"{}\"", dashes) : "", points);
}

std::string marker(double cx, double cy, const std::string& colour, bool hollow,
                   const std::string& tooltip) {
  return fmt::format(
      "<circle class=\"point\" cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{}\" stroke=\"{}\" "
      "stroke-width=\"1.5\">{}</circle>\n",
      number(cx), number(cy), marker_radius, hollow ? "#ffffff" : escape_markup(colour),
      escape_markup(colour),
      tooltip.empty() ? "" : "<title>" + escape_markup(tooltip) + "</title>");
}

std::string cross(double cx, double cy) {
  const double d = marker_radius + 2;
  return fmt::format(
      "<path class=\"cross\" d=\"M{} {}L{} {}M{} {}L{} {}\" stroke=\"{}\" stroke-width=\"2.5\"/>\n",
      number(cx - d), number(cy - d), number(cx + d), number(cy + d), number(cx - d),
      number(cy + d), number(cx + d), number(cy - d), failure_red);
}

std::string ring(double cx, double cy) {
  return fmt::format(
      "<circle class=\"ring\" cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"none\" stroke=\"#000000\" "
      "stroke-width=\"1.2\"/>\n",
      number(cx), number(cy), marker_radius + 4);
}

}  // namespace

std::string palette(std::size_t i) {
  static constexpr std::array<const char*, 9> colours = {"#1f77b4", "#ff7f0e", "#2ca02c",
                                                         "#9467bd", "#8c564b", "#e377c2",
                                                         "#7f7f7f", "#bcbd22", "#17becf"};
  return colours[i % colours.size()];
}

std::vector<double> round_ticks(double lo, double hi, int count) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) return {};
  if (!(hi > lo)) hi = lo + 1;
  const double raw = (hi - lo) / std::max(count, 1);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double ratio = raw / magnitude;
  const double step = (ratio <= 1 ? 1 : ratio <= 2 ? 2 : ratio <= 5 ? 5 : 10) * magnitude;
  const double first = std::floor(lo / step) * step, last = std::ceil(hi / step) * step;
  const auto steps = static_cast<int>(std::lround((last - first) / step));
  std::vector<double> ticks;
  for (int k = 0; k <= steps; ++k) ticks.push_back(first + k * step);
  return ticks;
}

std::string render(const LinePlot& plot) {
  // the data's extent, over every placeable point of every series
  Scale x{.from = plot_left, .to = plot_right, .log2 = plot.log2_x};
  double x_min = std::numeric_limits<double>::infinity(), x_max = -x_min;
  double y_min = plot.y_floor, y_max = -std::numeric_limits<double>::infinity();
  for (const Series& s : plot.series)
    for (const PlotPoint& p : s.points) {
      if (!x.placeable(p.x) || !std::isfinite(p.y)) continue;
      x_min = std::min(x_min, p.x);
      x_max = std::max(x_max, p.x);
      y_min = std::min(y_min, p.y);
      y_max = std::max(y_max, p.y);
    }
  if (!(x_max >= x_min)) x_min = x_max = 1;  // nothing to place: an empty frame
  if (!(y_max > y_min)) y_max = y_min + 1;

  if (plot.log2_x) {
    x.lo = std::log2(x_min) - (x_max > x_min ? 0.3 : 1);
    x.hi = std::log2(x_max) + (x_max > x_min ? 0.3 : 1);
  } else {
    const double pad = x_max > x_min ? 0.06 * (x_max - x_min) : 1;
    x.lo = x_min - pad;
    x.hi = x_max + pad;
  }
  std::vector<double> x_ticks = plot.x_ticks;
  if (x_ticks.empty() || (!plot.log2_x && x_ticks.size() > 16)) {
    x_ticks.clear();
    if (plot.log2_x)
      for (double t = std::exp2(std::ceil(std::log2(x_min))); t <= x_max; t *= 2)
        x_ticks.push_back(t);
    else
      x_ticks = round_ticks(x_min, x_max, 6);
  }
  std::erase_if(x_ticks, [&](double t) {
    if (!x.placeable(t)) return true;
    const double u = plot.log2_x ? std::log2(t) : t;
    return u < x.lo || u > x.hi;
  });

  // y: round ticks with 5 % headroom above the highest point
  const std::vector<double> y_ticks = round_ticks(y_min, y_min + (y_max - y_min) * 1.05, 5);
  const Scale y{.lo = y_ticks.front(), .hi = y_ticks.back(), .from = plot_bottom, .to = plot_top};

  std::vector<const Series*> legend;
  for (const Series& s : plot.series)
    if (!s.label.empty()) legend.push_back(&s);
  bool any_hollow = false, any_crossed = false, any_ringed = false;
  for (const Series& s : plot.series)
    for (const PlotPoint& p : s.points) {
      any_hollow = any_hollow || p.hollow;
      any_crossed = any_crossed || p.crossed;
      any_ringed = any_ringed || p.ringed;
    }
  const std::size_t legend_rows = legend.size() + (any_hollow && !plot.markers.hollow.empty()) +
                                  (any_crossed && !plot.markers.crossed.empty()) +
                                  (any_ringed && !plot.markers.ringed.empty());
  const double height = legend_top + static_cast<double>(legend_rows) * legend_row + 6;

  std::string out = fmt::format(
      "<svg class=\"plot\" id=\"{}\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\" "
      "font-size=\"12\">\n<title>{}</title>\n",
      escape_markup(plot.id), width, number(height), escape_markup(plot.title),
      escape_markup(plot.title));
  out += fmt::format(
      "<text x=\"{}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" "
      "font-weight=\"bold\">{}</text>\n",
      number((plot_left + plot_right) / 2), escape_markup(plot.title));

  // grid and tick labels
  for (const double t : y_ticks) {
    const double py = y.position(t);
    out += fmt::format(
        "<line class=\"grid\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#e4e4e4\"/>\n"
        "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" dominant-baseline=\"middle\">{}</text>\n",
        plot_left, number(py), plot_right, number(py), plot_left - 6, number(py), tick_label(t));
  }
  for (const double t : x_ticks) {
    const double px = x.position(t);
    out += fmt::format(
        "<line class=\"grid\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#e4e4e4\"/>\n"
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
        number(px), plot_top, number(px), plot_bottom, number(px), plot_bottom + 18, tick_label(t));
  }
  out += fmt::format(
      "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#444444\"/>\n",
      plot_left, plot_top, plot_right - plot_left, plot_bottom - plot_top);
  out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
                     number((plot_left + plot_right) / 2), plot_bottom + 40,
                     escape_markup(plot.x_label));
  out += fmt::format(
      "<text transform=\"translate(16 {}) rotate(-90)\" text-anchor=\"middle\">{}</text>\n",
      number((plot_top + plot_bottom) / 2), escape_markup(plot.y_label));

  // reference lines under the data, then the data, then the markers on top
  std::string lines, markers;
  for (const Series& s : plot.series) {
    std::string points;
    for (const PlotPoint& p : s.points) {
      if (!x.placeable(p.x) || !std::isfinite(p.y)) continue;
      const double px = x.position(p.x), py = y.position(p.y);
      if (!points.empty()) points += ' ';
      points += fmt::format("{},{}", number(px), number(py));
      if (s.style != LineStyle::data) continue;
      markers += marker(px, py, s.colour, p.hollow, p.tooltip);
      if (p.ringed) markers += ring(px, py);
      if (p.crossed) markers += cross(px, py);
    }
    if (s.points.empty()) continue;
    if (s.style == LineStyle::data)
      lines += line_element("series", s.colour, s.style, points,
                            fmt::format(" data-series=\"{}\"", escape_markup(s.label)));
    else
      out += line_element("reference", s.colour, s.style, points, "");
  }
  out += lines + markers;

  // the legend, one row per labelled series and per marker kind drawn
  double row_y = legend_top;
  const double sample_x = plot_left, text_x = plot_left + 34;
  for (const Series* s : legend) {
    out += line_element(
        "key", s->colour, s->style,
        fmt::format("{},{} {},{}", sample_x, number(row_y), sample_x + 24, number(row_y)), "");
    if (s->style == LineStyle::data) out += marker(sample_x + 12, row_y, s->colour, false, "");
    out += fmt::format("<text x=\"{}\" y=\"{}\" dominant-baseline=\"middle\">{}</text>\n", text_x,
                       number(row_y), escape_markup(s->label));
    row_y += legend_row;
  }
  const auto marker_key = [&](bool drawn, const std::string& meaning, const std::string& symbol) {
    if (!drawn || meaning.empty()) return;
    out += symbol + fmt::format("<text x=\"{}\" y=\"{}\" dominant-baseline=\"middle\">{}</text>\n",
                                text_x, number(row_y), escape_markup(meaning));
    row_y += legend_row;
  };
  marker_key(any_hollow, plot.markers.hollow, marker(sample_x + 12, row_y, "#000000", true, ""));
  marker_key(any_ringed, plot.markers.ringed,
             marker(sample_x + 12, row_y, "#000000", false, "") + ring(sample_x + 12, row_y));
  marker_key(any_crossed, plot.markers.crossed, cross(sample_x + 12, row_y));
  return out + "</svg>\n";
}

}  // namespace svg
}  // namespace parkit::cli
