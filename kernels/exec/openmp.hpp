// SPDX-License-Identifier: MIT
// openmp: one parallel region per call, thread t on block t (static, like schedule(static)), so
// first touch and the kernel agree. Respects OMP_NUM_THREADS / OMP_PROC_BIND / OMP_PLACES;
// --threads overrides the count through num_threads().
#pragma once

#include <omp.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "parkit/exec/model.hpp"

namespace parkit::exec {

class OpenMP {
 public:
  static constexpr std::string_view name = "openmp";
  explicit OpenMP(const ModelConfig& config = {});

  [[nodiscard]] Range local_range(Range global) const { return global; }
  template <class F>
  void for_each_block(Range r, F&& body) {
    const int workers = threads_;
#pragma omp parallel num_threads(workers)
    {
      const int t = omp_get_thread_num();
      thread_ids_[static_cast<std::size_t>(t)] = current_thread_id();
      body(block(r, t, workers));
    }
  }
  template <class T, class F>
  T reduce(Range r, F&& partial) {
    const int workers = threads_;
    std::vector<T> partials(static_cast<std::size_t>(workers));
#pragma omp parallel num_threads(workers)
    {
      const int t = omp_get_thread_num();
      thread_ids_[static_cast<std::size_t>(t)] = current_thread_id();
      partials[static_cast<std::size_t>(t)] = partial(block(r, t, workers));
    }
    T total{};
    for (const T& p : partials) total += p;  // fixed order: reproducible for a worker count
    return total;
  }
  [[nodiscard]] Placement placement() const { return placement_; }
  /// The runtime's threads of the last region (libgomp keeps them from region to region).
  [[nodiscard]] std::vector<int> worker_thread_ids() const { return thread_ids_; }
  [[nodiscard]] Group& group() { return group_; }

 private:
  int threads_;
  Placement placement_;
  std::vector<int> thread_ids_;  // written by each region's threads, read after it
  SelfGroup group_;
};

}  // namespace parkit::exec
