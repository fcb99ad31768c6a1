// SPDX-License-Identifier: MIT
// `parkit io` (N waiting requests under the sequential, threads, pool and coroutines drivers)
// and `parkit serve` (the loopback HTTP server they talk to): options, validation, running.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "drivers/cli/plan.hpp"

namespace parkit::cli {

/// `parkit io` as typed. Output options (--json, -o, ...) live in `output`.
struct IoOptions {
  std::string requests = "5";
  std::string delay_ms = "1000";
  std::vector<std::string> paths;  ///< overrides /delay/<delay-ms>; requests cycle through them
  std::string url;                 ///< empty: parkit starts its own server on loopback
  std::string drivers = "sequential,threads,pool,coroutines";
  std::string concurrency = "0";
  std::string pool_threads;  ///< empty: min(32, CPUs + 4), as Python's ThreadPoolExecutor
  std::string timeout_ms = "0";
  std::string connections = "keep-alive";
  std::string reps = "3";
  std::string warmup = "0";
  std::string server_threads = "1";
  bool fail_on_error = false;
  RunOptions output;
};

void add_io_options(CLI::App& command, IoOptions& options);
/// Validates everything before any work; throws UsageError naming the option, or
/// EnvironmentError when this machine cannot have that many requests in flight.
[[nodiscard]] nlohmann::json io_decision(const IoOptions& options, const std::string& command_line);
/// Runs the decided io job: prints the table (or JSON), writes the results file.
int io_command(const nlohmann::json& decision);

struct ServeCliOptions {
  std::string bind = "127.0.0.1";
  std::string port = "8080";
  std::string threads = "1";
  bool quiet = false;
};
void add_serve_options(CLI::App& command, ServeCliOptions& options);
[[nodiscard]] nlohmann::json serve_decision(const ServeCliOptions& options);
int serve_command(const nlohmann::json& decision);

}  // namespace parkit::cli
