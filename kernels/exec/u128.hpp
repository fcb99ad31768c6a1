// SPDX-License-Identifier: MIT
// Unsigned 128-bit integers for exact sums (GCC/Clang __int128; C++ has no standard one).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace parkit {

__extension__ using u128 = unsigned __int128;

[[nodiscard]] inline std::string to_string(u128 v) {
  if (v == 0) return "0";
  std::string digits;
  while (v != 0) {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  return digits;
}

/// a * b, or nullopt when it does not fit in 128 bits.
[[nodiscard]] constexpr std::optional<u128> checked_mul(u128 a, u128 b) {
  u128 r = 0;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}

}  // namespace parkit
