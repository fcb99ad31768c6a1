// SPDX-License-Identifier: MIT
#include "parkit/exec/mpi.hpp"

namespace parkit::exec {

MpiGroup::MpiGroup(MPI_Comm comm) : comm_(comm) {
  mpi::check(MPI_Comm_rank(comm_, &rank_));
  mpi::check(MPI_Comm_size(comm_, &size_));
}

void MpiGroup::barrier() { mpi::check(MPI_Barrier(comm_)); }

std::vector<double> MpiGroup::all_gather(double value) {
  std::vector<double> all(static_cast<std::size_t>(size_));
  mpi::check(MPI_Allgather(&value, 1, MPI_DOUBLE, all.data(), 1, MPI_DOUBLE, comm_));
  return all;
}

std::vector<std::string> MpiGroup::all_gather(const std::string& value) {
  return mpi::all_gather(comm_, value);
}

bool MpiGroup::all_of(bool value) {
  int mine = value ? 1 : 0, all = 0;
  mpi::check(MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_LAND, comm_));
  return all != 0;
}

}  // namespace parkit::exec
