// SPDX-License-Identifier: MIT
// What every execution model provides, stated once as a concept, and what a run asks of it.
#pragma once

#include <concepts>
#include <string>
#include <string_view>
#include <vector>

#include "parkit/exec/affinity.hpp"
#include "parkit/exec/group.hpp"
#include "parkit/exec/range.hpp"

namespace parkit::exec {

/// Settings a run passes to whichever model it uses.
struct ModelConfig {
  unsigned threads = 0;  ///< 0: the model's default (hardware, or OMP_NUM_THREADS for OpenMP)
  Bind bind = Bind::none;
};

/// How a model placed its workers, for the record.
struct Placement {
  unsigned threads = 1;                  ///< workers per process
  std::string bind = "none";             ///< policy in force
  std::vector<std::string> thread_cpus;  ///< CPU list each worker may run on, by worker
};

/// A model splits a range into one block per worker (block(range, w, workers)), runs a body on
/// each block, and combines reduction partials in worker order, so a result depends only on the
/// worker count, never on timing.
template <class M>
concept Model = requires(M& m, const M& cm, Range r) {
  { M::name } -> std::convertible_to<std::string_view>;
  { cm.local_range(r) } -> std::same_as<Range>;
  m.for_each_block(r, [](Range) {});
  {
    m.template reduce<double>(r, [](Range) { return 0.0; })
    } -> std::same_as<double>;
  { cm.placement() } -> std::same_as<Placement>;
  /// Each worker's kernel thread id, by worker (what /proc says about it: interference).
  { cm.worker_thread_ids() } -> std::same_as<std::vector<int>>;
  { m.group() } -> std::convertible_to<Group&>;
};

}  // namespace parkit::exec
