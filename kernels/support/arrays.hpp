// SPDX-License-Identifier: MIT
// The inner loops of the array kernels, written once so each kernel file only says what one
// element is: write_array(out, n, value) lets value(at, y) set y = out[i], where at(p) reads
// p[i], and sum_of(x, n, term) lets term(at, sum) add to sum. The functors are generic: at(p) is
// a double or a GCC vector of doubles (and y, sum the same). Both come in a baseline (SSE2) and
// an AVX-512 build, chosen by CPUID at run time.
//
// No vector crosses a call by value between code built for different instruction sets: the
// kernels' lambdas are built for the baseline and called from AVX-512 functions, and a 64-byte
// vector is passed or returned in a zmm register by one and in memory by the other (the GCC
// -Wpsabi warning; at -O0, where nothing is inlined, it read garbage). So the functors take
// `at` (an index) by value and their result by reference, and at(p) is only ever called from
// inside them, in their own instruction set.
//
// Why not leave it to the compiler: a memory-bound map is limited by its stores. A regular store
// first reads the line it writes (write-allocate), so square_map moves 24 B per element, not 16.
// Non-temporal (streaming) stores skip that read; measured on the 2-core VM (bench/README.md),
// square_map went from 11 to 15.5 GB/s on one thread with 64-byte streaming stores, 12.3 with
// SSE2 ones. GCC never emits them by itself. But a streamed output leaves the caches, so for an
// output small enough to stay cached regular stores win; write_array streams only blocks of at
// least streaming_threshold_bytes() (8 x the L2: L3 sizes reported inside VMs are the host's,
// 480 MiB here, while the measured crossover was 16-32 MiB).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "parkit/exec/range.hpp"

namespace parkit::kernels::arrays {

using exec::Index;

enum class Path { baseline, avx512 };
[[nodiscard]] std::string_view name_of(Path path);
/// The paths this CPU runs, baseline first.
[[nodiscard]] std::vector<Path> paths_here();
/// The widest path here, or PARKIT_ARRAY_PATH when it names one that runs here.
[[nodiscard]] Path path();
/// Blocks whose output is at least this big are written with streaming stores.
[[nodiscard]] std::size_t streaming_threshold_bytes();

namespace detail {

constexpr Index chunk = 8;  // one 64-byte cache line of doubles

/// What a kernel's value function reads with: at(p) is p[i], one double ...
struct ScalarAt {
  Index i;
  [[gnu::always_inline]] double operator()(const double* p) const { return p[i]; }
};
/// ... or the W doubles from p + i, as a GCC vector, so the kernel's arithmetic is vectorised
/// as written (left to group 8 scalar values itself, GCC built each vector lane by lane).
using Lanes2 = double [[gnu::vector_size(16)]];  // SSE2's __m128d
using Lanes8 = double [[gnu::vector_size(64)]];  // AVX-512's __m512d
template <int W>
struct VectorAt {
  // (spelled out: GCC 12 drops a vector_size that depends on a template parameter)
  using Lanes = std::conditional_t<W == 2, Lanes2, Lanes8>;
  Index i;
  [[gnu::always_inline]] Lanes operator()(const double* p) const {
    Lanes v;
    std::memcpy(&v, p + i, sizeof v);
    return v;
  }
};

template <class Value>
[[gnu::always_inline]] inline void write_plain(double* __restrict__ out, Index from, Index to,
                                               Value& value) {
  for (Index i = from; i < to; ++i) {
    double result;  // a local, then one store through out: out's __restrict__ stays visible
    value(ScalarAt{i}, result);  // (through a reference to out[i], copy lost its vectorising)
    out[i] = result;
  }
}

/// First index from which out + i is 64-byte aligned (streaming stores need aligned lines).
inline Index aligned_start(const double* out, Index n) {
  const auto misalignment = reinterpret_cast<std::uintptr_t>(out) % 64;
  const Index head = misalignment == 0 ? 0 : static_cast<Index>((64 - misalignment) / 8);
  return head < n ? head : n;
}

#if defined(__x86_64__)
// The functors come by value: a copy whose address never escapes cannot be aliased by the
// stores, so its captured pointers stay in registers (by reference, GCC reloaded them after
// every streaming store when it did not inline: 38 % more instructions, bench/callgrind).
template <class Value>
void write_streaming_sse2(double* __restrict__ out, Index n, Value value) {
  const Index head = aligned_start(out, n);
  write_plain(out, 0, head, value);
  Index i = head;
  for (; i + chunk <= n; i += chunk)
    for (Index l = 0; l < chunk; l += 2) {
      Lanes2 y;
      value(VectorAt<2>{i + l}, y);
      _mm_stream_pd(out + i + l, static_cast<__m128d>(y));
    }
  write_plain(out, i, n, value);
  _mm_sfence();  // streaming stores are weakly ordered: publish them before the block is done
}

template <class Value>
[[gnu::target("avx512f")]] void write_avx512(double* __restrict__ out, Index n, Value value,
                                             bool streaming) {
  const Index head = aligned_start(out, n);
  write_plain(out, 0, head, value);
  Index i = head;
  Lanes8 y;
  if (streaming)
    for (; i + chunk <= n; i += chunk) {
      value(VectorAt<chunk>{i}, y);
      _mm512_stream_pd(out + i, static_cast<__m512d>(y));
    }
  else
    for (; i + chunk <= n; i += chunk) {
      value(VectorAt<chunk>{i}, y);
      _mm512_store_pd(out + i, static_cast<__m512d>(y));
    }
  write_plain(out, i, n, value);
  if (streaming) _mm_sfence();
}

template <class Term>
[[gnu::target("avx512f")]] double sum_avx512(const double* x, Index n, Term term) {
  // Four independent 8-lane accumulators hide the add latency; the prefetch 4 KiB ahead keeps
  // more lines in flight than the hardware prefetcher alone on one core (+5-15 % measured).
  // Whole vectors: GCC left one of the four scalar when it had to group 8 scalar terms itself.
  Lanes8 acc[4] = {};
  Index i = 0;
  for (; i + 4 * chunk <= n; i += 4 * chunk) {
    _mm_prefetch(reinterpret_cast<const char*>(x + i + 512), _MM_HINT_T0);
    for (Index a = 0; a < 4; ++a) term(VectorAt<chunk>{i + a * chunk}, acc[a]);
  }
  const Lanes8 all = (acc[0] + acc[1]) + (acc[2] + acc[3]);
  double total = 0;
  for (Index l = 0; l < chunk; ++l) total += all[l];
  for (; i < n; ++i) term(ScalarAt{i}, total);
  return total;
}
#endif

template <class Term>
double sum_baseline(const double* /*x, for prefetching*/, Index n, Term term) {
  // Eight independent sums let the compiler vectorise without -ffast-math.
  double acc[chunk] = {};
  Index i = 0;
  for (; i + chunk <= n; i += chunk)
    for (Index l = 0; l < chunk; ++l) term(ScalarAt{i + l}, acc[l]);
  for (; i < n; ++i) term(ScalarAt{i}, acc[0]);
  double total = 0;
  for (double a : acc) total += a;
  return total;
}

}  // namespace detail

/// out[i] for i in [0, n), set by value(at, y), on the given path, where at(p) reads p[i]: one
/// double or a vector of doubles, so write value generic:
///   [x](auto at, auto& result) { result = at(x) * at(x); }
template <class Value>
void write_array(double* __restrict__ out, Index n, Value value, Path path) {
  const bool streaming =
      static_cast<std::size_t>(n) * sizeof(double) >= streaming_threshold_bytes();
#if defined(__x86_64__)
  if (path == Path::avx512) return detail::write_avx512(out, n, value, streaming);
  if (streaming) return detail::write_streaming_sse2(out, n, value);
#else
  (void)path;
  (void)streaming;
#endif
  detail::write_plain(out, 0, n, value);
}
template <class Value>
void write_array(double* __restrict__ out, Index n, Value value) {
  write_array(out, n, value, path());
}

/// The sum over i in [0, n) of what term(at, sum) adds, in independent lanes: the order of
/// additions differs from a plain loop, so use it where every partial is exact (integers below
/// 2^53). x is the array term reads (prefetched ahead). Write term generic:
///   [x](auto at, auto& sum) { sum += at(x) * at(x); }
template <class Term>
double sum_of(const double* x, Index n, Term term, Path path) {
#if defined(__x86_64__)
  if (path == Path::avx512) return detail::sum_avx512(x, n, term);
#else
  (void)path;
#endif
  return detail::sum_baseline(x, n, term);
}
template <class Term>
double sum_of(const double* x, Index n, Term term) {
  return sum_of(x, n, term, path());
}

}  // namespace parkit::kernels::arrays
