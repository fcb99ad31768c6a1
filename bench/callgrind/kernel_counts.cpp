// SPDX-License-Identifier: MIT
// parkit_kernel_counts: runs ONE kernel once under the seq model, for bench/callgrind/count.py
// to count its instructions under valgrind --tool=callgrind. The kernels here are a second
// compilation of kernels/ for x86-64-v3 (valgrind 3.19 cannot run AVX-512), run through the
// registry exactly as the CLI runs them: one rep, no warm-up, no results file.
//
//   parkit_kernel_counts KERNEL N   exit 0 only if the run verified (1 if not, 2 usage error)
//   parkit_kernel_counts --list     the registered kernels, one a line
//   parkit_kernel_counts --about    the compiler, flags and models the kernels were built with
//
// No MPI is initialised (a seq run needs none, and valgrind would count Open MPI's start-up).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <charconv>
#include <exception>
#include <string_view>
#include <vector>

#include "parkit/exec/models.hpp"
#include "parkit/kernels/registry.hpp"

namespace {

using parkit::kernels::registry;

int usage(std::string_view why) {
  fmt::print(stderr,
             "parkit_kernel_counts: {}\nusage: parkit_kernel_counts KERNEL N | --list | --about\n"
             "kernels: {}\n",
             why, fmt::join(registry().names(), ", "));
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::string_view(argv[1]) == "--list") {
    for (const auto* entry : registry().kernels())
      if (entry->runners.contains("seq")) fmt::print("{}\n", entry->info.name);
    return 0;
  }
  if (argc == 2 && std::string_view(argv[1]) == "--about") {
    // The models matter too: their instantiations change GCC's inlining in the kernel files.
    std::vector<std::string_view> models;
    for (const auto& model : parkit::exec::model_catalog)
      if (model.built) models.push_back(model.name);
    fmt::print("GCC {}, {} -march=x86-64-v3, models {}\n", __VERSION__, PARKIT_KERNEL_FLAGS,
               fmt::join(models, " "));
    return 0;
  }
  if (argc != 3) return usage("expected a kernel and a size");
  const std::string_view kernel = argv[1], size = argv[2];
  const auto* entry = registry().find(kernel);
  if (entry == nullptr) return usage(fmt::format("unknown kernel '{}'", kernel));
  parkit::kernels::Index n = 0;
  const auto [end, error] = std::from_chars(size.data(), size.data() + size.size(), n);
  if (error != std::errc{} || end != size.data() + size.size() || n < 1 || n > entry->max_n)
    return usage(fmt::format("N must be an integer from 1 to {}, not '{}'", entry->max_n, size));

  parkit::kernels::RunRequest request;
  request.kernel = std::string(kernel);
  request.model = "seq";
  request.n = n;
  request.threads = 1;
  request.protocol = {.reps = 1, .warmup = 0};
  try {
    const parkit::measure::RunRecord record = parkit::kernels::run(request);
    fmt::print("{} seq n={}: {} (expected {}, observed {})\n", kernel, n,
               record.verified ? "verified" : "NOT VERIFIED", record.expected, record.observed);
    return record.verified ? 0 : 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "parkit_kernel_counts: {} n={}: {}\n", kernel, n, e.what());
    return 1;
  }
}
