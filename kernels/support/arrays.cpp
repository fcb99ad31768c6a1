// SPDX-License-Identifier: MIT
#include "parkit/kernels/arrays.hpp"

#include <unistd.h>

#include <array>
#include <cstdlib>

namespace parkit::kernels::arrays {
namespace {

bool runs_here(Path path) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  return path == Path::baseline || __builtin_cpu_supports("avx512f");
#else
  return path == Path::baseline;
#endif
}

Path choose() {
  if (const char* asked = std::getenv("PARKIT_ARRAY_PATH"))
    for (const Path p : paths_here())
      if (name_of(p) == asked) return p;
  return paths_here().back();
}

}  // namespace

std::string_view name_of(Path path) {
  constexpr std::array<std::string_view, 2> names{"baseline", "avx512"};
  return names.at(static_cast<std::size_t>(path));
}

std::vector<Path> paths_here() {
  std::vector<Path> here;
  for (const Path p : {Path::baseline, Path::avx512})
    if (runs_here(p)) here.push_back(p);
  return here;
}

Path path() {
  static const Path chosen = choose();
  return chosen;
}

std::size_t streaming_threshold_bytes() {
  static const std::size_t threshold = [] {
    const long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);  // 0 or -1 where the kernel does not say
    return 8 * (l2 > 0 ? static_cast<std::size_t>(l2) : std::size_t{2} << 20);
  }();
  return threshold;
}

}  // namespace parkit::kernels::arrays
