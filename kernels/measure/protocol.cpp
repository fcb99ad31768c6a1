// SPDX-License-Identifier: MIT
#include "parkit/measure/protocol.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "parkit/exec/timer.hpp"
#include "parkit/measure/interference.hpp"

namespace parkit::measure {
namespace {

// A rep shorter than this many clock ticks is mostly clock granularity.
constexpr double min_ticks_per_rep = 20;

double max_run_delay(const Interference& in) {
  double most = 0;
  for (const auto& rep : in.run_delay)
    for (double d : rep) most = std::max(most, d);
  return most;
}

}  // namespace

Measurement measure(Experiment& experiment, const Protocol& protocol, const RepDone& on_rep) {
  exec::Group& group = experiment.group();
  Measurement m;
  m.timer_resolution = exec::timer_resolution();

  const std::vector<int> workers = experiment.worker_thread_ids();
  InterferenceProbe probe(workers);

  // The probe reads /proc outside the timed region, before the barrier that starts it and
  // after the clock stops, so its window holds the whole rep and its cost none of it.
  auto run_once = [&](bool timed) -> double {
    experiment.prepare();
    if (timed) probe.before();
    group.barrier();
    const auto t0 = exec::Clock::now();
    experiment.execute();
    const double seconds = exec::seconds_since(t0);
    if (timed) probe.after();
    group.barrier();
    Verification v = experiment.verify();
    if (!v.ok && m.failed_reps++ == 0) m.verification = v;
    if (m.failed_reps == 0) m.verification = std::move(v);
    return seconds;
  };

  for (int w = 0; w < protocol.warmup; ++w) static_cast<void>(run_once(false));
  for (int rep = 1; rep <= protocol.reps; ++rep) {
    std::vector<double> per_rank = group.all_gather(run_once(true));
    m.rep_times.push_back(*std::max_element(per_rank.begin(), per_rank.end()));
    m.rank_times.push_back(std::move(per_rank));
    if (on_rep) on_rep(rep, protocol.reps);
  }
  const auto threads = static_cast<unsigned>(workers.size());
  m.interference = combine_interference(group.all_gather(probe.encode()), protocol.reps, threads);
  if (m.interference.recorded())
    m.interference.disturbed = disturbed_rule(m.interference, m.rep_times, threads);
  return m;
}

measure::RunRecord make_record(const RunFacts& facts, const Protocol& protocol,
                               const Measurement& m, int ranks) {
  measure::RunRecord r;
  r.kernel = facts.kernel;
  r.model = facts.model;
  r.scaling = facts.scaling;
  r.n_global = facts.n_global;
  r.n_per_rank = facts.n_per_rank;
  r.ranks = ranks;
  r.threads = facts.threads;
  r.bind = facts.bind;
  r.reps = protocol.reps;
  r.warmup = protocol.warmup;
  r.placement = facts.placement;
  r.bytes_per_elem = facts.bytes_per_elem;
  r.flops_per_elem = facts.flops_per_elem;
  r.bandwidth_bound = facts.bandwidth_bound;
  r.kernel_build = facts.kernel_build;
  r.interference = m.interference;
  r.rank_times = m.rank_times;
  r.rep_times = m.rep_times;
  std::vector<double> imbalance;
  for (const auto& per_rank : m.rank_times) {
    const double mean = std::accumulate(per_rank.begin(), per_rank.end(), 0.0) /
                        static_cast<double>(per_rank.size());
    r.rep_rank_min.push_back(*std::min_element(per_rank.begin(), per_rank.end()));
    r.rep_rank_mean.push_back(mean);
    if (mean > 0)
      imbalance.push_back(*std::max_element(per_rank.begin(), per_rank.end()) / mean - 1);
  }
  r.imbalance = measure::median(imbalance);
  r.time = measure::summarize(m.rep_times);
  r.outliers = measure::mad_outliers(m.rep_times);
  r.timer_resolution = m.timer_resolution;
  r.verified = m.failed_reps == 0;
  r.failed_reps = m.failed_reps;
  r.expected = m.verification.expected;
  r.observed = m.verification.observed;

  const double t = r.time.median;
  const auto n = static_cast<double>(r.n_global);
  if (t > 0) {
    r.gbytes_per_s = facts.bytes_per_elem * n / t / 1e9;
    r.gflops_per_s = facts.flops_per_elem * n / t / 1e9;
  }
  if (n > 0) r.ns_per_elem = t / n * 1e9;
  if (t > 0 && t < min_ticks_per_rep * m.timer_resolution)
    r.warnings.push_back(fmt::format(
        "median rep {:.3g} s is under {} ticks of the {:.3g} s timer: raise -n for a meaningful "
        "time",
        t, min_ticks_per_rep, m.timer_resolution));
  if (r.interference.disturbed_run())
    r.warnings.push_back(fmt::format(
        "{}: other work had this run's CPUs (the most a worker waited for one: {:.3g} s in a "
        "{:.3g} s median rep); rerun on a quieter node, or see the interference fields",
        r.interference.verdict(), max_run_delay(r.interference), t));
  if (!r.verified)
    r.warnings.push_back(fmt::format("{} execution(s) failed verification", r.failed_reps));
  return r;
}

}  // namespace parkit::measure
