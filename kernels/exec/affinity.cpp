// SPDX-License-Identifier: MIT
#include "parkit/exec/affinity.hpp"

#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <system_error>

namespace parkit::exec {

std::string_view to_string(Bind b) noexcept {
  switch (b) {
    case Bind::close:
      return "close";
    case Bind::spread:
      return "spread";
    case Bind::none:
      break;
  }
  return "none";
}

std::optional<Bind> parse_bind(std::string_view s) {
  if (s == "none" || s == "false") return Bind::none;
  if (s == "close" || s == "true" || s == "master" || s == "primary") return Bind::close;
  if (s == "spread") return Bind::spread;
  return std::nullopt;
}

Bind default_bind() {
  const char* env = std::getenv("OMP_PROC_BIND");
  if (env == nullptr) return Bind::none;
  std::string_view v(env);
  v = v.substr(0, v.find(','));  // OMP_PROC_BIND may be a list per nesting level
  return parse_bind(v).value_or(Bind::none);
}

std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0)
    throw std::system_error(errno, std::generic_category(), "sched_getaffinity");
  std::vector<int> cpus;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(static_cast<std::size_t>(c), &set)) cpus.push_back(c);
  return cpus;
}

std::string cpu_list(const std::vector<int>& cpus) {
  std::string out;
  for (std::size_t i = 0; i < cpus.size();) {
    std::size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(cpus[i]);
    if (j > i) out += '-' + std::to_string(cpus[j]);
    i = j + 1;
  }
  return out;
}

std::string current_cpu_list() { return cpu_list(allowed_cpus()); }

int pick_cpu(const std::vector<int>& allowed, unsigned member, unsigned team_size, Bind bind) {
  if (bind == Bind::none || allowed.empty()) return -1;
  const std::size_t ncpu = allowed.size();
  std::size_t slot = member % ncpu;
  // spread: members as far apart as the cpuset allows; beyond one per CPU it wraps like close.
  if (bind == Bind::spread && team_size <= ncpu) slot = std::size_t{member} * ncpu / team_size;
  return allowed[slot];
}

int current_thread_id() noexcept {
  thread_local const int id = static_cast<int>(gettid());
  return id;
}

void pin_current_thread(int cpu) { set_current_affinity({cpu}); }

void set_current_affinity(const std::vector<int>& cpus) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int c : cpus) CPU_SET(static_cast<std::size_t>(c), &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0)
    throw std::system_error(errno, std::generic_category(), "sched_setaffinity");
}

}  // namespace parkit::exec
