// SPDX-License-Identifier: MIT
// What parkit knows about this machine and this build: `parkit info`, memory checks, provenance.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace parkit::cli {

struct BuildInfo {
  std::string version, git_commit, compiler, flags, build_type, openmp, mpi;
};

struct MachineInfo {
  std::string host, os, cpu_model;
  unsigned logical_cpus = 0;                             ///< online CPUs
  std::string allowed_cpus;                              ///< this process's affinity, "0-3"
  std::uint64_t memory_total = 0, memory_available = 0;  ///< bytes
  double timer_resolution = 0;                           ///< seconds
};

[[nodiscard]] BuildInfo build_info();
[[nodiscard]] MachineInfo machine_info();

/// Bytes this process can still allocate: MemAvailable, capped by a cgroup v2 memory.max.
[[nodiscard]] std::uint64_t available_memory();

/// Snapshots the environment as the user launched us, before MPI_Init adds its own variables.
void remember_startup_environment();

/// All environment variables whose name starts with one of `prefixes`, sorted, as they were at
/// remember_startup_environment() (or now, if it was never called).
[[nodiscard]] std::vector<std::pair<std::string, std::string>> environment_with_prefixes(
    const std::vector<std::string>& prefixes);

}  // namespace parkit::cli
