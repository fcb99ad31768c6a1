// SPDX-License-Identifier: MIT
#include "drivers/cli/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace parkit::cli {
namespace {
constexpr double quiet_seconds = 2.0;
}

Progress::Progress(std::size_t runs, bool shown)
    : runs_(runs), started_(exec::Clock::now()), enabled_(shown && isatty(STDERR_FILENO) == 1) {}

Progress::~Progress() { finish(); }

void Progress::start_run(std::string label) {
  ++current_;
  label_ = std::move(label);
  draw(fmt::format("[{}/{}] {}", current_, runs_, label_));
}

void Progress::rep_done(int rep, int reps) {
  draw(fmt::format("[{}/{}] {}: rep {}/{}", current_, runs_, label_, rep, reps));
}

void Progress::draw(const std::string& text) {
  if (!enabled_) return;
  const double elapsed = exec::seconds_since(started_);
  if (elapsed < quiet_seconds) return;
  std::fprintf(stderr, "\r%-78.78s", fmt::format("{}  ({:.0f} s)", text, elapsed).c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::finish() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r%78s\r", "");
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace parkit::cli
