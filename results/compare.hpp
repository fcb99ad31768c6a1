// SPDX-License-Identifier: MIT
// `parkit compare BASE NEW`: which runs of two results files are the same measurement, their rep
// times pooled per side, compared (compare_statistics.hpp), and what differs between the two
// sides besides the time: the matched runs' own settings and the jobs' provenance. The CLI only
// formats a Comparison (table, CSV, JSON).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "parkit/results/compare_statistics.hpp"
#include "parkit/results/results_file.hpp"

namespace parkit::results {

enum class RunKind { kernel, io, hazard };
[[nodiscard]] std::string_view to_string(RunKind kind);  ///< "kernel", "io", "hazard"

/// What makes runs of two files the same measurement, as (field, value) pairs in a fixed order.
/// kernel: kernel, model, ranks, threads, n (global), scaling. io: driver, requests, paths,
/// concurrency, pool_threads, timeout_ms, connections, server (own|external): the workload and
/// the driver's configuration. hazard: scenario, variant, runtime, threads, producers,
/// consumers, capacity, ops: the variant and its workload.
struct RunKey {
  RunKind kind = RunKind::kernel;
  Pairs fields;
  bool operator==(const RunKey&) const = default;
};

/// The runs of one side with one key: several when a side is a merged study of repeated jobs.
struct PooledRuns {
  RunKey key;
  std::size_t runs = 0;
  std::vector<double> rep_times;  ///< seconds: every run's timed reps, in the order read
  std::vector<std::string> jobs;  ///< the jobs that measured them, each once
  /// The runs' settings outside the key (kernel: bind, kernel_build, cpus_per_thread,
  /// oversubscribed, warmup; io: warmup, and url for an external server; hazard: warmup), each
  /// the distinct values of the pooled runs joined by " | ".
  Pairs settings;
  /// What may explain a time: "1 of 2 runs disturbed (other work had the CPUs)", "not verified".
  std::vector<std::string> notes;
};

/// A field whose value differs between BASE and NEW.
struct Difference {
  std::string field;
  std::string base, fresh;
};

struct Match {
  PooledRuns base, fresh;
  SampleComparison stats;
  std::vector<Difference> differences;  ///< settings that differ between the two sides
};

struct Comparison {
  std::vector<Match> matches;                         ///< in BASE's order
  std::vector<PooledRuns> only_in_base, only_in_new;  ///< runs with no match, in file order
  /// Job provenance that differs: parkit_version, git_commit, compiler, compiler_flags,
  /// build_type, kernel_paths, cpu_model, os, cpus_allowed, cores, mpi_library, openmp_version,
  /// hdf5_version, threads_option, hosts, "openmp_icvs <icv>", "environment <OMP_* or PARKIT_*>",
  /// "context <key>". SLURM_* and OMPI_* are left out: they name the job and always differ.
  std::vector<Difference> provenance;
  std::size_t base_jobs = 0, new_jobs = 0;  ///< jobs with provenance per side (0: not recorded)
};

/// Pools each side's runs by key and compares every key present on both sides at `alpha` and
/// `threshold_percent` (see decide()).
[[nodiscard]] Comparison compare(const ResultsFile& base, const ResultsFile& fresh, double alpha,
                                 double threshold_percent);

/// Runs of every kind in the file, and how many of them have rep times.
[[nodiscard]] std::size_t run_count(const ResultsFile& file);
[[nodiscard]] std::size_t runs_with_rep_times(const ResultsFile& file);

}  // namespace parkit::results
