// SPDX-License-Identifier: MIT
// seq: one worker, the calling thread. The baseline of every speedup.
#pragma once

#include "parkit/exec/affinity.hpp"
#include "parkit/exec/model.hpp"

namespace parkit::exec {

class Seq {
 public:
  static constexpr std::string_view name = "seq";
  explicit Seq(const ModelConfig& /*unused: one worker by definition*/ = {}) {}

  [[nodiscard]] Range local_range(Range global) const { return global; }
  template <class F>
  void for_each_block(Range r, F&& body) {
    body(r);
  }
  template <class T, class F>
  T reduce(Range r, F&& partial) {
    return partial(r);
  }
  [[nodiscard]] Placement placement() const { return {1, "none", {current_cpu_list()}}; }
  [[nodiscard]] std::vector<int> worker_thread_ids() const { return {current_thread_id()}; }
  [[nodiscard]] Group& group() { return group_; }

 private:
  SelfGroup group_;
};

}  // namespace parkit::exec
