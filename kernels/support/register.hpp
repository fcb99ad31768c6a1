// SPDX-License-Identifier: MIT
// The generated kernel x model matrix: KernelExperiment<K, M> adapts a kernel to the timing
// protocol under model M, and register_kernel<K>() adds one runner per model in BuiltModels.
// Nothing here times anything: the protocol (drivers/measure) does that, once.
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <utility>
#include <variant>

#include "drivers/measure/protocol.hpp"
#include "exec/job.hpp"
#include "exec/models.hpp"
#include "support/kernel.hpp"
#include "support/registry.hpp"

namespace parkit::kernels {

namespace detail {

template <class T>
std::string show(const T& value) {
  if constexpr (std::is_floating_point_v<T>)
    return fmt::format("{:.17g}", value);  // round-trips: equal strings <=> equal doubles
  else
    return parkit::to_string(value);
}

/// Equality, except for double sums past 2^53 where partial sums stop being exact integers.
template <class T>
bool matches(const T& observed, const T& expected, Index n) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::abs(expected) < 0x1p53) return observed == expected;
    return std::abs(observed - expected) <=
           static_cast<double>(n) * std::numeric_limits<double>::epsilon() * std::abs(expected);
  } else {
    return observed == expected;
  }
}

template <class K>
struct ResultOf {
  using type = std::monostate;  // maps have no result value
};
template <ReduceKernel K>
struct ResultOf<K> {
  using type = typename K::Result;
};

}  // namespace detail

template <class K, exec::Model M>
class KernelExperiment final : public measure::Experiment {
 public:
  KernelExperiment(M& model, Index n)
      : model_(model), local_(model.local_range({0, n})), n_(n), data_(K::allocate(local_)) {
    model_.for_each_block(local_, [this](Range b) { K::init(data_, b); });  // first touch
    if constexpr (ReduceKernel<K>) expected_ = K::reference(n);
  }

  [[nodiscard]] Range local_range() const { return local_; }

  void prepare() override {
    if constexpr (MapKernel<K>)
      model_.for_each_block(local_, [this](Range b) { K::reset(data_, b); });
  }

  void execute() override {
    if constexpr (ReduceKernel<K>)
      result_ = model_.template reduce<typename K::Result>(
          local_, [this](Range b) { return K::partial(data_, b); });
    else
      model_.for_each_block(local_, [this](Range b) { K::body(data_, b); });
  }

  measure::Verification verify() override {
    if constexpr (ReduceKernel<K>) {
      const bool ok = detail::matches(result_, expected_, n_);
      return {model_.group().all_of(ok), detail::show(expected_), detail::show(result_)};
    } else {
      // Checked here, sequentially and independently of the model, so a model that skips a
      // block cannot also skip its check; every rank counts its own elements.
      Index bad = 0, first_bad = -1;
      for (Index i = local_.begin; i < local_.end; ++i) {
        const double got = K::output(data_, i);
        if (!(got == K::expected(i)) && bad++ == 0) first_bad = i;
      }
      Index total_bad = 0, checked = 0;  // over every rank: the same answer everywhere
      const auto counts_bad = model_.group().all_gather(static_cast<double>(bad));
      const auto counts_seen = model_.group().all_gather(static_cast<double>(local_.size()));
      for (double c : counts_bad) total_bad += static_cast<Index>(c);
      for (double c : counts_seen) checked += static_cast<Index>(c);
      std::string observed = fmt::format("{} of {} elements exact", checked - total_bad, n_);
      if (first_bad >= 0)
        observed += fmt::format(" (first wrong: [{}] = {}, want {})", first_bad,
                                K::output(data_, first_bad), K::expected(first_bad));
      return {total_bad == 0 && checked == n_, fmt::format("{} of {} elements exact", n_, n_),
              observed};
    }
  }

  exec::Group& group() override { return model_.group(); }

 private:
  using Result = typename detail::ResultOf<K>::type;

  M& model_;
  Range local_;
  Index n_;
  typename K::Data data_;
  Result result_{};
  Result expected_{};
};

/// Every rank's placement, gathered over the model's group (one rank for shared-memory models).
inline std::vector<results::RankPlacement> gather_placement(exec::Group& group,
                                                            const exec::Placement& mine) {
  const exec::job::NodePlace place = exec::job::node_place();
  std::string text = place.host + '\t' + std::to_string(place.local_rank);
  for (const std::string& cpus : mine.thread_cpus) text += '\t' + cpus;
  std::vector<results::RankPlacement> all;
  for (const std::string& rank_text : group.all_gather(text)) {
    results::RankPlacement p;
    std::size_t field = 0, start = 0;
    for (std::size_t end = 0; end != std::string::npos; start = end + 1, ++field) {
      end = rank_text.find('\t', start);
      const std::string value =
          rank_text.substr(start, end == std::string::npos ? end : end - start);
      if (field == 0)
        p.host = value;
      else if (field == 1)
        p.local_rank = std::stoi(value);
      else
        p.thread_cpus.push_back(value);
    }
    all.push_back(std::move(p));
  }
  return all;
}

/// Runs kernel K under model M through the protocol. This is the kernel x model matrix's cell.
template <class K, exec::Model M>
results::RunRecord run_cell(const RunRequest& request) {
  M model(exec::ModelConfig{request.threads, request.bind});
  const exec::Placement placement = model.placement();
  const int ranks = model.group().size();
  // weak scaling: the size asked for is per worker (ranks x threads)
  const Index n = request.scaling == "weak"
                      ? request.n * ranks * static_cast<Index>(placement.threads)
                      : request.n;
  KernelExperiment<K, M> experiment(model, n);
  const measure::Measurement m = measure::measure(experiment, request.protocol, request.on_rep);
  const measure::RunFacts facts{.kernel = std::string(K::info.name),
                                .model = std::string(M::name),
                                .scaling = request.scaling,
                                .n_global = n,
                                .n_per_rank = experiment.local_range().size(),
                                .bind = placement.bind,
                                .placement = gather_placement(model.group(), placement),
                                .threads = placement.threads,
                                .bytes_per_elem = K::info.bytes_per_elem,
                                .flops_per_elem = K::info.flops_per_elem,
                                .bandwidth_bound = K::info.bandwidth_bound};
  return measure::make_record(facts, request.protocol, m, ranks);
}

template <class K, class... Ms>
void add_runners(KernelEntry& entry, exec::ModelList<Ms...>) {
  (entry.runners.emplace(std::string(Ms::name), &run_cell<K, Ms>), ...);
}

/// Adds K to the registry with one runner per built model. Call once, in K's own file:
///   [[maybe_unused]] const bool registered = register_kernel<MyKernel>();
template <class K>
requires ReduceKernel<K> || MapKernel<K>
bool register_kernel() {
  KernelEntry entry{K::info, ReduceKernel<K>, max_size<K>(), {}};
  add_runners<K>(entry, exec::BuiltModels{});
  registry().add(std::move(entry));
  return true;
}

}  // namespace parkit::kernels
