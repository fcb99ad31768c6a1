// SPDX-License-Identifier: MIT
// What a kernel is. A kernel file declares its facts (KernelInfo), its data, its body over a block
// of global indices and an exact reference; it knows nothing of threads, OpenMP, MPI or timing.
// register_kernel<K>() (parkit/kernels/register.hpp) then generates the run of K under every model
// in parkit/exec/models.hpp.
#pragma once

#include <concepts>
#include <cstdint>
#include <limits>
#include <string_view>

#include "parkit/exec/range.hpp"
#include "parkit/exec/u128.hpp"
#include "parkit/kernels/buffer.hpp"

namespace parkit::kernels {

using exec::Index;
using exec::Range;

/// Facts about a kernel, declared once so rates and memory checks come for free.
struct KernelInfo {
  std::string_view name;
  std::string_view summary;
  double bytes_per_elem = 0;     ///< memory traffic per element (GB/s = bytes * n / time)
  double flops_per_elem = 0;     ///< arithmetic operations per element (integer ops count too)
  double memory_per_elem = 0;    ///< bytes resident per element (refuses sizes that do not fit)
  bool bandwidth_bound = false;  ///< reported as a percentage of the triad bandwidth
};

/// Every kernel: facts, its data for a local range of global indices, and a first-touch init of
/// one block of that range (run by the model, on the worker that will later compute the block).
template <class K>
concept Kernel = requires(typename K::Data& data, Range block) {
  { K::info } -> std::convertible_to<KernelInfo>;
  { K::allocate(block) } -> std::same_as<typename K::Data>;
  K::init(data, block);
};

/// What a reduction's result must be: a zero (value-initialised), a combine (`+=`, applied to
/// the partials in worker order, then in rank order, so it need not commute but must associate),
/// and exact equality for verification. double, u128 and integers are; so is a struct that
/// declares `+=` and a defaulted `==`. A result that crosses MPI ranks without an MPI op of its
/// own (everything but double and u128) is sent as bytes: it must be trivially copyable.
template <class R>
concept ReductionResult = std::default_initializable<R> && std::equality_comparable<R> &&
    std::copyable<R> && requires(R& total, const R& part) {
  total += part;
};

/// A reduction: partial results over blocks, combined in worker and rank order, equal the
/// reference. A Result that is not arithmetic is shown in the results (expected, observed) by
/// fmt::format("{}") if it has a formatter, else by a to_string(result) found by ADL.
template <class K>
concept ReduceKernel = Kernel<K> && ReductionResult<typename K::Result> &&
    requires(const typename K::Data& data, Range block, Index n) {
  { K::partial(data, block) } -> std::same_as<typename K::Result>;
  { K::reference(n) } -> std::same_as<typename K::Result>;
};

/// A map: writes an output array; every element is checked against its exact expected value.
/// The output is reset to NaN before each rep, so a body that writes nothing fails.
template <class K>
concept MapKernel = Kernel<K> &&
    requires(typename K::Data& data, const typename K::Data& cdata, Range block, Index i) {
  K::reset(data, block);
  K::body(data, block);
  { K::expected(i) } -> std::same_as<double>;
  { K::output(cdata, i) } -> std::same_as<double>;
};

/// Largest global n a kernel accepts (its own limit, e.g. 128 bits of result), or Index's max.
template <class K>
constexpr Index max_size() {
  if constexpr (requires { K::max_n(); })
    return K::max_n();
  else
    return std::numeric_limits<Index>::max();
}

}  // namespace parkit::kernels
