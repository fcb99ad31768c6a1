// SPDX-License-Identifier: MIT
// The generated kernel x model matrix: KernelExperiment<K, M> adapts a kernel to the timing
// protocol under model M, and register_kernel<K>() adds one runner per model in BuiltModels.
// Nothing here times anything: the protocol (measure/protocol.hpp) does that, once.
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <utility>
#include <variant>

#include "parkit/exec/job.hpp"
#include "parkit/exec/models.hpp"
#include "parkit/kernels/concepts.hpp"
#include "parkit/kernels/registry.hpp"
#include "parkit/measure/protocol.hpp"

namespace parkit::kernels {

namespace detail {

/// A result as the results file records it (expected, observed).
template <class T>
std::string show(const T& value) {
  if constexpr (std::is_floating_point_v<T>)
    return fmt::format("{:.17g}", value);  // round-trips: equal strings <=> equal doubles
  else if constexpr (std::is_same_v<T, u128>)
    return parkit::to_string(value);
  else if constexpr (fmt::is_formattable<T>::value)
    return fmt::format("{}", value);  // integers, and a result type with a fmt::formatter
  else if constexpr (requires { to_string(value); })
    return to_string(value);  // a result type's own to_string, found by argument-dependent lookup
  else
    static_assert(sizeof(T) == 0,
                  "a kernel's Result needs a fmt::formatter or a to_string(const Result&) in its "
                  "namespace, so its expected and observed values can be recorded");
}

/// Equality, except for floating-point sums past 2^digits (2^53 for double, 2^24 for float),
/// where partial sums stop being exact integers: then within n ulps, relative.
template <class T>
bool matches(const T& observed, const T& expected, Index n) {
  if constexpr (std::is_floating_point_v<T>) {
    constexpr T exact_below = [] {
      T power = 1;
      for (int bit = 0; bit < std::numeric_limits<T>::digits; ++bit) power *= 2;
      return power;
    }();
    if (std::abs(expected) < exact_below) return observed == expected;
    return std::abs(observed - expected) <=
           static_cast<T>(n) * std::numeric_limits<T>::epsilon() * std::abs(expected);
  } else {
    return observed == expected;
  }
}

/// How the file that registers K was compiled, read off the predefined macros there: a template
/// of K, so it is instantiated in K's own file (its run_cell's), with that file's flags.
template <class K>
std::string compiled_with() {
#if defined(__clang__)
  std::string text = "Clang " __clang_version__;
#elif defined(__GNUC__)
  std::string text = "GNU " __VERSION__;
#else
  std::string text = "unknown compiler";
#endif
#ifdef __OPTIMIZE__
  text += ", optimised";
#else
  text += ", not optimised";
#endif
#ifdef __FAST_MATH__
  text += ", fast-math";
#endif
#ifdef NDEBUG
  text += ", NDEBUG";
#endif
#if defined(__AVX512F__)
  text += ", avx512f";
#elif defined(__AVX2__)
  text += ", avx2";
#elif defined(__AVX__)
  text += ", avx";
#else
  text += ", baseline ISA";
#endif
  return text;
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
  std::vector<int> worker_thread_ids() override { return model_.worker_thread_ids(); }

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
inline std::vector<measure::RankPlacement> gather_placement(exec::Group& group,
                                                            const exec::Placement& mine) {
  const exec::job::NodePlace place = exec::job::node_place();
  std::string text = place.host + '\t' + std::to_string(place.local_rank);
  for (const std::string& cpus : mine.thread_cpus) text += '\t' + cpus;
  std::vector<measure::RankPlacement> all;
  for (const std::string& rank_text : group.all_gather(text)) {
    measure::RankPlacement p;
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
measure::RunRecord run_cell(const RunRequest& request) {
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
                                .bandwidth_bound = K::info.bandwidth_bound,
                                .kernel_build = detail::compiled_with<K>()};
  return measure::make_record(facts, request.protocol, m, ranks);
}

template <class K, class... Ms>
void add_runners(KernelEntry& entry, exec::ModelList<Ms...>) {
  (entry.runners.emplace(std::string(Ms::name), &run_cell<K, Ms>), ...);
}

/// Adds K to the registry with one runner per built model. Call once, in K's own file:
///   [[maybe_unused]] const bool registered = register_kernel<MyKernel>();
template <class K>
bool register_kernel() {
  // What is missing, said plainly (a constraint would only say "not satisfied"):
  static_assert(Kernel<K>,
                "a kernel needs static constexpr KernelInfo info, a struct Data, "
                "static Data allocate(Range) and static void init(Data&, Range)");
  if constexpr (requires { typename K::Result; })
    static_assert(ReductionResult<typename K::Result>,
                  "a reduction's Result needs a zero (value-initialised), += to combine two "
                  "partials, and == (a struct: declare operator+= and a defaulted operator==)");
  static_assert(ReduceKernel<K> || MapKernel<K>,
                "a kernel is a reduction (using Result; static Result partial(const Data&, Range); "
                "static Result reference(Index)) or a map (reset, body, expected, output)");
  if constexpr (ReduceKernel<K> || MapKernel<K>) {  // else only the message above, no cascade
    KernelEntry entry{K::info, ReduceKernel<K>, max_size<K>(), {}};
    add_runners<K>(entry, exec::BuiltModels{});
    registry().add(std::move(entry));
  }
  return true;
}

}  // namespace parkit::kernels
