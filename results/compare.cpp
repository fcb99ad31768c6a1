// SPDX-License-Identifier: MIT
#include "parkit/results/compare.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>

namespace parkit::results {
namespace {

constexpr const char* not_recorded = "(not recorded)";

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : std::string(separator)) + part;
  return out;
}

/// CPUs in a list like "0-3,8" (as placement records them); 0 when it cannot be read.
std::size_t cpu_count(const std::string& list) {
  std::size_t count = 0, start = 0;
  while (start < list.size()) {
    const std::size_t comma = std::min(list.find(',', start), list.size());
    const std::string item = list.substr(start, comma - start);
    const std::size_t dash = item.find('-');
    try {
      count += dash == std::string::npos
                   ? 1
                   : std::stoul(item.substr(dash + 1)) - std::stoul(item.substr(0, dash)) + 1;
    } catch (const std::exception&) {
      return 0;
    }
    start = comma + 1;
  }
  return count;
}

/// "1" when every thread may run on one CPU (pinned), "2" on two, "1,2" when it varies.
std::string cpus_per_thread(const measure::RunRecord& r) {
  std::set<std::size_t> counts;
  for (const auto& rank : r.placement)
    for (const auto& cpus : rank.thread_cpus) counts.insert(cpu_count(cpus));
  if (counts.empty()) return not_recorded;
  std::vector<std::string> parts;
  for (std::size_t c : counts) parts.push_back(std::to_string(c));
  return join(parts, ",");
}

/// One run as the comparison sees it: its key, its reps, its settings, what may explain it.
struct RunView {
  RunKey key;
  std::vector<double> rep_times;
  std::string job;
  Pairs settings;
  std::vector<std::string> notes;  ///< one note kind per entry, counted over pooled runs
};

RunView view(const measure::RunRecord& r) {
  RunView v{{RunKind::kernel,
             {{"kernel", r.kernel},
              {"model", r.model},
              {"ranks", std::to_string(r.ranks)},
              {"threads", std::to_string(r.threads)},
              {"n", std::to_string(r.n_global)},
              {"scaling", r.scaling}}},
            r.rep_times,
            r.job,
            {{"bind", r.bind},
             {"kernel_build", r.kernel_build.empty() ? not_recorded : r.kernel_build},
             {"cpus_per_thread", cpus_per_thread(r)},
             {"oversubscribed", r.oversubscribed ? "yes" : "no"},
             {"warmup", std::to_string(r.warmup)}},
            {}};
  if (r.interference.disturbed_run()) v.notes.emplace_back("disturbed (other work had the CPUs)");
  if (!r.verified) v.notes.emplace_back("not verified");
  return v;
}

RunView view(const IoRecord& r) {
  RunView v{{RunKind::io,
             {{"driver", r.driver},
              {"requests", std::to_string(r.requests)},
              {"paths", join(r.paths, ",")},
              {"concurrency", std::to_string(r.concurrency)},
              {"pool_threads", std::to_string(r.pool_threads)},
              {"timeout_ms", std::to_string(r.timeout_ms)},
              {"connections", r.connections},
              {"server", r.server_started ? "own" : "external"}}},
            {},
            r.job,
            {{"warmup", std::to_string(r.warmup)}},
            {}};
  for (const IoRep& rep : r.rep_data) v.rep_times.push_back(rep.makespan_s);
  // parkit's own server gets a new port every job: its url says nothing
  if (!r.server_started) v.settings.emplace_back("url", r.url);
  if (r.counts.failed() > 0) v.notes.emplace_back("requests failed");
  return v;
}

RunView view(const HazardRecord& r) {
  RunView v{{RunKind::hazard,
             {{"scenario", r.scenario},
              {"variant", r.variant},
              {"runtime", r.runtime},
              {"threads", std::to_string(r.threads)},
              {"producers", std::to_string(r.producers)},
              {"consumers", std::to_string(r.consumers)},
              {"capacity", std::to_string(r.capacity)},
              {"ops", std::to_string(r.ops)}}},
            r.rep_seconds,
            r.job,
            {{"warmup", std::to_string(r.warmup)}},
            {}};
  if (r.expected_safe && !r.correct) v.notes.emplace_back("failed (a safe variant had anomalies)");
  return v;
}

std::vector<RunView> views(const ResultsFile& f) {
  std::vector<RunView> out;
  for (const auto& r : f.runs) out.push_back(view(r));
  for (const auto& r : f.io_runs) out.push_back(view(r));
  for (const auto& r : f.hazard_runs) out.push_back(view(r));
  return out;
}

/// Adds `value` to the " | "-joined distinct values of `field`.
void add_value(Pairs& pairs, const std::string& field, const std::string& value) {
  auto it =
      std::find_if(pairs.begin(), pairs.end(), [&](const auto& p) { return p.first == field; });
  if (it == pairs.end()) {
    pairs.emplace_back(field, value);
    return;
  }
  std::string& joined = it->second;
  std::size_t start = 0;
  for (std::size_t end;; start = end + 3) {  // is it one of the values already?
    end = joined.find(" | ", start);
    if (joined.compare(start, end == std::string::npos ? std::string::npos : end - start, value) ==
        0)
      return;
    if (end == std::string::npos) break;
  }
  joined += " | " + value;
}

/// The side's runs pooled by key, in first-seen order.
std::vector<PooledRuns> pool(const ResultsFile& f) {
  std::vector<PooledRuns> pooled;
  std::vector<std::map<std::string, std::size_t>> note_counts;  // by pooled entry
  for (RunView& v : views(f)) {
    auto it = std::find_if(pooled.begin(), pooled.end(),
                           [&](const PooledRuns& p) { return p.key == v.key; });
    if (it == pooled.end()) {
      it = pooled.insert(pooled.end(), PooledRuns{v.key, 0, {}, {}, {}, {}});
      note_counts.emplace_back();
    }
    PooledRuns& p = *it;
    ++p.runs;
    p.rep_times.insert(p.rep_times.end(), v.rep_times.begin(), v.rep_times.end());
    if (std::find(p.jobs.begin(), p.jobs.end(), v.job) == p.jobs.end()) p.jobs.push_back(v.job);
    for (const auto& [field, value] : v.settings) add_value(p.settings, field, value);
    for (const std::string& note : v.notes)
      ++note_counts[static_cast<std::size_t>(it - pooled.begin())][note];
  }
  for (std::size_t i = 0; i < pooled.size(); ++i)
    for (const auto& [note, count] : note_counts[i])
      pooled[i].notes.push_back(pooled[i].runs == 1
                                    ? note
                                    : std::to_string(count) + " of " +
                                          std::to_string(pooled[i].runs) + " runs " + note);
  return pooled;
}

std::string value_of(const Pairs& pairs, const std::string& field, const char* missing) {
  for (const auto& [k, v] : pairs)
    if (k == field) return v;
  return missing;
}

/// The fields of `field_names` (in that order) whose values differ between the two sides.
std::vector<Difference> differing(const Pairs& base, const Pairs& fresh,
                                  const std::vector<std::string>& field_names,
                                  const char* missing) {
  std::vector<Difference> out;
  for (const std::string& field : field_names) {
    std::string a = value_of(base, field, missing), b = value_of(fresh, field, missing);
    if (a != b) out.push_back({field, std::move(a), std::move(b)});
  }
  return out;
}

/// Every field name of either side, in the order first seen (BASE first).
std::vector<std::string> field_names(const Pairs& base, const Pairs& fresh) {
  std::vector<std::string> names;
  for (const Pairs* side : {&base, &fresh})
    for (const auto& [field, value] : *side)
      if (std::find(names.begin(), names.end(), field) == names.end()) names.push_back(field);
  return names;
}

constexpr const char* compared_job_text[] = {
    "parkit_version", "git_commit",   "compiler",       "compiler_flags",
    "build_type",     "kernel_paths", "cpu_model",      "os",
    "cpus_allowed",   "mpi_library",  "openmp_version", "hdf5_version",
    "threads_option"};

/// A job's provenance as the comparison reads it: the fields above (missing ones not recorded),
/// then "cores", "hosts", "openmp_icvs <icv>", "environment <OMP_*|PARKIT_*>", "context <key>".
/// Absent environment variables and context keys are simply not in the list.
Pairs provenance_fields(const JobProvenance& job) {
  Pairs out;
  for (const char* field : compared_job_text)
    out.emplace_back(field, value_of(job.text, field, not_recorded));
  std::string cores = not_recorded;
  for (const auto& [k, v] : job.numbers)
    if (k == "cores" && std::isfinite(v)) cores = std::to_string(std::llround(v));
  out.emplace_back("cores", cores);
  out.emplace_back("hosts", job.hosts.empty() ? std::string(not_recorded) : join(job.hosts, ","));
  for (const auto& [k, v] : job.openmp_icvs) out.emplace_back("openmp_icvs " + k, v);
  for (const auto& [k, v] : job.environment)
    if (k.starts_with("OMP_") || k.starts_with("PARKIT_")) out.emplace_back("environment " + k, v);
  for (const auto& [k, v] : job.context) out.emplace_back("context " + k, v);
  return out;
}

/// The side's jobs merged field by field: each field's distinct values joined by " | ", and
/// "(unset)" among them when some job lacks a variable or key that another job has.
Pairs side_provenance(const std::vector<JobProvenance>& jobs) {
  std::vector<Pairs> each;
  for (const auto& job : jobs) each.push_back(provenance_fields(job));
  Pairs merged;
  for (const std::string& field : [&] {
         std::vector<std::string> names;
         for (const Pairs& p : each)
           for (const auto& [k, v] : p)
             if (std::find(names.begin(), names.end(), k) == names.end()) names.push_back(k);
         return names;
       }())
    for (const Pairs& p : each) add_value(merged, field, value_of(p, field, "(unset)"));
  return merged;
}

}  // namespace

std::string_view to_string(RunKind kind) {
  switch (kind) {
    case RunKind::kernel:
      return "kernel";
    case RunKind::io:
      return "io";
    case RunKind::hazard:
      return "hazard";
  }
  return "kernel";
}

Comparison compare(const ResultsFile& base, const ResultsFile& fresh, double alpha,
                   double threshold_percent) {
  Comparison c;
  std::vector<PooledRuns> base_runs = pool(base), new_runs = pool(fresh);
  std::vector<bool> new_matched(new_runs.size(), false);
  for (PooledRuns& b : base_runs) {
    auto it = std::find_if(new_runs.begin(), new_runs.end(),
                           [&](const PooledRuns& n) { return n.key == b.key; });
    if (it == new_runs.end()) {
      c.only_in_base.push_back(std::move(b));
      continue;
    }
    new_matched[static_cast<std::size_t>(it - new_runs.begin())] = true;
    Match m{std::move(b), *it, {}, {}};
    m.stats = compare_samples(m.base.rep_times, m.fresh.rep_times, alpha, threshold_percent);
    m.differences = differing(m.base.settings, m.fresh.settings,
                              field_names(m.base.settings, m.fresh.settings), not_recorded);
    c.matches.push_back(std::move(m));
  }
  for (std::size_t i = 0; i < new_runs.size(); ++i)
    if (!new_matched[i]) c.only_in_new.push_back(std::move(new_runs[i]));

  c.base_jobs = base.jobs.size();
  c.new_jobs = fresh.jobs.size();
  if (c.base_jobs > 0 && c.new_jobs > 0) {
    const Pairs a = side_provenance(base.jobs), b = side_provenance(fresh.jobs);
    c.provenance = differing(a, b, field_names(a, b), "(unset)");
  }
  return c;
}

std::size_t run_count(const ResultsFile& f) {
  return f.runs.size() + f.io_runs.size() + f.hazard_runs.size();
}

std::size_t runs_with_rep_times(const ResultsFile& f) {
  std::size_t n = 0;
  for (const RunView& v : views(f))
    if (!v.rep_times.empty()) ++n;
  return n;
}

}  // namespace parkit::results
