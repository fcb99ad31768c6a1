// SPDX-License-Identifier: MIT
// RAII over MPI: the environment (MPI_Init_thread / MPI_Finalize), checked calls, and the
// datatypes and reduction ops parkit needs (including an exact 128-bit sum, which MPI lacks).
#pragma once

#include <mpi.h>

#include <concepts>
#include <cstddef>
#include <cstring>
#include <source_location>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "parkit/exec/u128.hpp"

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

/// The datatype and sum op for T in reductions: MPI's own for double, parkit's for u128; none
/// (an empty primary template) for other types, which all_reduce_sum combines itself.
template <class T>
struct Sum {};
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

template <class T>
concept HasMpiSum = requires {
  { Sum<T>::type() } -> std::same_as<MPI_Datatype>;
  { Sum<T>::op() } -> std::same_as<MPI_Op>;
};

/// Every rank's `size` bytes at `mine`, by rank, on every rank (MPI_Allgather).
[[nodiscard]] std::vector<std::byte> all_gather_bytes(MPI_Comm comm, const void* mine,
                                                      std::size_t size);

/// The sum over ranks of `mine`, on every rank: MPI_Allreduce with Sum<T>'s op (exact for
/// u128). Any other T (a kernel's own result type) is gathered as bytes and combined with `+=`
/// in rank order on every rank, so every rank gets the identical result, and `+=` need only be
/// associative. A user-defined MPI op would be faster for large results; kernel results are a
/// few bytes, and this needs nothing of the kernel but `+=`.
template <class T>
T all_reduce_sum(MPI_Comm comm, const T& mine) {
  T total{};
  if constexpr (HasMpiSum<T>) {
    check(MPI_Allreduce(&mine, &total, 1, Sum<T>::type(), Sum<T>::op(), comm));
  } else {
    static_assert(std::is_trivially_copyable_v<T>,
                  "a reduction result crosses MPI ranks as bytes: make it trivially copyable "
                  "(fixed-size members: no std::vector, std::string or pointers)");
    const std::vector<std::byte> all = all_gather_bytes(comm, &mine, sizeof(T));
    for (std::size_t at = 0; at < all.size(); at += sizeof(T)) {
      T part;
      std::memcpy(&part, all.data() + at, sizeof(T));
      total += part;
    }
  }
  return total;
}

}  // namespace parkit::mpi
