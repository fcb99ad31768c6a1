// SPDX-License-Identifier: MIT
#include "parkit/exec/openmp.hpp"

#include <cstdlib>

#include "parkit/exec/runtime.hpp"

namespace parkit::exec {

OpenMP::OpenMP(const ModelConfig& config)
    : threads_(config.threads ? static_cast<int>(config.threads) : omp_get_max_threads()) {
  // Blocks are computed from the requested count, so a smaller team than asked for would leave
  // blocks unrun: check what the runtime really gives (OMP_THREAD_LIMIT, OMP_DYNAMIC).
  omp_set_dynamic(0);
  int granted = 0;
  std::vector<std::string> cpus(static_cast<std::size_t>(threads_));
  thread_ids_.assign(cpus.size(), -1);
#pragma omp parallel num_threads(threads_)
  {
#pragma omp single
    granted = omp_get_num_threads();
    cpus[static_cast<std::size_t>(omp_get_thread_num())] = current_cpu_list();
    thread_ids_[static_cast<std::size_t>(omp_get_thread_num())] = current_thread_id();
  }
  if (granted != threads_)
    throw std::runtime_error("OpenMP gave " + std::to_string(granted) + " threads instead of " +
                             std::to_string(threads_) + " (check OMP_THREAD_LIMIT, OMP_DYNAMIC)");
  placement_ = {static_cast<unsigned>(threads_), proc_bind_name(omp_get_proc_bind()),
                std::move(cpus)};
}

}  // namespace parkit::exec
