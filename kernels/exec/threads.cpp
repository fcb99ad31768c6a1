// SPDX-License-Identifier: MIT
#include "parkit/exec/threads.hpp"

#include <algorithm>
#include <thread>

namespace parkit::exec {

unsigned default_thread_count() {
  const auto cpus = static_cast<unsigned>(allowed_cpus().size());
  return std::max(1u, cpus ? cpus : std::thread::hardware_concurrency());
}

Placement Threads::placement() const {
  Placement p{team_->size(), std::string(to_string(bind_)), {}};
  const std::string unpinned = current_cpu_list();
  for (int cpu : team_->member_cpus())
    p.thread_cpus.push_back(cpu >= 0 ? std::to_string(cpu) : unpinned);
  return p;
}

}  // namespace parkit::exec
