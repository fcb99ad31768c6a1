// SPDX-License-Identifier: MIT
// Runs a command line through the shell for end-to-end tests: exit code, stdout, stderr.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace parkit::testing {

struct Result {
  int exit_code = -1;
  std::string out, err;
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// A directory of this test process for results files written by default (PARKIT_RESULTS_DIR),
/// removed with what is in it when the process exits.
inline std::string results_dir() {
  struct OwnedDir {
    std::string path;
    explicit OwnedDir(std::string p) : path(std::move(p)) {
      std::filesystem::create_directories(path);
    }
    ~OwnedDir() {
      std::error_code ignored;  // a destructor at exit: nothing to report to
      std::filesystem::remove_all(path, ignored);
    }
  };
  static const OwnedDir dir(::testing::TempDir() + "parkit_results_" + std::to_string(getpid()));
  return dir.path;
}

/// "env -u PARKIT_A -u PARKIT_B ... ": unsets every PARKIT_* variable of this process's
/// environment, so that no option's environment twin, of any command, leaks into a test.
inline std::string without_parkit_environment() {
  std::string unset = "env ";
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view variable = *entry;
    if (variable.starts_with("PARKIT_"))
      unset += "-u " + std::string(variable.substr(0, variable.find('='))) + " ";
  }
  return unset;
}

/// `env -u PARKIT_*... <env> <command>`: the caller's PARKIT_* twins never leak into a test, and
/// results written by default land in results_dir(), not in the build tree.
inline Result run_command(const std::string& command, const std::string& env = "") {
  static int counter = 0;
  const std::string base = ::testing::TempDir() + "parkit_e2e_" + std::to_string(getpid()) + "_" +
                           std::to_string(++counter);
  const std::string cmd = without_parkit_environment() + "PARKIT_RESULTS_DIR=" + results_dir() +
                          " " + env + " " + command + " >" + base + ".out 2>" + base + ".err";
  const int status = std::system(cmd.c_str());
  Result r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(base + ".out");
  r.err = slurp(base + ".err");
  std::remove((base + ".out").c_str());
  std::remove((base + ".err").c_str());
  return r;
}

inline int count(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1))
    ++n;
  return n;
}

/// The lines of `text`, each without its '\n' (a last line without one is dropped: the CLI ends
/// every line it prints).
inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  for (std::size_t start = 0, end; (end = text.find('\n', start)) != std::string::npos;
       start = end + 1)
    lines.push_back(text.substr(start, end - start));
  return lines;
}

/// A fresh directory for one test's files, removed with it.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix) {
    static int counter = 0;
    path_ = ::testing::TempDir() + prefix + "_" + std::to_string(getpid()) + "_" +
            std::to_string(++counter);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;  // a destructor must not throw
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace parkit::testing
