// SPDX-License-Identifier: MIT
// The job this process belongs to: one process without MPI (or as an MPI singleton), or every
// rank of an mpirun/srun launch. The CLI talks to the job through these calls and never to MPI.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace parkit::exec::job {

/// Created first in main(): MPI_Init_thread(FUNNELED) when built with MPI (a singleton when not
/// launched by mpirun), MPI_Finalize when it goes out of scope; nothing without MPI.
class [[nodiscard]] Scope {
 public:
  Scope(int& argc, char**& argv);
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// True when a launcher (mpirun, srun with PMI/PMIx) started this process.
[[nodiscard]] bool launched_by_launcher();

[[nodiscard]] int rank();
[[nodiscard]] int size();
/// Rank 0's text, on every rank.
[[nodiscard]] std::string broadcast(const std::string& text);
/// Every rank's text, by rank, on every rank.
[[nodiscard]] std::vector<std::string> all_gather(const std::string& text);
/// The largest value over ranks, on every rank.
[[nodiscard]] int max(int value);
/// A barrier that sleeps while it waits, so idle ranks leave the cores to the ones working.
void idle_barrier();
/// Ends every rank of the job with `code` (MPI_Abort); a plain exit without MPI.
[[noreturn]] void abort(int code);

/// This process's place on its node.
struct NodePlace {
  std::string host;
  int local_rank = 0;   ///< index among the job's ranks on this host
  int local_ranks = 1;  ///< the job's ranks on this host
};
/// Computed once when the Scope is made (a collective call), so any rank may ask at any time.
[[nodiscard]] NodePlace node_place();

}  // namespace parkit::exec::job
