// SPDX-License-Identifier: MIT
// The small conversions every results kind's JSON and CSV output shares (io_output.cpp,
// hazard_output.cpp): a CSV field, a Summary, NaN-safe numbers, optional values.
#pragma once

#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "parkit/measure/statistics.hpp"

namespace parkit::cli::fields {

/// A CSV field, quoted when it holds a comma, a quote or a line break.
inline std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + '"';
}

inline nlohmann::json optional_json(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

inline nlohmann::json summary_json(const measure::Summary& s) {
  return {{"min", s.min}, {"median", s.median}, {"mean", s.mean},
          {"max", s.max}, {"stddev", s.stddev}, {"cv", s.cv}};
}

/// JSON has no NaN (nlohmann writes null): read null back as NaN so a round trip stays one.
inline double number(const nlohmann::json& j) {
  return j.is_null() ? std::numeric_limits<double>::quiet_NaN() : j.get<double>();
}

inline measure::Summary summary_from_json(const nlohmann::json& j) {
  return {number(j.at("min")), number(j.at("median")), number(j.at("mean")),
          number(j.at("max")), number(j.at("stddev")), number(j.at("cv"))};
}

inline std::vector<double> doubles_from_json(const nlohmann::json& j) {
  std::vector<double> out;
  out.reserve(j.size());
  for (const auto& v : j) out.push_back(number(v));
  return out;
}

}  // namespace parkit::cli::fields
