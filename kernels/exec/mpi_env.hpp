// SPDX-License-Identifier: MIT
// RAII over MPI: the environment (MPI_Init_thread / MPI_Finalize), checked calls, and the
// datatypes and reduction ops parkit needs (including an exact 128-bit sum, which MPI lacks).
#pragma once

#include <mpi.h>

#include <source_location>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/u128.hpp"

namespace parkit::mpi {

/// An MPI call failed; the text is MPI_Error_string's plus the call site.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Throws Error unless rc is MPI_SUCCESS. Every MPI call in parkit goes through this.
void check(int rc, std::source_location where = std::source_location::current());

/// One per process, the first object in main(): MPI_Init_thread(FUNNELED) and errors as return
/// codes; MPI_Finalize in the destructor, which never throws. Without mpirun it is a singleton.
class [[nodiscard]] Environment {
 public:
  Environment(int& argc, char**& argv, int required = MPI_THREAD_FUNNELED);
  ~Environment();
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;
  [[nodiscard]] int provided() const noexcept { return provided_; }

 private:
  int provided_ = MPI_THREAD_SINGLE;
};

[[nodiscard]] bool initialized();
[[nodiscard]] int world_rank();
[[nodiscard]] int world_size();
/// Ranks of MPI_COMM_WORLD on this rank's node, and this rank's index among them.
struct NodeLocal {
  int rank = 0;
  int size = 1;
};
[[nodiscard]] NodeLocal node_local();

/// Ends every rank of the job: used when one rank fails and the others would wait forever.
[[noreturn]] void abort_world(int code);

/// Every rank's string, by rank, on every rank.
[[nodiscard]] std::vector<std::string> all_gather(MPI_Comm comm, const std::string& mine);
/// Rank 0's string on every rank.
[[nodiscard]] std::string broadcast(MPI_Comm comm, const std::string& text);

/// The datatype and sum op for T in reductions: MPI's own for double, parkit's for u128.
template <class T>
struct Sum;
template <>
struct Sum<double> {
  static MPI_Datatype type() { return MPI_DOUBLE; }
  static MPI_Op op() { return MPI_SUM; }
};
template <>
struct Sum<u128> {
  static MPI_Datatype type();  ///< 16 contiguous bytes, committed once
  static MPI_Op op();          ///< exact 128-bit addition (commutative), created once
};

/// sum over ranks of `mine`, on every rank, exact for u128.
template <class T>
T all_reduce_sum(MPI_Comm comm, const T& mine) {
  T total{};
  check(MPI_Allreduce(&mine, &total, 1, Sum<T>::type(), Sum<T>::op(), comm));
  return total;
}

}  // namespace parkit::mpi
