// SPDX-License-Identifier: MIT
// The clock every rep is timed with, and its measured resolution (STREAM's checktick idea).
#pragma once

#include <chrono>

namespace parkit::exec {

using Clock = std::chrono::steady_clock;

[[nodiscard]] inline double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

/// Smallest nonzero step the clock shows, in seconds, measured (not the advertised period).
[[nodiscard]] double timer_resolution();

}  // namespace parkit::exec
