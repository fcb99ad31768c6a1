// SPDX-License-Identifier: MIT
#include "parkit/exec/runtime.hpp"

#include <string_view>

#include "parkit/exec/threads.hpp"

#if PARKIT_HAVE_OPENMP
#include <omp.h>
#endif
#if PARKIT_HAVE_MPI
#include <mpi.h>
#endif

namespace parkit::exec {

std::string openmp_version() {
#if PARKIT_HAVE_OPENMP
  constexpr std::pair<long, std::string_view> versions[] = {
      {202111, "5.2"}, {202011, "5.1"}, {201811, "5.0"}, {201511, "4.5"},
      {201307, "4.0"}, {201107, "3.1"}, {200805, "3.0"}};
  for (const auto& [date, name] : versions)
    if (_OPENMP >= date) return std::string(name) + " (" + std::to_string(_OPENMP) + ")";
  return std::to_string(_OPENMP);
#else
  return "not built";
#endif
}

std::string proc_bind_name(int policy) {
#if PARKIT_HAVE_OPENMP
  switch (static_cast<omp_proc_bind_t>(policy)) {
    case omp_proc_bind_false:
      return "false";
    case omp_proc_bind_true:
      return "true";
    case omp_proc_bind_master:
      return "primary";
    case omp_proc_bind_close:
      return "close";
    case omp_proc_bind_spread:
      return "spread";
  }
#endif
  return "unknown (" + std::to_string(policy) + ")";
}

std::vector<std::pair<std::string, std::string>> openmp_icvs() {
#if PARKIT_HAVE_OPENMP
  return {{"max_threads", std::to_string(omp_get_max_threads())},
          {"num_procs", std::to_string(omp_get_num_procs())},
          {"thread_limit", std::to_string(omp_get_thread_limit())},
          {"dynamic", omp_get_dynamic() ? "true" : "false"},
          {"proc_bind", proc_bind_name(omp_get_proc_bind())},
          {"num_places", std::to_string(omp_get_num_places())}};
#else
  return {};
#endif
}

unsigned default_threads(std::string_view model) {
  if (model == "threads") return default_thread_count();
#if PARKIT_HAVE_OPENMP
  if (model == "openmp" || model == "hybrid") return static_cast<unsigned>(omp_get_max_threads());
#endif
  return 1;
}

std::string mpi_library_version() {
#if PARKIT_HAVE_MPI
  char text[MPI_MAX_LIBRARY_VERSION_STRING] = {};
  int length = 0;
  if (MPI_Get_library_version(text, &length) != MPI_SUCCESS) return "unknown";  // legal before Init
  std::string_view v(text, static_cast<std::size_t>(length));
  v = v.substr(0, v.find_first_of("\r\n,"));
  return std::string(v);
#else
  return "not built";
#endif
}

}  // namespace parkit::exec
