// SPDX-License-Identifier: MIT
// CPU affinity: the policy names OpenMP uses (close, spread) applied to std::thread teams.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parkit::exec {

enum class Bind { none, close, spread };

[[nodiscard]] std::string_view to_string(Bind b) noexcept;
/// Parses "none", "close", "spread" (and OpenMP's "false"/"true"/"master"/"primary").
[[nodiscard]] std::optional<Bind> parse_bind(std::string_view s);
/// The default policy for std::thread teams: OMP_PROC_BIND when it names one, else none.
[[nodiscard]] Bind default_bind();

/// CPUs this thread may run on, in ascending order (the process's cpuset under mpirun/Slurm).
[[nodiscard]] std::vector<int> allowed_cpus();
/// CPUs this thread may run on, as a compact list "0-3,8".
[[nodiscard]] std::string cpu_list(const std::vector<int>& cpus);
[[nodiscard]] std::string current_cpu_list();
/// The CPU that member `member` of a team of `team_size` is pinned to under `bind`.
[[nodiscard]] int pick_cpu(const std::vector<int>& allowed, unsigned member, unsigned team_size,
                           Bind bind);
/// The calling thread's kernel id (gettid), cached per thread: its /proc/self/task/<id> entry.
[[nodiscard]] int current_thread_id() noexcept;
/// Pins the calling thread to one CPU; throws std::system_error on failure.
void pin_current_thread(int cpu);
/// Restores the calling thread's affinity to `cpus`.
void set_current_affinity(const std::vector<int>& cpus);

}  // namespace parkit::exec
