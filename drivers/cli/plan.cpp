// SPDX-License-Identifier: MIT
#include "drivers/cli/plan.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>
#include <thread>

#include "drivers/cli/errors.hpp"
#include "drivers/cli/machine.hpp"
#include "drivers/cli/sizes.hpp"
#include "parkit/exec/models.hpp"
#include "parkit/exec/runtime.hpp"
#include "parkit/exec/threads.hpp"
#include "parkit/exec/wait.hpp"

namespace parkit::cli {
namespace {

std::vector<std::string> pick_kernels(const std::string& list) {
  const auto& reg = kernels::registry();
  std::vector<std::string> names = list.empty() ? reg.names() : split_list(list);
  if (names.empty())
    throw UsageError(fmt::format("-k: no kernel given (known: {})", fmt::join(reg.names(), ", ")));
  for (const std::string& name : names)
    if (reg.find(name) == nullptr)
      throw UsageError(
          fmt::format("-k: unknown kernel '{}' (known: {})", name, fmt::join(reg.names(), ", ")));
  return names;
}

std::vector<std::string> pick_models(const std::string& list, Command command,
                                     std::vector<Skipped>& skipped) {
  std::vector<std::string> known;
  for (const auto& m : exec::model_catalog) known.emplace_back(m.name);
  if (list.empty()) {  // defaults: every built model (sweep: the ones a thread list scales)
    std::vector<std::string> chosen;
    for (const auto& m : exec::model_catalog) {
      if (command == Command::sweep && (!m.threaded || m.spans_ranks)) continue;
      if (m.built)
        chosen.emplace_back(m.name);
      else
        skipped.push_back({std::string(m.name), fmt::format("not built: {}", m.how_to_build)});
    }
    return chosen;
  }
  std::vector<std::string> names = split_list(list);
  if (names.empty())
    throw UsageError(fmt::format("-m: no model given (known: {})", fmt::join(known, ", ")));
  for (const std::string& name : names) {
    const auto it = std::find_if(exec::model_catalog.begin(), exec::model_catalog.end(),
                                 [&](const auto& m) { return m.name == name; });
    if (it == exec::model_catalog.end())
      throw UsageError(
          fmt::format("-m: unknown model '{}' (known: {})", name, fmt::join(known, ", ")));
    if (!it->built)
      throw UsageError(
          fmt::format("-m: model '{}' is not built into this parkit ({})", name, it->how_to_build));
  }
  return names;
}

std::vector<unsigned> pick_threads(const std::string& text, Command command) {
  const long long limit = max_threads();
  if (text.empty()) {
    if (command == Command::run) return {0};  // each model's default
    std::vector<unsigned> counts;  // sweep: 1, 2, 4, ... up to the CPUs this process may use
    const unsigned cpus = exec::default_thread_count();
    for (unsigned t = 1; t < cpus; t *= 2) counts.push_back(t);
    counts.push_back(cpus);
    return counts;
  }
  const auto items = split_list(text);
  if (items.empty())
    throw UsageError(fmt::format("--threads: no count given (accepted: 1 to {})", limit));
  if (command == Command::run && items.size() > 1)
    throw UsageError(fmt::format(
        "--threads: run takes one count, got '{}' (use parkit sweep for a list)", text));
  std::vector<unsigned> counts;
  for (const auto& item : items)
    counts.push_back(static_cast<unsigned>(parse_count(item, "--threads", 1, limit)));
  return counts;
}

}  // namespace

unsigned max_threads() { return std::max(1024u, 4 * std::thread::hardware_concurrency()); }

Plan make_plan(const RunOptions& o, Command command, const JobShape& job) {
  Plan plan;
  if (const auto bad = kernels::bad_path_override()) throw UsageError(*bad);
  std::vector<std::string> kernel_names = pick_kernels(o.kernels);
  const std::vector<std::string> model_names = pick_models(o.models, command, plan.skipped);
  const std::int64_t n = parse_size(o.size, "-n");
  const std::vector<unsigned> thread_counts = pick_threads(o.threads, command);
  const std::optional<exec::Bind> bind =
      o.bind.empty() ? exec::default_bind() : exec::parse_bind(o.bind);
  if (!bind)
    throw UsageError(
        fmt::format("--bind: unknown policy '{}' (accepted: none, close, spread)", o.bind));
  try {  // the threads team reads it when it starts: say what is wrong before any run
    static_cast<void>(exec::wait_policy_from_environment());
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  const measure::Protocol protocol{
      static_cast<int>(parse_count(o.reps, "--reps", 1, 1'000'000)),
      static_cast<int>(parse_count(o.warmup, "--warmup", 0, 1'000'000))};
  const std::string scaling = o.scaling;
  if (scaling != "none" && scaling != "strong" && scaling != "weak")
    throw UsageError(
        fmt::format("--scaling: unknown mode '{}' (accepted: none, strong, weak)", scaling));

  // triad first: the array kernels are reported as a percentage of its bandwidth
  const auto& reg = kernels::registry();
  const bool any_bandwidth_kernel =
      std::any_of(kernel_names.begin(), kernel_names.end(),
                  [&](auto& k) { return reg.find(k)->info.bandwidth_bound; });
  if (o.roofline && any_bandwidth_kernel &&
      std::find(kernel_names.begin(), kernel_names.end(), "triad") == kernel_names.end() &&
      reg.find("triad") != nullptr)
    kernel_names.insert(kernel_names.begin(), "triad");
  std::stable_partition(kernel_names.begin(), kernel_names.end(),
                        [](const std::string& k) { return k == "triad"; });

  const std::uint64_t available = available_memory();
  for (const std::string& name : kernel_names) {
    const kernels::KernelEntry& k = *reg.find(name);
    for (const std::string& model : model_names) {
      const exec::ModelEntry& entry = exec::model_entry(model);
      const bool spans = entry.spans_ranks;
      const int ranks = spans ? job.ranks : 1;
      unsigned most_threads = 1;
      if (entry.threaded)
        for (unsigned t : thread_counts)
          most_threads = std::max(most_threads, t ? t : exec::default_threads(model));
      // weak scaling: -n is per worker, so the largest point holds n * workers elements
      const std::int64_t workers = scaling == "weak" ? std::int64_t{ranks} * most_threads : 1;
      if (n > k.max_n / workers)
        throw UsageError(fmt::format(
            "-n: {} is too large for {}: past the largest n the kernel can verify exactly "
            "(largest n: {}{})",
            o.size, name, k.max_n / workers, workers > 1 ? " per worker" : ""));
      // the ranks on rank 0's node share its memory
      const double elements = static_cast<double>(n) * static_cast<double>(workers) / ranks *
                              (spans ? job.ranks_on_node : 1);
      const double need = k.info.memory_per_elem * elements;
      if (need > static_cast<double>(available))
        throw UsageError(fmt::format(
            "-n: {} with n = {} needs {} of memory on this node, but only {} is available", name,
            short_count(n * workers), human_bytes(need),
            human_bytes(static_cast<double>(available))));
    }
  }

  std::set<std::pair<std::string, unsigned>> seen;  // seq runs once, whatever the thread list
  for (const std::string& kernel : kernel_names)
    for (const std::string& model : model_names)
      for (unsigned threads : thread_counts) {
        const unsigned effective = exec::model_entry(model).threaded ? threads : 1;
        if (!seen.insert({kernel + "/" + model, effective}).second) continue;
        kernels::RunRequest r;
        r.kernel = kernel;
        r.model = model;
        r.n = n;  // weak scaling: per worker; the run multiplies by its workers
        r.threads = effective;
        r.bind = *bind;
        r.protocol = protocol;
        r.scaling = scaling;
        plan.runs.push_back(std::move(r));
      }
  return plan;
}

nlohmann::json to_json(const Plan& plan) {
  nlohmann::json runs = nlohmann::json::array(), skipped = nlohmann::json::array();
  for (const auto& r : plan.runs)
    runs.push_back({{"kernel", r.kernel},
                    {"model", r.model},
                    {"n", r.n},
                    {"threads", r.threads},
                    {"bind", exec::to_string(r.bind)},
                    {"reps", r.protocol.reps},
                    {"warmup", r.protocol.warmup},
                    {"scaling", r.scaling}});
  for (const auto& s : plan.skipped) skipped.push_back({{"what", s.what}, {"reason", s.reason}});
  return {{"runs", runs}, {"skipped", skipped}};
}

Plan plan_from_json(const nlohmann::json& j) {
  Plan plan;
  for (const auto& r : j.at("runs")) {
    kernels::RunRequest request;
    request.kernel = r.at("kernel").get<std::string>();
    request.model = r.at("model").get<std::string>();
    request.n = r.at("n").get<std::int64_t>();
    request.threads = r.at("threads").get<unsigned>();
    request.bind = exec::parse_bind(r.at("bind").get<std::string>()).value();
    request.protocol = {r.at("reps").get<int>(), r.at("warmup").get<int>()};
    request.scaling = r.at("scaling").get<std::string>();
    plan.runs.push_back(std::move(request));
  }
  for (const auto& s : j.at("skipped"))
    plan.skipped.push_back({s.at("what").get<std::string>(), s.at("reason").get<std::string>()});
  return plan;
}

}  // namespace parkit::cli
