// SPDX-License-Identifier: MIT
// main() of the test binaries: the job scope first (MPI_Init_thread when built with MPI: a
// singleton without mpiexec, so the mpi and hybrid cells run as one rank), then GoogleTest.
// Under mpiexec only rank 0 reports, and a failure on any rank fails every rank.
#include <gtest/gtest.h>

#include "parkit/exec/job.hpp"

int main(int argc, char** argv) {
  parkit::exec::job::Scope job(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  if (parkit::exec::job::rank() != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
  }
  const int failed = RUN_ALL_TESTS();
  return parkit::exec::job::max(failed);
}
