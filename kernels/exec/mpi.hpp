// SPDX-License-Identifier: MIT
// mpi and hybrid: MPI decides which block of the global range this rank owns (block(global,
// rank, size)), and the inner model runs over that block; partials are summed with
// MPI_Allreduce. Mpi<Seq> is `mpi`, Mpi<OpenMP> is `hybrid`: one generic piece, not a copy.
#pragma once

#include <string>

#include "parkit/exec/model.hpp"
#include "parkit/exec/mpi_env.hpp"
#include "parkit/exec/seq.hpp"

namespace parkit::exec {

/// The group of all ranks in a communicator.
class MpiGroup final : public Group {
 public:
  explicit MpiGroup(MPI_Comm comm);
  [[nodiscard]] int rank() const override { return rank_; }
  [[nodiscard]] int size() const override { return size_; }
  void barrier() override;
  [[nodiscard]] std::vector<double> all_gather(double value) override;
  [[nodiscard]] std::vector<std::string> all_gather(const std::string& value) override;
  [[nodiscard]] bool all_of(bool value) override;

 private:
  MPI_Comm comm_;
  int rank_ = 0;
  int size_ = 1;
};

template <class Inner>
class Mpi {
 public:
  static constexpr std::string_view name = Inner::name == Seq::name ? "mpi" : "hybrid";
  explicit Mpi(const ModelConfig& config = {}) : inner_(config), group_(MPI_COMM_WORLD) {}

  [[nodiscard]] Range local_range(Range global) const {
    return block(global, group_.rank(), group_.size());
  }
  template <class F>
  void for_each_block(Range local, F&& body) {
    inner_.for_each_block(local, std::forward<F>(body));
  }
  template <class T, class F>
  T reduce(Range local, F&& partial) {
    const T mine = inner_.template reduce<T>(local, std::forward<F>(partial));
    return mpi::all_reduce_sum(MPI_COMM_WORLD, mine);  // inside the timed region: the job's cost
  }
  [[nodiscard]] Placement placement() const { return inner_.placement(); }
  [[nodiscard]] std::vector<int> worker_thread_ids() const { return inner_.worker_thread_ids(); }
  [[nodiscard]] Group& group() { return group_; }

 private:
  Inner inner_;
  MpiGroup group_;
};

}  // namespace parkit::exec
