// SPDX-License-Identifier: MIT
// The aggregates of an I/O run, computed from its reps' per-request data: makespan and CPU
// summaries, the latency distribution of answered requests, outcome counts, peak concurrency.
#pragma once

#include <cstdint>
#include <span>

#include "parkit/results/io_record.hpp"

namespace parkit::results {

/// How many of `outcomes` (IoOutcome codes) ended each way; throws std::invalid_argument on a
/// code that is no IoOutcome.
[[nodiscard]] IoCounts count_outcomes(std::span<const std::uint8_t> outcomes);

/// Nearest-rank percentile of `sorted` (ascending, not empty), 0 < percent <= 100: the smallest
/// value with at least percent% of the values at or below it, i.e. sorted[ceil(p/100 * n) - 1].
/// Always a measured value (no interpolation), so p99 of 10 requests is the slowest one.
[[nodiscard]] double nearest_rank(std::span<const double> sorted, int percent);

/// count, p50/p90/p99 (nearest rank), max and mean of `latencies`; all 0 when empty.
[[nodiscard]] LatencySummary summarize_latency(std::span<const double> latencies);

/// Fills makespan, cpu_seconds, latency, counts and max_in_flight of `record` from rep_data:
/// latency covers every request of every rep that got an answer (ok or http_error), counts and
/// max_in_flight are the sum and the maximum over reps. Throws std::invalid_argument (naming
/// the rep) when a rep's per-request arrays are not `requests` long, or its counts do not sum
/// to `requests` or disagree with its outcomes: counts sum to N, always.
void finalize(IoRecord& record);

}  // namespace parkit::results
