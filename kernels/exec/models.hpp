// SPDX-License-Identifier: MIT
// THE list of execution models. Adding a model is one header plus one entry here; the kernel x
// model matrix is generated from BuiltModels by register_kernel<K>(). The only #if on
// PARKIT_HAVE_OPENMP / PARKIT_HAVE_MPI in the tree is in this file.
#pragma once

#include <array>
#include <string_view>

#include "exec/seq.hpp"
#include "exec/threads.hpp"
#if PARKIT_HAVE_OPENMP
#include "exec/openmp.hpp"
#endif

namespace parkit::exec {

template <class... Models>
struct ModelList {};

using BuiltModels = ModelList<Seq, Threads
#if PARKIT_HAVE_OPENMP
                              ,
                              OpenMP
#endif
                              >;

/// Every model parkit knows, built into this binary or not, for `parkit list` and for errors that
/// say how to get a model this build lacks.
struct ModelEntry {
  std::string_view name;
  bool built;
  std::string_view summary;
  std::string_view how_to_build;  ///< empty when built
};

inline constexpr std::array model_catalog{
    ModelEntry{"seq", true, "one core, the baseline of every speedup", ""},
    ModelEntry{"threads", true, "fixed team of std::jthread, pinned close|spread|none", ""},
    ModelEntry{"openmp", PARKIT_HAVE_OPENMP != 0,
               "OpenMP parallel region; OMP_NUM_THREADS, OMP_PROC_BIND, OMP_PLACES",
               "reconfigure with -DPARKIT_ENABLE_OPENMP=ON (e.g. cmake --preset release)"},
};

}  // namespace parkit::exec
