// SPDX-License-Identifier: MIT
#include "drivers/cli/sizes.hpp"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <limits>

#include "drivers/cli/errors.hpp"

namespace parkit::cli {
namespace {

__extension__ using i128 = __int128;
constexpr i128 size_limit = std::numeric_limits<std::int64_t>::max();

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

struct Suffix {
  std::string_view text;
  i128 factor;
};
constexpr Suffix suffixes[] = {{"Ki", i128{1} << 10}, {"Mi", i128{1} << 20}, {"Gi", i128{1} << 30},
                               {"Ti", i128{1} << 40}, {"k", 1000},           {"K", 1000},
                               {"M", 1000000},        {"G", 1000000000},     {"T", 1000000000000}};

[[noreturn]] void not_a_size(std::string_view text, std::string_view option) {
  throw UsageError(fmt::format(
      "{}: '{}' is not a size (accepted: a positive whole number such as 1000000, 1e9, 10M, 1G "
      "or 4Mi)",
      option, text));
}

}  // namespace

std::int64_t parse_size(std::string_view raw, std::string_view option) {
  const std::string_view text = trim(raw);
  std::string_view s = text;
  if (s.empty()) not_a_size(raw, option);
  if (s.front() == '-') throw UsageError(fmt::format("{}: {} is not a positive size", option, s));
  if (s.front() == '+') s.remove_prefix(1);

  i128 factor = 1;
  for (const Suffix& suffix : suffixes)
    if (s.size() > suffix.text.size() && s.ends_with(suffix.text)) {
      factor = suffix.factor;
      s.remove_suffix(suffix.text.size());
      break;
    }
  // mantissa digits [. digits] [e|E [+|-] digits], evaluated exactly in 128 bits
  i128 mantissa = 0;
  int scale = 0;  // value = mantissa * 10^scale * factor
  bool digits = false, too_big = false;
  std::size_t i = 0;
  auto take_digit = [&](char c) {
    digits = true;
    if (mantissa > size_limit * 10)
      too_big = true;  // keep going: still validate the syntax
    else
      mantissa = mantissa * 10 + (c - '0');
  };
  for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) take_digit(s[i]);
  if (i < s.size() && s[i] == '.')
    for (++i; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) {
      take_digit(s[i]);
      --scale;
    }
  if (!digits) not_a_size(text, option);
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    std::string_view exponent_text = s.substr(i + 1);
    if (!exponent_text.empty() && exponent_text.front() == '+') exponent_text.remove_prefix(1);
    int exponent = 0;
    const char* last = exponent_text.data() + exponent_text.size();
    const auto [end, ec] = std::from_chars(exponent_text.data(), last, exponent);
    if (exponent_text.empty() || ec != std::errc() || end != last) not_a_size(text, option);
    scale += exponent;
    i = s.size();
  }
  if (i != s.size()) not_a_size(text, option);

  i128 value = mantissa * factor;
  for (; scale > 0 && value != 0 && value <= size_limit && !too_big; --scale) value *= 10;
  for (; scale < 0 && value != 0; ++scale) {
    if (value % 10 != 0)
      throw UsageError(fmt::format("{}: {} is not a whole number of elements", option, text));
    value /= 10;
  }
  if (too_big || value > size_limit)
    throw UsageError(fmt::format("{}: {} is too large (at most {} elements)", option, text,
                                 std::numeric_limits<std::int64_t>::max()));
  if (value == 0) throw UsageError(fmt::format("{}: {} is not a positive size", option, text));
  return static_cast<std::int64_t>(value);
}

long long parse_count(std::string_view raw, std::string_view option, long long min, long long max) {
  const std::string_view text = trim(raw);
  long long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || end != text.data() + text.size() || ec == std::errc::invalid_argument)
    throw UsageError(
        fmt::format("{}: '{}' is not a whole number (accepted: {} to {})", option, raw, min, max));
  if (ec == std::errc::result_out_of_range || value < min || value > max)
    throw UsageError(
        fmt::format("{}: {} is out of range (accepted: {} to {})", option, text, min, max));
  return value;
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    const std::string_view item = trim(text.substr(0, comma));
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::string human_bytes(double bytes) {
  constexpr const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int u = 0;
  while (bytes >= 1024 && u < 6) {
    bytes /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{:.0f} B", bytes) : fmt::format("{:.1f} {}", bytes, units[u]);
}

std::string short_count(std::int64_t n) {
  int zeros = 0;
  std::int64_t m = n;
  while (m != 0 && m % 10 == 0) {
    m /= 10;
    ++zeros;
  }
  if (zeros >= 6 && m < 1000) return fmt::format("{}e{}", m, zeros);
  return std::to_string(n);
}

}  // namespace parkit::cli
