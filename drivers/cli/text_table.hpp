// SPDX-License-Identifier: MIT
// The aligned text tables of the console output (run, scaling and I/O tables share one look).
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

namespace parkit::cli {

/// Fixed notation with about three significant digits: 1234, 42.5, 3.14, 0.123 (never 1e+03);
/// "-" for a value that is not positive. Shared by the text and HTML reports.
inline std::string fixed(double value) {
  if (!(value > 0)) return "-";
  return value >= 100  ? fmt::format("{:.0f}", value)
         : value >= 10 ? fmt::format("{:.1f}", value)
         : value >= 1  ? fmt::format("{:.2f}", value)
                       : fmt::format("{:.3f}", value);
}

/// A text table: columns sized to their widest cell, numbers right-aligned.
class Table {
 public:
  explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  [[nodiscard]] std::string str(std::size_t left_aligned_columns = 2) const {
    std::vector<std::size_t> width(rows_.front().size(), 0);
    for (const auto& row : rows_)
      for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
    std::string out;
    for (std::size_t r = 0; r < rows_.size(); ++r) {
      std::string line;
      for (std::size_t c = 0; c < rows_[r].size(); ++c) {
        const bool left = c < left_aligned_columns || c + 1 == rows_[r].size();
        line += left ? fmt::format("{:<{}}", rows_[r][c], width[c])
                     : fmt::format("{:>{}}", rows_[r][c], width[c]);
        if (c + 1 < rows_[r].size()) line += "  ";
      }
      line.erase(line.find_last_not_of(' ') + 1);
      out += line + '\n';
      if (r == 0) {
        std::size_t total = 0;
        for (std::size_t w : width) total += w + 2;
        out += std::string(total - 2, '-') + '\n';
      }
    }
    return out;
  }

 private:
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace parkit::cli
