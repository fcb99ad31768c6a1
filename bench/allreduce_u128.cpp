// SPDX-License-Identifier: MIT
// Latency of the exact 128-bit MPI_Allreduce (parkit's datatype + user op) next to a native
// 16-byte MPI_Allreduce (2 x MPI_UINT64_T, MPI_SUM). Run: mpirun -n 2 parkit_bench_allreduce
// Prints the median over samples of the time per call, in microseconds, on rank 0.
#include <mpi.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "parkit/exec/job.hpp"
#include "parkit/exec/mpi_env.hpp"

namespace {

constexpr int calls_per_sample = 2000;
constexpr int samples = 21;

/// Seconds per call of one sample (the slowest rank's), after the barrier.
template <class Call>
double sample_microseconds(Call call) {
  parkit::mpi::check(MPI_Barrier(MPI_COMM_WORLD));
  const double t0 = MPI_Wtime();
  for (int i = 0; i < calls_per_sample; ++i) call();
  double t = (MPI_Wtime() - t0) / calls_per_sample, slowest = 0;
  parkit::mpi::check(MPI_Allreduce(&t, &slowest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD));
  return slowest * 1e6;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  parkit::exec::job::Scope job(argc, argv);
  const int rank = parkit::exec::job::rank();
  const parkit::u128 mine = static_cast<parkit::u128>(UINT64_MAX) * static_cast<unsigned>(rank + 1);
  parkit::u128 exact = 0;
  auto exact_call = [&] { exact = parkit::mpi::all_reduce_sum(MPI_COMM_WORLD, mine); };
  std::uint64_t pair[2] = {static_cast<std::uint64_t>(rank), 1}, sums[2] = {};
  auto native_call = [&] {
    parkit::mpi::check(MPI_Allreduce(pair, sums, 2, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD));
  };
  sample_microseconds(exact_call);  // warm-up both paths
  sample_microseconds(native_call);
  std::vector<double> exact_us, native_us;
  for (int s = 0; s < samples; ++s) {  // interleaved, so drift hits both alike
    exact_us.push_back(sample_microseconds(exact_call));
    native_us.push_back(sample_microseconds(native_call));
  }
  const double u128_us = median(exact_us), native_median = median(native_us);
  if (rank == 0) {
    std::printf("ranks %d, %d interleaved samples x %d calls, median per call\n",
                parkit::exec::job::size(), samples, calls_per_sample);
    std::printf("u128 exact (user op)      %.3f us   sum = %s\n", u128_us,
                parkit::to_string(exact).c_str());
    std::printf("2 x uint64 MPI_SUM        %.3f us\n", native_median);
    std::printf("ratio u128 / native       %.2f\n", u128_us / native_median);
  }
  return 0;
}
