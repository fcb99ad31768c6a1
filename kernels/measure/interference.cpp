// SPDX-License-Identifier: MIT
#include "parkit/measure/interference.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string_view>

namespace parkit::measure {
namespace {

// Below this a worker's wait for a CPU is the kernel's own housekeeping (on a quiet 2-CPU VM,
// the odd rep has a kernel thread take 20-45 us).
constexpr double min_disturbance_s = 50e-6;
// A rep is disturbed when something else took this share of its time from one worker.
constexpr double disturbed_share = 0.05;
constexpr double user_hz = 100;  // /proc/stat's tick: USER_HZ is 100 on every Linux ABI

/// A whole /proc file (they are generated on read; one read() returns what fits).
std::optional<std::string> read_proc(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string text;
  char buffer[4096];
  for (;;) {
    const ssize_t got = read(fd, buffer, sizeof buffer);
    if (got <= 0) break;
    text.append(buffer, static_cast<std::size_t>(got));
  }
  close(fd);
  return text;
}

/// The number after `key` (and spaces or a colon), or nullopt.
template <class T>
std::optional<T> number_after(std::string_view text, std::string_view key) {
  const std::size_t at = text.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  std::size_t from = at + key.size();
  while (from < text.size() && (text[from] == ' ' || text[from] == ':' || text[from] == '\t'))
    ++from;
  T value{};
  const auto [end, ec] = std::from_chars(text.data() + from, text.data() + text.size(), value);
  if (ec != std::errc()) return std::nullopt;
  return value;
}

/// The n-th (0-based) space-separated number of `text`.
std::optional<std::int64_t> field(std::string_view text, int n) {
  std::size_t from = 0;
  for (int i = 0; i < n; ++i) {
    from = text.find(' ', from);
    if (from == std::string_view::npos) return std::nullopt;
    while (from < text.size() && text[from] == ' ') ++from;
  }
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data() + from, text.data() + text.size(), value);
  if (ec != std::errc()) return std::nullopt;
  return value;
}

/// This host's name, with the encoding's separators (space, '#', ';', '|') replaced.
std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown";
  std::string text = name;
  for (char& c : text)
    if (c == ' ' || c == '#' || c == ';' || c == '|') c = '_';
  return text.empty() ? "unknown" : text;
}

}  // namespace

std::optional<ThreadCounters> read_thread_counters(int thread_id) {
  if (thread_id <= 0) return std::nullopt;
  const std::string task = fmt::format("/proc/self/task/{}/", thread_id);
  // schedstat: "<ns on a CPU> <ns runnable, waiting for one> <timeslices>"
  const auto schedstat = read_proc(task + "schedstat");
  if (!schedstat) return std::nullopt;
  const auto delay_ns = field(*schedstat, 1);
  if (!delay_ns) return std::nullopt;
  ThreadCounters c;
  c.run_delay = static_cast<double>(*delay_ns) * 1e-9;
  // sched (CONFIG_SCHED_DEBUG) has both counts; else status has the switches only.
  if (const auto sched = read_proc(task + "sched")) {
    const auto switches = number_after<std::int64_t>(*sched, "nr_involuntary_switches");
    const auto moves = number_after<std::int64_t>(*sched, "se.nr_migrations");
    if (switches && moves) {
      c.involuntary_switches = *switches;
      c.migrations = *moves;
      return c;
    }
  }
  const auto status = read_proc(task + "status");
  if (!status) return std::nullopt;
  const auto switches = number_after<std::int64_t>(*status, "nonvoluntary_ctxt_switches");
  if (!switches) return std::nullopt;
  c.involuntary_switches = *switches;
  c.migrations = -1;
  return c;
}

HostCounters read_host_counters() {
  HostCounters h;
  // "cpu  user nice system idle iowait irq softirq steal ..." (the first line: all CPUs)
  if (const auto stat = read_proc("/proc/stat"); stat && stat->starts_with("cpu "))
    if (const auto steal = field(std::string_view(*stat).substr(0, stat->find('\n')), 8))
      h.steal = static_cast<double>(*steal) / user_hz;
  // "some avg10=0.00 avg60=0.00 avg300=0.00 total=<us>"
  if (const auto psi = read_proc("/proc/pressure/cpu"))
    if (const auto total = number_after<std::int64_t>(*psi, "total=")) {
      h.cpu_pressure = static_cast<double>(*total) * 1e-6;
      h.has_pressure = true;
    }
  return h;
}

RunningTasks read_running_tasks() {
  RunningTasks r;
  // /proc/self/task/<id>/stat: "<id> (<comm>) <state> ...": the state follows the last ')'
  if (DIR* tasks = opendir("/proc/self/task")) {
    while (const dirent* entry = readdir(tasks)) {
      if (entry->d_name[0] == '.') continue;
      const auto stat = read_proc(fmt::format("/proc/self/task/{}/stat", entry->d_name));
      if (!stat) continue;  // the thread ended since the listing
      const std::size_t close = stat->rfind(')');
      if (close != std::string::npos && close + 2 < stat->size() && (*stat)[close + 2] == 'R')
        ++r.own;
    }
    closedir(tasks);
  }
  // "0.52 0.58 0.59 3/245 1234": the 4th field's numerator, tasks running or runnable now
  if (const auto loadavg = read_proc("/proc/loadavg")) {
    std::string_view text = *loadavg;
    std::size_t from = 0;
    for (int i = 0; i < 3 && from != std::string_view::npos; ++i) {
      from = text.find(' ', from);
      if (from != std::string_view::npos) ++from;
    }
    std::int64_t running = 0;
    if (from != std::string_view::npos) {
      const auto [end, ec] =
          std::from_chars(text.data() + from, text.data() + text.size(), running);
      if (ec == std::errc() && end < text.data() + text.size() && *end == '/') r.host = running;
    }
  }
  return r;
}

InterferenceProbe::InterferenceProbe(std::vector<int> thread_ids)
    : thread_ids_(std::move(thread_ids)), usable_(!thread_ids_.empty()) {}

std::optional<InterferenceProbe::Sample> InterferenceProbe::sample(bool before_rep) const {
  // Worker 0 is the thread that times the rep: read last before it and first after it, so its
  // window is the rep's and not the probe's own reads (a wait there would not slow the rep).
  Sample s;
  s.threads.resize(thread_ids_.size());
  if (before_rep) {
    s.host = read_host_counters();
    s.running = read_running_tasks();
  }
  for (std::size_t i = 0; i < thread_ids_.size(); ++i) {
    const std::size_t w = before_rep ? thread_ids_.size() - 1 - i : i;
    const auto c = read_thread_counters(thread_ids_[w]);
    if (!c) return std::nullopt;
    s.threads[w] = *c;
  }
  if (!before_rep) {
    s.running = read_running_tasks();
    s.host = read_host_counters();
  }
  return s;
}

void InterferenceProbe::before() {
  if (!usable_) return;
  if (auto s = sample(true))
    start_ = std::move(*s);
  else
    usable_ = false;
}

void InterferenceProbe::after() {
  if (!usable_) return;
  const auto end = sample(false);
  if (!end || end->threads.size() != start_.threads.size()) {
    usable_ = false;
    return;
  }
  Sample d;
  for (std::size_t w = 0; w < end->threads.size(); ++w) {
    const ThreadCounters& a = start_.threads[w];
    const ThreadCounters& b = end->threads[w];
    d.threads.push_back({b.run_delay - a.run_delay, b.involuntary_switches - a.involuntary_switches,
                         a.migrations < 0 ? -1 : b.migrations - a.migrations});
  }
  d.host.steal = end->host.steal - start_.host.steal;
  d.host.has_pressure = end->host.has_pressure && start_.host.has_pressure;
  d.host.cpu_pressure = end->host.cpu_pressure - start_.host.cpu_pressure;
  d.running = start_.running;
  d.running_after = end->running;
  deltas_.push_back(std::move(d));
}

std::string InterferenceProbe::encode() const {
  if (!usable_ || deltas_.empty()) return {};
  // "host cpus#rep;rep;..." with each rep
  // "steal pressure host_before own_before host_after own_after|delay switches moves|..."
  std::string text = fmt::format("{} {}#", host_name(), sysconf(_SC_NPROCESSORS_ONLN));
  for (std::size_t rep = 0; rep < deltas_.size(); ++rep) {
    const Sample& d = deltas_[rep];
    if (rep > 0) text += ';';
    text += fmt::format(
        "{:.9g} {:.9g} {} {} {} {}", d.host.steal,
        d.host.has_pressure ? d.host.cpu_pressure : std::numeric_limits<double>::quiet_NaN(),
        d.running.host, d.running.own, d.running_after.host, d.running_after.own);
    for (const ThreadCounters& t : d.threads)
      text += fmt::format("|{:.9g} {} {}", t.run_delay, t.involuntary_switches, t.migrations);
  }
  return text;
}

namespace {

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const std::size_t end = text.find(sep, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

double to_double(std::string_view s) {
  if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() ? v : std::numeric_limits<double>::quiet_NaN();
}

std::int64_t to_int(std::string_view s) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() ? v : -1;
}

}  // namespace

Interference combine_interference(const std::vector<std::string>& by_rank, int reps,
                                  unsigned threads) {
  Interference in;
  const auto n_reps = static_cast<std::size_t>(reps);
  const std::size_t ranks = by_rank.size(), workers = ranks * threads;
  in.run_delay.assign(n_reps, std::vector<double>(workers));
  in.involuntary_switches.assign(n_reps, std::vector<std::int64_t>(workers));
  in.migrations.assign(n_reps, std::vector<std::int64_t>(workers));
  in.steal.assign(n_reps, std::vector<double>(ranks));
  in.cpu_pressure.assign(n_reps, std::vector<double>(ranks));
  // [rep][rank]: the host's count and the rank's own running threads, before and after
  std::vector<std::vector<std::int64_t>> host_before(n_reps, std::vector<std::int64_t>(ranks)),
      own_before = host_before, host_after = host_before, own_after = host_before;
  std::vector<std::string> hosts(ranks);
  in.host_cpus.assign(ranks, 0);
  for (std::size_t rank = 0; rank < ranks; ++rank) {
    const std::vector<std::string_view> head_body = split(by_rank[rank], '#');
    if (head_body.size() != 2) return {};
    const std::vector<std::string_view> head = split(head_body[0], ' ');
    if (head.size() != 2) return {};
    hosts[rank] = head[0];
    in.host_cpus[rank] = to_int(head[1]);
    const std::vector<std::string_view> rep_texts = split(head_body[1], ';');
    if (rep_texts.size() != n_reps) return {};
    for (std::size_t rep = 0; rep < n_reps; ++rep) {
      const std::vector<std::string_view> parts = split(rep_texts[rep], '|');
      if (parts.size() != threads + 1) return {};
      const std::vector<std::string_view> host = split(parts[0], ' ');
      if (host.size() != 6) return {};
      in.steal[rep][rank] = to_double(host[0]);
      in.cpu_pressure[rep][rank] = to_double(host[1]);
      host_before[rep][rank] = to_int(host[2]);
      own_before[rep][rank] = to_int(host[3]);
      host_after[rep][rank] = to_int(host[4]);
      own_after[rep][rank] = to_int(host[5]);
      for (unsigned w = 0; w < threads; ++w) {
        const std::vector<std::string_view> t = split(parts[w + 1], ' ');
        if (t.size() != 3) return {};
        const std::size_t column = rank * threads + w;
        in.run_delay[rep][column] = to_double(t[0]);
        in.involuntary_switches[rep][column] = to_int(t[1]);
        in.migrations[rep][column] = to_int(t[2]);
      }
    }
  }
  // Per host: the fewest tasks any of its ranks saw (they read at slightly different moments;
  // the fewest errs towards "quiet") less every one of its ranks' own running threads.
  const auto others = [&](const std::vector<std::int64_t>& host_count,
                          const std::vector<std::int64_t>& own, std::size_t rank) {
    std::int64_t fewest = std::numeric_limits<std::int64_t>::max(), ours = 0;
    for (std::size_t r = 0; r < ranks; ++r) {
      if (hosts[r] != hosts[rank]) continue;
      if (host_count[r] < 0) return std::int64_t{-1};
      fewest = std::min(fewest, host_count[r]);
      ours += own[r];
    }
    return std::max<std::int64_t>(0, fewest - ours);
  };
  in.others_before.assign(n_reps, std::vector<std::int64_t>(ranks));
  in.others_after = in.others_before;
  for (std::size_t rep = 0; rep < n_reps; ++rep)
    for (std::size_t rank = 0; rank < ranks; ++rank) {
      in.others_before[rep][rank] = others(host_before[rep], own_before[rep], rank);
      in.others_after[rep][rank] = others(host_after[rep], own_after[rep], rank);
    }
  in.host_workers.assign(ranks, 0);
  for (std::size_t rank = 0; rank < ranks; ++rank)
    for (std::size_t r = 0; r < ranks; ++r)
      if (hosts[r] == hosts[rank]) in.host_workers[rank] += threads;
  in.disturbed.assign(n_reps, false);  // set by disturbed_rule
  return in;
}

std::vector<bool> disturbed_rule(const Interference& in, const std::vector<double>& rep_times,
                                 unsigned threads) {
  std::vector<bool> disturbed(rep_times.size(), false);
  if (in.run_delay.size() != rep_times.size()) return disturbed;
  const bool others_known =
      in.others_before.size() == rep_times.size() && in.others_after.size() == rep_times.size();
  for (std::size_t rep = 0; rep < rep_times.size(); ++rep) {
    const double floor = std::max(min_disturbance_s, disturbed_share * rep_times[rep]);
    bool hit = false;
    // steal is over all of a host's CPUs; this rank's workers used `threads` of them
    for (double steal : in.steal[rep]) hit = hit || steal >= floor * threads;
    const std::size_t ranks = in.steal[rep].size();
    for (std::size_t rank = 0; rank < ranks && !hit; ++rank) {
      bool waited = false, lost_cpu = false;
      for (unsigned w = 0; w < threads; ++w) {
        const std::size_t column = rank * threads + w;
        if (column >= in.run_delay[rep].size()) continue;
        waited = waited || in.run_delay[rep][column] >= floor;
        lost_cpu = lost_cpu || in.run_delay[rep][column] >= min_disturbance_s ||
                   in.involuntary_switches[rep][column] > 0;
      }
      const std::int64_t before = others_known ? in.others_before[rep][rank] : -1;
      const std::int64_t after = others_known ? in.others_after[rep][rank] : -1;
      if (before < 0 || after < 0) {  // not read: the wait alone decides, as in version 4
        hit = waited;
        continue;
      }
      const std::int64_t throughout = std::min(before, after);
      const bool crowded = throughout > 0 && rank < in.host_cpus.size() &&
                           rank < in.host_workers.size() &&
                           throughout + in.host_workers[rank] > in.host_cpus[rank];
      // Crowded alone is not enough: since Linux 6.12 a task that sleeps can stay counted as
      // runnable for a while (EEVDF's delayed dequeue), so a quiet host shows phantom others.
      // A worker that lost its CPU in the rep confirms them.
      hit = (crowded && lost_cpu) || (waited && std::max(before, after) > 0);
    }
    disturbed[rep] = hit;
  }
  return disturbed;
}

int Interference::disturbed_reps() const {
  return static_cast<int>(std::count(disturbed.begin(), disturbed.end(), true));
}

bool Interference::disturbed_run() const {
  const int n = disturbed_reps();
  return n > 0 && 10 * static_cast<std::size_t>(n) >= disturbed.size();
}

std::string Interference::verdict() const {
  if (!recorded()) return "not recorded";
  const int n = disturbed_reps();
  if (n == 0) return "quiet";
  if (!disturbed_run()) return fmt::format("quiet ({} of {} reps disturbed)", n, disturbed.size());
  return fmt::format("disturbed: {} of {} reps", n, disturbed.size());
}

}  // namespace parkit::measure
