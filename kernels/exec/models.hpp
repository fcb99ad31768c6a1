// SPDX-License-Identifier: MIT
// THE list of execution models. Adding a model is one header plus one entry here; the kernel x
// model matrix is generated from BuiltModels by register_kernel<K>(). The only #if on
// PARKIT_HAVE_OPENMP / PARKIT_HAVE_MPI in the tree is in this file.
#pragma once

#include <array>
#include <stdexcept>
#include <string>
#include <string_view>

#include "parkit/exec/seq.hpp"
#include "parkit/exec/threads.hpp"
#if PARKIT_HAVE_OPENMP
#include "parkit/exec/openmp.hpp"
#endif
#if PARKIT_HAVE_MPI
#include "parkit/exec/mpi.hpp"
#endif

namespace parkit::exec {

template <class... Models>
struct ModelList {};

using BuiltModels = ModelList<Seq, Threads
#if PARKIT_HAVE_OPENMP
                              ,
                              OpenMP
#endif
#if PARKIT_HAVE_MPI
                              ,
                              Mpi<Seq>
#endif
#if PARKIT_HAVE_MPI && PARKIT_HAVE_OPENMP
                              ,
                              Mpi<OpenMP>
#endif
                              >;

/// Every model parkit knows, built into this binary or not, for `parkit list` and for errors that
/// say how to get a model this build lacks.
struct ModelEntry {
  std::string_view name;
  bool built;
  bool spans_ranks;  ///< runs on every MPI rank; the others run on rank 0 alone
  bool threaded;     ///< takes --threads; the others have one worker per process
  std::string_view summary;
  std::string_view how_to_build;  ///< empty when built
};

inline constexpr std::array model_catalog{
    ModelEntry{"seq", true, false, false, "one core, the baseline of every speedup", ""},
    ModelEntry{"threads", true, false, true, "fixed team of std::jthread, pinned close|spread|none",
               ""},
    ModelEntry{"openmp", PARKIT_HAVE_OPENMP != 0, false, true,
               "OpenMP parallel region; OMP_NUM_THREADS, OMP_PROC_BIND, OMP_PLACES",
               "reconfigure with -DPARKIT_ENABLE_OPENMP=ON (e.g. cmake --preset release)"},
    ModelEntry{"mpi", PARKIT_HAVE_MPI != 0, true, false,
               "MPI ranks, block decomposition, Allreduce (exact 128-bit op for sum_squares)",
               "reconfigure with -DPARKIT_ENABLE_MPI=ON (e.g. cmake --preset release)"},
    ModelEntry{"hybrid", PARKIT_HAVE_MPI != 0 && PARKIT_HAVE_OPENMP != 0, true, true,
               "MPI ranks x OpenMP threads (Mpi<OpenMP>); MPI_THREAD_FUNNELED",
               "reconfigure with -DPARKIT_ENABLE_MPI=ON -DPARKIT_ENABLE_OPENMP=ON (e.g. cmake "
               "--preset release)"},
};

/// The catalog entry named `name`, or nullptr.
[[nodiscard]] constexpr const ModelEntry* find_model(std::string_view name) {
  for (const ModelEntry& m : model_catalog)
    if (m.name == name) return &m;
  return nullptr;
}

/// The catalog entry of a model already known to exist (validated options, a plan).
[[nodiscard]] inline const ModelEntry& model_entry(std::string_view name) {
  if (const ModelEntry* m = find_model(name)) return *m;
  throw std::invalid_argument("unknown model '" + std::string(name) + "'");
}

}  // namespace parkit::exec
