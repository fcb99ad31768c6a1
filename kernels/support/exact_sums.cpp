// SPDX-License-Identifier: MIT
// The exact sum of squares, element by element, as fast as this CPU's vector unit allows.
//
// Below 2^32 every i^2 fits in 64 bits. Lanes of 64-bit sums hold i, i + L, i + 2L, ... (L
// lanes in all); each step adds the lane's square to its sum and moves the square on by the
// recurrence (i + L)^2 = i^2 + d, d += 2L^2: three vector adds per L elements, no multiply.
// A lane's sum is flushed before it can overflow (steps * last^2 < 2^64) into a carry-save
// pair (a low word and a count of its wraps), so every element is really squared and added and
// nothing is ever lost; the pairs become one 128-bit total at the end. Where the AVX-512 IFMA
// unit is there and i < 2^26, i^2 is one 52-bit multiply-add into the lane instead (two ops per
// L elements). From 2^32 on, 128-bit products, one element at a time.
//
// The paths are compiled for their instruction sets with GCC's target attribute and chosen at
// run time, so one portable binary uses AVX-512 where the CPU has it (and valgrind, which has
// no AVX-512, still runs the AVX2 path).
#include "parkit/kernels/exact_sums.hpp"

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <string>

namespace parkit::kernels {
namespace {

using std::uint64_t;
constexpr uint64_t two32 = uint64_t{1} << 32;
constexpr uint64_t max_steps = 4096;  // steps between flushes when nothing forces them sooner

template <int Bytes>
using Vec [[gnu::vector_size(Bytes)]] = uint64_t;

/// The carry-save lanes: `low` wraps, `wraps` counts how often.
template <int Bytes, std::size_t V>
struct Totals {
  Vec<Bytes> low[V];
  Vec<Bytes> wraps[V];

  [[gnu::always_inline]] void add(const Vec<Bytes> (&sums)[V]) {
    for (std::size_t v = 0; v < V; ++v) {
      low[v] += sums[v];
      wraps[v] -= static_cast<Vec<Bytes>>(low[v] < sums[v]);  // a true comparison is all ones
    }
  }
  [[nodiscard]] u128 total() const {
    u128 t = 0;
    for (std::size_t v = 0; v < V; ++v)
      for (std::size_t k = 0; k < Bytes / 8; ++k)
        t += (static_cast<u128>(wraps[v][k]) << 64) + low[v][k];
    return t;
  }
};

/// Steps the lanes may take from `i` before a sum could overflow: steps * last^2 < 2^64, where
/// last is the largest index the steps reach; at most `cap`, at least 1.
[[gnu::always_inline]] inline uint64_t safe_steps(uint64_t i, uint64_t lanes, uint64_t cap) {
  uint64_t steps = cap;
  for (;;) {  // at most a few rounds: each shrinks steps to what the current last allows
    const uint64_t last = i + steps * lanes - 1;
    const uint64_t fits = UINT64_MAX / (last * last);
    if (fits >= steps) return steps;
    steps = std::max<uint64_t>(fits, 1);
    if (steps == 1) return 1;
  }
}

/// Sums the squares of [i, end) in lanes while a whole step of lanes fits below `end`
/// (end <= 2^32), and moves i past them.
template <int Bytes, std::size_t V>
[[gnu::always_inline]] inline void recurrence(uint64_t& i, uint64_t end, Totals<Bytes, V>& out) {
  constexpr std::size_t W = Bytes / 8;  // lanes per vector
  constexpr uint64_t L = W * V;
  if (i >= end || end - i < L) return;  // (i may start past end: from 2^32 on)
  Vec<Bytes> square[V], step[V];
  for (std::size_t v = 0; v < V; ++v)
    for (std::size_t k = 0; k < W; ++k) {
      const uint64_t j = i + v * W + k;
      square[v][k] = j * j;
      step[v][k] = 2 * L * j + L * L;  // (j + L)^2 - j^2
    }
  const uint64_t growth = 2 * L * L;  // each step's step grows by this
  while (end - i >= L) {
    const uint64_t steps = safe_steps(i, L, std::min<uint64_t>((end - i) / L, max_steps));
    Vec<Bytes> sums[V];
    for (std::size_t v = 0; v < V; ++v) sums[v] = Vec<Bytes>{};
    for (uint64_t t = 0; t < steps; ++t)
      for (std::size_t v = 0; v < V; ++v) {
        sums[v] += square[v];
        square[v] += step[v];
        step[v] += growth;
      }
    out.add(sums);
    i += steps * L;
  }
}

/// The path for a vector width: lanes below 2^32, then one element at a time.
template <int Bytes, std::size_t V>
[[gnu::always_inline]] inline u128 lanes_then_scalar(uint64_t i, uint64_t end) {
  Totals<Bytes, V> totals{};
  recurrence<Bytes, V>(i, std::min(end, two32), totals);
  u128 total = totals.total();
  for (; i < end; ++i) total += static_cast<u128>(i) * i;  // the tail, and all from 2^32 on
  return total;
}

u128 portable(uint64_t begin, uint64_t end) { return lanes_then_scalar<16, 4>(begin, end); }

[[gnu::target("avx2")]] u128 avx2(uint64_t begin, uint64_t end) {
  return lanes_then_scalar<32, 4>(begin, end);
}

[[gnu::target("avx512f")]] u128 avx512(uint64_t begin, uint64_t end) {
  return lanes_then_scalar<64, 4>(begin, end);
}

/// Below 2^26 (i^2 < 2^52): acc += i * i in one 52-bit multiply-add per lane, 64 lanes (eight
/// chains cover the multiply-add's latency: 0.33 ms for 10^7 here, 0.39 ms with four). From
/// 2^26 on, the recurrence.
[[gnu::target("avx512f,avx512ifma")]] u128 avx512_ifma(uint64_t begin, uint64_t end) {
  constexpr uint64_t two26 = uint64_t{1} << 26;
  constexpr std::size_t V = 8;
  constexpr uint64_t L = 8 * V;
  Totals<64, V> totals{};
  Totals<64, 4> recurrence_totals{};
  uint64_t i = begin;
  const uint64_t fma_end = std::min(end, two26);
  if (fma_end > i && fma_end - i >= L) {
    __m512i index[V];
    for (std::size_t v = 0; v < V; ++v)
      index[v] = _mm512_add_epi64(_mm512_set1_epi64(static_cast<long long>(i + 8 * v)),
                                  _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0));
    const __m512i advance = _mm512_set1_epi64(static_cast<long long>(L));
    while (fma_end - i >= L) {
      // each square < 2^52: 4096 of them fit in a 64-bit lane
      const uint64_t steps = std::min<uint64_t>((fma_end - i) / L, max_steps);
      __m512i sums[V];
      for (std::size_t v = 0; v < V; ++v) sums[v] = _mm512_setzero_si512();
      for (uint64_t t = 0; t < steps; ++t)
        for (std::size_t v = 0; v < V; ++v) {
          sums[v] = _mm512_madd52lo_epu64(sums[v], index[v], index[v]);
          index[v] = _mm512_add_epi64(index[v], advance);
        }
      Vec<64> as_vec[V];
      for (std::size_t v = 0; v < V; ++v) as_vec[v] = __builtin_bit_cast(Vec<64>, sums[v]);
      totals.add(as_vec);
      i += steps * L;
    }
  }
  recurrence<64, 4>(i, std::min(end, two32), recurrence_totals);
  u128 total = totals.total() + recurrence_totals.total();
  for (; i < end; ++i) total += static_cast<u128>(i) * i;
  return total;
}

using Implementation = u128 (*)(uint64_t, uint64_t);
constexpr std::array<Implementation, 4> implementations{portable, avx2, avx512, avx512_ifma};

bool runs_here(SumSquaresPath path) {
  __builtin_cpu_init();
  switch (path) {
    case SumSquaresPath::portable:
      return true;
    case SumSquaresPath::avx2:
      return __builtin_cpu_supports("avx2");
    case SumSquaresPath::avx512:
      return __builtin_cpu_supports("avx512f");
    case SumSquaresPath::avx512_ifma:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512ifma");
  }
  return false;
}

/// The widest path this CPU runs, unless PARKIT_SUM_SQUARES_PATH names another that it runs.
SumSquaresPath choose() {
  if (const char* asked = std::getenv("PARKIT_SUM_SQUARES_PATH"))
    for (const SumSquaresPath p : sum_squares_paths_here())
      if (name_of(p) == asked) return p;
  return sum_squares_paths_here().back();
}

}  // namespace

std::string_view name_of(SumSquaresPath path) {
  constexpr std::array<std::string_view, 4> names{"portable", "avx2", "avx512", "avx512-ifma"};
  return names.at(static_cast<std::size_t>(path));
}

std::vector<SumSquaresPath> sum_squares_paths_here() {
  std::vector<SumSquaresPath> here;
  for (const auto p : {SumSquaresPath::portable, SumSquaresPath::avx2, SumSquaresPath::avx512,
                       SumSquaresPath::avx512_ifma})
    if (runs_here(p)) here.push_back(p);
  return here;
}

SumSquaresPath sum_squares_path() {
  static const SumSquaresPath chosen = choose();
  return chosen;
}

u128 sum_squares_range(exec::Range r, SumSquaresPath path) {
  if (r.end <= r.begin) return 0;
  return implementations.at(static_cast<std::size_t>(path))(static_cast<uint64_t>(r.begin),
                                                            static_cast<uint64_t>(r.end));
}

u128 sum_squares_range(exec::Range r) { return sum_squares_range(r, sum_squares_path()); }

}  // namespace parkit::kernels
