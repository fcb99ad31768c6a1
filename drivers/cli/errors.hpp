// SPDX-License-Identifier: MIT
// Exit codes (DESIGN.md) and the errors that map to them.
#pragma once

#include <stdexcept>

namespace parkit::cli {

enum ExitCode : int {
  exit_ok = 0,
  exit_verification_failed = 1,
  exit_usage = 2,        ///< bad option or value; nothing was run
  exit_environment = 3,  ///< the machine refuses (e.g. --strict and oversubscribed)
  exit_io = 4,           ///< reading or writing results failed
};

/// A bad option or value: one line that names the option and what it accepts.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The environment cannot give what the run needs.
struct EnvironmentError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// A results file could not be read or written; the message names the file.
struct IoError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace parkit::cli
