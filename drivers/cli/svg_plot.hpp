// SPDX-License-Identifier: MIT
// A small line plot drawn as inline SVG for `parkit report --html`: axes, ticks, grid, reference
// lines, one polyline per series with point markers and hover titles, and a legend. Written by
// hand because no Debian package renders a chart from C++ into markup a page can hold inline (the
// report must load nothing from the network or the disk), and a line plot is a few hundred lines.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace parkit::cli {

/// Text made safe for HTML and SVG, in element content and in quoted attribute values alike:
/// & < > " ' become character references.
[[nodiscard]] std::string escape_markup(std::string_view text);

namespace svg {

/// One point of a series; the flags draw the markers the legend then explains. Every member of
/// these structs has an initializer, so designated initializers may leave any out.
struct PlotPoint {
  double x = 0, y = 0;
  std::string tooltip{};  ///< shown on hover (an SVG <title>)
  bool hollow = false;    ///< a white marker with a coloured rim
  bool crossed = false;   ///< a red cross over the marker
  bool ringed = false;    ///< a black ring around the marker
};

enum class LineStyle {
  data,    ///< solid, with markers: class "series", one polyline point per PlotPoint
  dashed,  ///< a reference line, no markers (class "reference")
  dotted,  ///< a reference line or a fitted curve, no markers (class "reference")
};

struct Series {
  std::string label{};  ///< its legend entry; empty: none
  std::vector<PlotPoint> points{};
  LineStyle style = LineStyle::data;
  std::string colour = "#000000";  ///< a CSS colour
};

/// What the three point flags mean, for the legend (an entry appears only when a point has it).
struct MarkerMeanings {
  std::string hollow{}, crossed{}, ringed{};
};

struct LinePlot {
  std::string id{};  ///< unique in the page
  std::string title{}, x_label{}, y_label{};
  std::vector<Series> series{};
  MarkerMeanings markers{};
  bool log2_x = false;            ///< x on a base-2 log scale (worker counts spanning > 8x)
  std::vector<double> x_ticks{};  ///< where x has labelled ticks; empty: round numbers
  double y_floor = 0;             ///< the y axis starts here (or lower, if a point is lower)
};

/// The colour of the i-th data series: matplotlib's tab10 without its red, which marks failures.
[[nodiscard]] std::string palette(std::size_t i);

/// Ticks at 1, 2 or 5 times a power of ten covering [lo, hi] with at most about `count` steps:
/// the first tick <= lo, the last >= hi.
[[nodiscard]] std::vector<double> round_ticks(double lo, double hi, int count);

/// The plot as an <svg> element with a viewBox (it scales with the page). Points whose x or y is
/// not finite (or x <= 0 on a log axis) cannot be placed and are left out.
[[nodiscard]] std::string render(const LinePlot& plot);

}  // namespace svg
}  // namespace parkit::cli
