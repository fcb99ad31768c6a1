// SPDX-License-Identifier: MIT
#include "drivers/cli/machine.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "drivers/build_info.hpp"
#include "parkit/exec/affinity.hpp"
#include "parkit/exec/runtime.hpp"
#include "parkit/exec/timer.hpp"

extern char** environ;

namespace parkit::cli {
extern const char* const git_commit;  // generated at build time
}

namespace parkit::cli {
namespace {

/// Value of "key : value" or "Key: 123 kB" lines in /proc files.
std::optional<std::string> proc_field(const char* path, std::string_view key) {
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with(key)) continue;
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    return value;
  }
  return std::nullopt;
}

std::uint64_t meminfo_bytes(std::string_view key) {
  const auto v = proc_field("/proc/meminfo", key);
  return v ? std::stoull(*v) * 1024 : 0;  // the kernel reports kB (KiB)
}

}  // namespace

BuildInfo build_info() {
  return {PARKIT_VERSION,
          git_commit,
          PARKIT_CXX_COMPILER,
          PARKIT_CXX_FLAGS,
          PARKIT_BUILD_TYPE,
          exec::openmp_version(),
          exec::mpi_library_version()};
}

std::uint64_t available_memory() {
  std::uint64_t available = meminfo_bytes("MemAvailable");
  std::ifstream max_file("/sys/fs/cgroup/memory.max"),
      current_file("/sys/fs/cgroup/memory.current");
  std::uint64_t limit = 0, used = 0;
  if ((max_file >> limit) && (current_file >> used) && limit > used)  // "max" fails to parse
    available = std::min(available, limit - used);
  return available;
}

MachineInfo machine_info() {
  MachineInfo m;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0) m.host = host;
  utsname u{};
  if (uname(&u) == 0) m.os = std::string(u.sysname) + " " + u.release + " " + u.machine;
  m.cpu_model = proc_field("/proc/cpuinfo", "model name").value_or("unknown");
  const long online = sysconf(_SC_NPROCESSORS_ONLN);
  m.logical_cpus = online > 0 ? static_cast<unsigned>(online) : 0;
  m.allowed_cpus = exec::current_cpu_list();
  m.memory_total = meminfo_bytes("MemTotal");
  m.memory_available = available_memory();
  m.timer_resolution = exec::timer_resolution();
  return m;
}

namespace {
std::vector<std::string>& startup_environment() {
  static std::vector<std::string> snapshot;
  return snapshot;
}
}  // namespace

void remember_startup_environment() {
  auto& snapshot = startup_environment();
  snapshot.clear();
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) snapshot.emplace_back(*e);
}

std::vector<std::pair<std::string, std::string>> environment_with_prefixes(
    const std::vector<std::string>& prefixes) {
  std::vector<std::pair<std::string, std::string>> out;
  std::vector<std::string> now;
  if (startup_environment().empty())
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) now.emplace_back(*e);
  for (const std::string& text : startup_environment().empty() ? now : startup_environment()) {
    const std::string_view entry(text);
    const std::size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view name = entry.substr(0, eq);
    for (const std::string& p : prefixes)
      if (name.starts_with(p)) {
        out.emplace_back(std::string(name), std::string(entry.substr(eq + 1)));
        break;
      }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace parkit::cli
