// SPDX-License-Identifier: MIT
#include "parkit/exec/timer.hpp"

#include <algorithm>

namespace parkit::exec {

double timer_resolution() {
  double best = 1.0;
  for (int sample = 0; sample < 64; ++sample) {
    const auto t0 = Clock::now();
    auto t1 = Clock::now();
    while (t1 == t0) t1 = Clock::now();
    best = std::min(best, std::chrono::duration<double>(t1 - t0).count());
  }
  return best;
}

}  // namespace parkit::exec
