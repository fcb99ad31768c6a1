// SPDX-License-Identifier: MIT
// A one-line progress indicator on stderr, shown only on a terminal and only once the
// invocation has run for ~2 s (short runs stay quiet). Updated between reps, never inside one.
#pragma once

#include <string>

#include "parkit/exec/timer.hpp"

namespace parkit::cli {

class Progress {
 public:
  /// Draws nothing unless `shown` (only rank 0 prints) and stderr is a terminal.
  Progress(std::size_t runs, bool shown);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void start_run(std::string label);
  void rep_done(int rep, int reps);
  void finish();

 private:
  void draw(const std::string& text);
  std::size_t runs_;
  std::size_t current_ = 0;
  std::string label_;
  exec::Clock::time_point started_;
  bool enabled_;
  bool drawn_ = false;
};

}  // namespace parkit::cli
