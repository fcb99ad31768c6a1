// SPDX-License-Identifier: MIT
// Facts about the parallel runtimes this binary was built with, for `parkit info` and provenance.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parkit::exec {

/// "4.5 (201511)", or "not built".
[[nodiscard]] std::string openmp_version();
/// OpenMP's internal control variables as the runtime sees them (name, value).
[[nodiscard]] std::vector<std::pair<std::string, std::string>> openmp_icvs();
/// OpenMP's name for an omp_proc_bind_t value ("close", "spread", "false", ...).
[[nodiscard]] std::string proc_bind_name(int policy);
/// Workers per process a model uses when --threads is not given: 1 for seq and mpi, the CPUs
/// allowed for threads, OpenMP's max threads (OMP_NUM_THREADS) for openmp and hybrid.
[[nodiscard]] unsigned default_threads(std::string_view model);
/// MPI_Get_library_version's first line, or "not built".
[[nodiscard]] std::string mpi_library_version();

}  // namespace parkit::exec
