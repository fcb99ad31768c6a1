// SPDX-License-Identifier: MIT
// The process group a run spans: what the timing protocol needs from it (barrier, max over
// ranks), without the protocol knowing whether MPI is there.
#pragma once

#include <string>
#include <vector>

namespace parkit::exec {

class Group {
 public:
  virtual ~Group() = default;
  [[nodiscard]] virtual int rank() const = 0;
  [[nodiscard]] virtual int size() const = 0;
  virtual void barrier() = 0;
  /// Every rank's value, by rank, on every rank.
  [[nodiscard]] virtual std::vector<double> all_gather(double value) = 0;
  [[nodiscard]] virtual std::vector<std::string> all_gather(const std::string& value) = 0;
  /// True on every rank iff `value` is true on every rank.
  [[nodiscard]] virtual bool all_of(bool value) = 0;
};

/// The group of one process: the shared-memory models run in it.
class SelfGroup final : public Group {
 public:
  [[nodiscard]] int rank() const override { return 0; }
  [[nodiscard]] int size() const override { return 1; }
  void barrier() override {}
  [[nodiscard]] std::vector<double> all_gather(double value) override { return {value}; }
  [[nodiscard]] std::vector<std::string> all_gather(const std::string& value) override {
    return {value};
  }
  [[nodiscard]] bool all_of(bool value) override { return value; }
};

}  // namespace parkit::exec
