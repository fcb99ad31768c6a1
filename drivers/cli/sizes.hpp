// SPDX-License-Identifier: MIT
// Parsing of sizes ("1e9", "10M", "4Gi"), counts and lists, with usage errors that name the option.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace parkit::cli {

/// A positive element count: 1000000, 1e9, 2.5e6, 10M, 1G, 1T (powers of 1000), 4Ki, 2Mi, 1Gi
/// (powers of 1024). Throws UsageError naming `option`.
[[nodiscard]] std::int64_t parse_size(std::string_view text, std::string_view option);

/// A whole number in [min, max]. Throws UsageError naming `option` and the accepted range.
[[nodiscard]] long long parse_count(std::string_view text, std::string_view option, long long min,
                                    long long max);

/// "a,b, c" -> {"a","b","c"}; empty items dropped.
[[nodiscard]] std::vector<std::string> split_list(std::string_view text);

/// 1536 -> "1.5 KiB"; used in messages about memory.
[[nodiscard]] std::string human_bytes(double bytes);

/// 1000000000 -> "1e9", 12345 -> "12345": sizes as a person would type them.
[[nodiscard]] std::string short_count(std::int64_t n);

}  // namespace parkit::cli
