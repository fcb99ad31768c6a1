// SPDX-License-Identifier: MIT
// threads: a fixed team of std::jthreads, member t always on block t (and pinned to the same CPU
// under close/spread), so first touch and the kernel see the same memory placement.
#pragma once

#include <memory>
#include <vector>

#include "parkit/exec/model.hpp"
#include "parkit/exec/team.hpp"

namespace parkit::exec {

/// Workers when none are asked for: the CPUs this process may run on.
[[nodiscard]] unsigned default_thread_count();

class Threads {
 public:
  static constexpr std::string_view name = "threads";
  explicit Threads(const ModelConfig& config = {})
      : bind_(config.bind),
        team_(std::make_unique<Team>(config.threads ? config.threads : default_thread_count(),
                                     config.bind)) {}

  [[nodiscard]] Range local_range(Range global) const { return global; }
  template <class F>
  void for_each_block(Range r, F&& body) {
    const unsigned workers = team_->size();
    auto job = [&](unsigned member) { body(block(r, member, workers)); };
    team_->run(job);
  }
  template <class T, class F>
  T reduce(Range r, F&& partial) {
    const unsigned workers = team_->size();
    std::vector<T> partials(workers);
    auto job = [&](unsigned member) { partials[member] = partial(block(r, member, workers)); };
    team_->run(job);
    T total{};
    for (const T& p : partials) total += p;  // fixed order: reproducible for a worker count
    return total;
  }
  [[nodiscard]] Placement placement() const;
  [[nodiscard]] std::vector<int> worker_thread_ids() const { return team_->member_thread_ids(); }
  [[nodiscard]] Group& group() { return group_; }

 private:
  Bind bind_;
  std::unique_ptr<Team> team_;  // a Team cannot move; the model can
  SelfGroup group_;
};

}  // namespace parkit::exec
