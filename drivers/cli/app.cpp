// SPDX-License-Identifier: MIT
#include "drivers/cli/app.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <new>

#include "drivers/cli/errors.hpp"
#include "drivers/cli/machine.hpp"
#include "drivers/cli/output.hpp"
#include "drivers/cli/plan.hpp"
#include "drivers/cli/progress.hpp"
#include "drivers/cli/sizes.hpp"
#include "exec/models.hpp"
#include "exec/runtime.hpp"
#include "results/scaling.hpp"

namespace parkit::cli {
namespace {

nlohmann::json header_json() {
  const BuildInfo b = build_info();
  return {{"version", b.version}, {"git_commit", b.git_commit}};
}

nlohmann::json to_object(const std::vector<std::pair<std::string, std::string>>& pairs) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : pairs) j[k] = v;
  return j;
}

/// Where and how a result was obtained: enough to answer "which flags, which binding, which
/// OMP_* settings" from the JSON alone.
nlohmann::json provenance_json(const std::string& command_line, const RunOptions& o) {
  const BuildInfo b = build_info();
  const MachineInfo m = machine_info();
  return {
      {"command_line", command_line},
      {"threads_option", o.threads.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.threads)},
      {"build",
       {{"compiler", b.compiler},
        {"flags", b.flags},
        {"build_type", b.build_type},
        {"openmp", b.openmp},
        {"mpi", b.mpi}}},
      {"machine",
       {{"host", m.host},
        {"os", m.os},
        {"cpu", m.cpu_model},
        {"cpus_online", m.logical_cpus},
        {"cpus_allowed", m.allowed_cpus},
        {"memory_total_bytes", m.memory_total}}},
      {"openmp_icvs", to_object(exec::openmp_icvs())},
      {"environment",
       to_object(environment_with_prefixes({"OMP_", "OMPI_", "SLURM_", "PARKIT_"}))}};
}

void print_json(const nlohmann::json& j) { std::cout << j.dump(2) << '\n'; }

/// Options shared by run and sweep; every one has a PARKIT_* environment twin.
void add_run_options(CLI::App& cmd, RunOptions& o, Command command) {
  cmd.add_option("-k,--kernels", o.kernels, "Kernels, comma separated (default: all; see list)")
      ->envname("PARKIT_KERNELS");
  cmd.add_option("-m,--models", o.models,
                 command == Command::run
                     ? "Models, comma separated (default: every built model)"
                     : "Models, comma separated (default: every built parallel model)")
      ->envname("PARKIT_MODELS");
  cmd.add_option("-n,--size", o.size,
                 command == Command::run
                     ? "Elements: 1000000, 1e9, 10M, 1G, 4Mi"
                     : "Elements (strong: global; weak: per worker): 1e8, 10M, 1G")
      ->capture_default_str()
      ->envname("PARKIT_SIZE");
  cmd.add_option("-t,--threads", o.threads,
                 command == Command::run
                     ? "Threads per process (default: threads: the CPUs allowed; openmp: "
                       "OMP_NUM_THREADS)"
                     : "Thread counts, comma separated (default: 1,2,4,... up to the CPUs allowed)")
      ->envname("PARKIT_THREADS");
  cmd.add_option("--bind", o.bind,
                 "Pinning of the threads model: none|close|spread (default: OMP_PROC_BIND, else "
                 "none; openmp follows OMP_PROC_BIND/OMP_PLACES)")
      ->envname("PARKIT_BIND");
  cmd.add_option("-r,--reps", o.reps, "Timed reps per run")
      ->capture_default_str()
      ->envname("PARKIT_REPS");
  cmd.add_option("-w,--warmup", o.warmup, "Untimed warm-up reps per run")
      ->capture_default_str()
      ->envname("PARKIT_WARMUP");
  cmd.add_flag("--roofline", o.roofline,
               "Run triad first so array kernels are shown as % of its bandwidth")
      ->envname("PARKIT_ROOFLINE");
  cmd.add_flag("--json", o.json, "Print JSON instead of a table")->envname("PARKIT_JSON");
  if (command == Command::sweep)
    cmd.add_option("--scaling", o.scaling, "strong (n global fixed) or weak (n per worker fixed)")
        ->capture_default_str()
        ->envname("PARKIT_SCALING");
}

std::vector<results::RunRecord> execute(Plan& plan) {
  Progress progress(plan.runs.size());
  std::vector<results::RunRecord> records;
  for (auto& request : plan.runs) {
    progress.start_run(fmt::format("{} / {} / {} threads, n = {}", request.kernel, request.model,
                                   request.threads ? std::to_string(request.threads) : "default",
                                   short_count(request.n)));
    request.on_rep = [&progress](int rep, int reps) { progress.rep_done(rep, reps); };
    try {
      records.push_back(kernels::run(request));
    } catch (const std::bad_alloc&) {
      throw EnvironmentError(
          fmt::format("{}: out of memory at n = {}", request.kernel, short_count(request.n)));
    }
  }
  progress.finish();
  attach_triad_percentages(records);
  return records;
}

int exit_code(const std::vector<results::RunRecord>& records) {
  const bool all_verified =
      std::all_of(records.begin(), records.end(), [](const auto& r) { return r.verified; });
  return all_verified ? exit_ok : exit_verification_failed;
}

int run_command(const RunOptions& o, const std::string& command_line) {
  Plan plan = make_plan(o, Command::run);
  const auto records = execute(plan);
  if (o.json) {
    nlohmann::json runs = nlohmann::json::array();
    for (const auto& r : records) runs.push_back(to_json(r));
    print_json({{"parkit", header_json()},
                {"provenance", provenance_json(command_line, o)},
                {"runs", runs},
                {"skipped", to_json(plan.skipped)}});
  } else {
    std::cout << runs_table(records) << notes(records, plan.skipped);
  }
  return exit_code(records);
}

int sweep_command(const RunOptions& o, const std::string& command_line) {
  Plan plan = make_plan(o, Command::sweep);
  const auto records = execute(plan);
  const auto studies = results::analyse(records);
  if (o.json) {
    nlohmann::json runs = nlohmann::json::array(), scaling = nlohmann::json::array();
    for (const auto& r : records) runs.push_back(to_json(r));
    for (const auto& s : studies) scaling.push_back(to_json(s));
    print_json({{"parkit", header_json()},
                {"provenance", provenance_json(command_line, o)},
                {"runs", runs},
                {"studies", scaling},
                {"skipped", to_json(plan.skipped)}});
  } else {
    std::cout << runs_table(records) << scaling_table(studies) << '\n'
              << notes(records, plan.skipped);
  }
  return exit_code(records);
}

int list_command(bool json) {
  const auto entries = kernels::registry().kernels();
  if (json) {
    nlohmann::json ks = nlohmann::json::array(), ms = nlohmann::json::array();
    for (const auto* k : entries)
      ks.push_back({{"name", k->info.name},
                    {"summary", k->info.summary},
                    {"bytes_per_elem", k->info.bytes_per_elem},
                    {"flops_per_elem", k->info.flops_per_elem},
                    {"max_n", k->max_n},
                    {"models", [&] {
                       std::vector<std::string> names;
                       for (const auto& [name, runner] : k->runners) names.push_back(name);
                       return names;
                     }()}});
    for (const auto& m : exec::model_catalog)
      ms.push_back({{"name", m.name},
                    {"built", m.built},
                    {"summary", m.summary},
                    {"how_to_build", m.how_to_build}});
    print_json({{"parkit", header_json()}, {"kernels", ks}, {"models", ms}});
    return exit_ok;
  }
  std::cout << "kernels:\n";
  for (const auto* k : entries)
    std::cout << fmt::format("  {:<18} {} ({} B, {} flop per element)\n", k->info.name,
                             k->info.summary, k->info.bytes_per_elem, k->info.flops_per_elem);
  std::cout << "models:\n";
  for (const auto& m : exec::model_catalog)
    std::cout << fmt::format("  {:<18} {}{}\n", m.name, m.summary,
                             m.built ? "" : fmt::format(" [not built: {}]", m.how_to_build));
  return exit_ok;
}

int info_command(bool json) {
  const BuildInfo b = build_info();
  const MachineInfo m = machine_info();
  const auto env = environment_with_prefixes({"OMP_", "OMPI_", "SLURM_", "PARKIT_"});
  const std::vector<std::pair<std::string, std::string>> lines = {
      {"parkit", b.version + " (" + b.git_commit + ")"},
      {"host", m.host},
      {"os", m.os},
      {"cpu", m.cpu_model},
      {"cpus online", std::to_string(m.logical_cpus)},
      {"cpus allowed", m.allowed_cpus},
      {"memory total", human_bytes(static_cast<double>(m.memory_total))},
      {"memory available", human_bytes(static_cast<double>(m.memory_available))},
      {"compiler", b.compiler},
      {"flags", b.flags},
      {"build type", b.build_type},
      {"openmp", b.openmp},
      {"mpi", b.mpi},
      {"timer resolution", fmt::format("{:.3g} s", m.timer_resolution)}};
  if (json) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, v] : lines) j[k] = v;
    j["memory_total_bytes"] = m.memory_total;
    j["memory_available_bytes"] = m.memory_available;
    j["timer_resolution_s"] = m.timer_resolution;
    j["openmp_icvs"] = to_object(exec::openmp_icvs());
    j["environment"] = to_object(env);
    print_json(j);
    return exit_ok;
  }
  for (const auto& [k, v] : lines) std::cout << fmt::format("{:<17} {}\n", k + ":", v);
  for (const auto& [k, v] : exec::openmp_icvs())
    std::cout << fmt::format("{:<17} {}\n", "omp " + k + ":", v);
  for (const auto& [k, v] : env) std::cout << fmt::format("{:<17} {}\n", "env:", k + "=" + v);
  return exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "parkit: CPU kernels under seq, std::thread and OpenMP (MPI next), measured "
      "honestly.\nExit codes: 0 ok, 1 verification failed, 2 usage error, 3 environment "
      "refused, 4 results I/O error."};
  app.name("parkit");
  app.require_subcommand(1);
  app.set_version_flag("--version",
                       "parkit " + build_info().version + " (" + build_info().git_commit + ")");

  RunOptions run_options, sweep_options;
  sweep_options.size = "50M";
  bool list_json = false, info_json = false;
  auto* run = app.add_subcommand("run", "Run kernels under models and print a table of results");
  add_run_options(*run, run_options, Command::run);
  auto* sweep =
      app.add_subcommand("sweep", "Run kernels over thread counts and print a scaling table");
  add_run_options(*sweep, sweep_options, Command::sweep);
  auto* list = app.add_subcommand("list", "List kernels and models (and which are built)");
  list->add_flag("--json", list_json, "Print JSON")->envname("PARKIT_JSON");
  auto* info = app.add_subcommand("info", "Show this machine and this build");
  info->add_flag("--json", info_json, "Print JSON")->envname("PARKIT_JSON");

  std::string command_name = "parkit";
  try {
    app.parse(argc, argv);
    for (const auto* sub : app.get_subcommands()) command_name = "parkit " + sub->get_name();
    std::string command_line;
    for (int i = 0; i < argc; ++i) command_line += (i ? " " : "") + std::string(argv[i]);
    if (*run) return run_command(run_options, command_line);
    if (*sweep) return sweep_command(sweep_options, command_line);
    if (*list) return list_command(list_json);
    if (*info) return info_command(info_json);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    for (const auto* sub : app.get_subcommands()) command_name = "parkit " + sub->get_name();
    std::fprintf(stderr, "%s: %s (see %s --help)\n", command_name.c_str(), e.what(),
                 command_name.c_str());
    return exit_usage;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "%s: %s\n", command_name.c_str(), e.what());
    return exit_usage;
  } catch (const EnvironmentError& e) {
    std::fprintf(stderr, "%s: environment refused: %s\n", command_name.c_str(), e.what());
    return exit_environment;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: %s\n", command_name.c_str(), e.what());
    return exit_verification_failed;
  }
  return exit_usage;
}

}  // namespace parkit::cli
