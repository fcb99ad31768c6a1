// SPDX-License-Identifier: MIT
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <strings.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <new>
#include <optional>

#include "drivers/cli/compare_command.hpp"
#include "drivers/cli/errors.hpp"
#include "drivers/cli/hazard_output.hpp"
#include "drivers/cli/hazards_command.hpp"
#include "drivers/cli/html_report.hpp"
#include "drivers/cli/io_command.hpp"
#include "drivers/cli/io_output.hpp"
#include "drivers/cli/job_output.hpp"
#include "drivers/cli/machine.hpp"
#include "drivers/cli/output.hpp"
#include "drivers/cli/plan.hpp"
#include "drivers/cli/progress.hpp"
#include "drivers/cli/results_io.hpp"
#include "drivers/cli/sizes.hpp"
#include "parkit/cli.hpp"
#include "parkit/exec/job.hpp"
#include "parkit/exec/models.hpp"
#include "parkit/exec/runtime.hpp"
#include "parkit/exec/timer.hpp"
#include "parkit/exec/wait.hpp"
#include "parkit/results/hazard_report.hpp"
#include "parkit/results/io_report.hpp"
#include "parkit/results/scaling.hpp"

namespace parkit::cli {
namespace {

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
  cmd.add_option("--scaling", o.scaling,
                 "none, strong (n global fixed) or weak (-n is per worker: ranks x threads)")
      ->capture_default_str()
      ->envname("PARKIT_SCALING");
  add_output_options(cmd, o);
  cmd.add_flag("--strict", o.strict,
               "Refuse (exit 3) when ranks x threads on a host exceed its cores, instead of a "
               "warning")
      ->envname("PARKIT_STRICT");
}

/// Threads each run puts on each host, against the host's cores. Collective: every rank says
/// where it is and what it will run; rank 0 gets one note per oversubscribed run.
std::vector<std::string> oversubscription(const Plan& plan) {
  const int rank = exec::job::rank();
  const exec::job::NodePlace place = exec::job::node_place();
  std::string mine = place.host + '\t' + std::to_string(machine_info().logical_cpus);
  for (const auto& r : plan.runs) {
    const bool runs_here = exec::model_entry(r.model).spans_ranks || rank == 0;
    const unsigned threads = r.threads ? r.threads : exec::default_threads(r.model);
    mine += '\t' + std::to_string(runs_here ? threads : 0);
  }
  const std::vector<std::string> all = exec::job::all_gather(mine);
  std::vector<std::string> notes(plan.runs.size());
  if (rank != 0) return notes;
  struct Host {
    unsigned cores = 0;
    std::vector<unsigned> threads;  // by run
  };
  std::map<std::string, Host> hosts;
  for (const std::string& text : all) {
    const std::vector<std::string> f = [&] {
      std::vector<std::string> fields;
      std::size_t start = 0;
      for (std::size_t tab; (tab = text.find('\t', start)) != std::string::npos; start = tab + 1)
        fields.push_back(text.substr(start, tab - start));
      fields.push_back(text.substr(start));
      return fields;
    }();
    Host& h = hosts[f[0]];
    h.cores = static_cast<unsigned>(std::stoul(f[1]));
    h.threads.resize(plan.runs.size(), 0);
    for (std::size_t k = 0; k < plan.runs.size(); ++k)
      h.threads[k] += static_cast<unsigned>(std::stoul(f[k + 2]));
  }
  for (const auto& [name, h] : hosts)
    for (std::size_t k = 0; k < plan.runs.size(); ++k)
      if (h.threads[k] > h.cores && notes[k].empty()) {
        notes[k] = fmt::format("oversubscribed: {} threads on host {} with {} cores", h.threads[k],
                               name, h.cores);
        // libgomp's default wait spins before it sleeps, on the core another rank needs:
        // measured 100x slower short reps (bench/README.md, OMP_WAIT_POLICY)
        const std::string_view model = plan.runs[k].model;
        const char* policy = std::getenv("OMP_WAIT_POLICY");
        if ((model == "openmp" || model == "hybrid") &&
            (policy == nullptr || strcasecmp(policy, "passive") != 0))
          notes[k] += " (OpenMP threads spin while they wait: OMP_WAIT_POLICY=passive avoids it)";
      }
  return notes;
}

/// A note when several threads of a run were pinned to one CPU of a host although the host had
/// a core for each: the classic hybrid mistake of OMP_PROC_BIND/OMP_PLACES with no CPU set per
/// rank (every rank's OpenMP binds its first thread to the first core). Threads allowed on
/// several CPUs are not pinned and not counted. Empty when nothing shares a CPU.
std::string shared_cpu_note(const measure::RunRecord& r) {
  std::map<std::pair<std::string, std::string>, int> pinned;  // (host, cpu) -> threads
  std::map<std::string, int> threads_on;                      // host -> threads
  for (const auto& rank : r.placement) {
    threads_on[rank.host] += static_cast<int>(rank.thread_cpus.size());
    for (const auto& cpus : rank.thread_cpus)
      if (!cpus.empty() && cpus.find_first_of(",-") == std::string::npos)
        ++pinned[{rank.host, cpus}];
  }
  for (const auto& [where, count] : pinned)
    if (count > 1 && threads_on[where.first] <= static_cast<int>(machine_info().logical_cpus))
      return fmt::format(
          "{} threads were pinned to CPU {} of host {}: they took turns on it. OpenMP binding "
          "(OMP_PROC_BIND) without a CPU set per rank puts every rank on the same cores; let the "
          "launcher give each rank its own (srun --cpu-bind=cores, mpirun --map-by slot:PE=T)",
          count, where.second, where.first);
  return {};
}

/// Runs the plan on every rank: mpi/hybrid runs span all ranks; the shared-memory models run
/// on rank 0 while the other ranks wait asleep. Records are complete on rank 0.
std::vector<measure::RunRecord> execute(Plan& plan,
                                        const std::vector<std::string>& oversubscribed) {
  const int rank = exec::job::rank(), ranks = exec::job::size();
  Progress progress(plan.runs.size(), /*shown=*/rank == 0);
  std::vector<measure::RunRecord> records;
  for (std::size_t k = 0; k < plan.runs.size(); ++k) {
    auto& request = plan.runs[k];
    const bool spans = exec::model_entry(request.model).spans_ranks;
    if (spans || rank == 0) {
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
      if (rank == 0 && !oversubscribed[k].empty()) {
        records.back().oversubscribed = true;
        records.back().warnings.push_back(oversubscribed[k]);
      }
      if (rank == 0 && oversubscribed[k].empty()) {
        if (std::string note = shared_cpu_note(records.back()); !note.empty())
          records.back().warnings.push_back(std::move(note));
      }
      if (!spans && ranks > 1)
        records.back().warnings.push_back(
            fmt::format("ran on rank 0 only; the other {} ranks waited", ranks - 1));
    }
    if (!spans && ranks > 1) exec::job::idle_barrier();
  }
  progress.finish();
  attach_triad_percentages(records);
  return records;
}

int exit_code(const std::vector<measure::RunRecord>& records) {
  const bool all_verified =
      std::all_of(records.begin(), records.end(), [](const auto& r) { return r.verified; });
  return exec::job::max(all_verified ? exit_ok : exit_verification_failed);  // same on every rank
}

/// Rank 0: prints the results (table or JSON) and writes the job's results file. Returns 0,
/// or exit_io when the file could not be written (the printed results are not lost).
int report_and_save(Command command, const nlohmann::json& decision, const Plan& plan,
                    const std::vector<measure::RunRecord>& records,
                    const std::vector<std::string>& hosts) {
  const auto studies =
      command == Command::sweep ? results::analyse(records) : std::vector<results::Study>{};
  const results::JobProvenance provenance = job_provenance(decision, hosts);
  if (decision.at("json").get<bool>()) {
    nlohmann::json runs = nlohmann::json::array(), scaling = nlohmann::json::array();
    for (const auto& r : records) runs.push_back(to_json(r));
    for (const auto& s : studies) scaling.push_back(to_json(s));
    nlohmann::json out = {{"parkit", header_json()},
                          {"provenance", provenance_json(provenance)},
                          {"runs", runs},
                          {"skipped", to_json(plan.skipped)}};
    if (command == Command::sweep) out["studies"] = scaling;
    print_json(out);
  } else {
    std::cout << runs_table(records) << scaling_table(studies) << (studies.empty() ? "" : "\n")
              << notes(records, plan.skipped);
  }
  std::cout.flush();
  const BuildInfo b = build_info();
  results::ResultsFile file{utc_now(), b.version, b.git_commit, {provenance}, records};
  return save_job_results(decision, file, fmt::format("{} runs", records.size()));
}

/// run and sweep: refuse or warn about oversubscription, execute, print on rank 0.
int measure_command(Command command, const nlohmann::json& decision) {
  Plan plan = plan_from_json(decision.at("plan"));
  const std::vector<std::string> oversubscribed = oversubscription(plan);
  const auto first = std::find_if(oversubscribed.begin(), oversubscribed.end(),
                                  [](const std::string& s) { return !s.empty(); });
  const bool refuse = decision.at("strict").get<bool>() && first != oversubscribed.end();
  if (exec::job::max(refuse ? 1 : 0) != 0) {  // decided on rank 0, so every rank agrees
    if (exec::job::rank() == 0)
      std::fprintf(stderr,
                   "parkit: environment refused: %s (--strict: use fewer ranks or threads)\n",
                   first->c_str());
    return exit_environment;
  }

  const auto records = execute(plan, oversubscribed);
  const std::vector<std::string> hosts = exec::job::all_gather(exec::job::node_place().host);
  int code = exit_code(records);
  if (exec::job::rank() == 0)
    code = std::max(code, report_and_save(command, decision, plan, records, hosts));
  return exec::job::max(code);  // rank 0's write failing fails the job on every rank
}

/// Gives the jobs of one file read by report or merge the next free ids (job-0000, job-0001, ...
/// counted by `next`), and their kernel, I/O and hazard runs with them: every file's jobs start
/// at job-0000, and runs gathered from several files must still say which job measured them.
void renumber_jobs(results::ResultsFile& f, std::size_t& next) {
  std::map<std::string, std::string> renamed;
  const auto id_for = [&](const std::string& job) {
    auto [it, fresh] = renamed.try_emplace(job);
    if (fresh) it->second = fmt::format("job-{:04}", next++);
    return it->second;
  };
  for (auto& job : f.jobs) job.id = id_for(job.id);
  for (auto& run : f.runs) run.job = id_for(run.job);
  for (auto& run : f.io_runs) run.job = id_for(run.job);
  for (auto& run : f.hazard_runs) run.job = id_for(run.job);
}

/// Reads every run from parkit's results (HDF5 or --json output) and prints the kernel studies
/// (scaling), then the I/O studies (drivers against the sequential run), then the hazard studies
/// (variants of a scenario against its fastest safe one). Kernel runs that failed verification
/// exit 1, and so do hazard runs of a variant that must be safe and was not correct; I/O runs
/// never do (their failed requests are counted), nor do unsafe variants' anomalies (they are the
/// demonstration). With `html` (a path), the same report also goes there as one HTML page, after
/// the --format output (exit 4 when it cannot be written).
int report_command(const std::vector<std::string>& files, const std::string& format,
                   const std::string& html, bool replace_html) {
  std::vector<results::JobProvenance> jobs_read;  // for the HTML page's provenance
  std::vector<measure::RunRecord> records;
  std::vector<results::IoRecord> io_records;
  std::vector<results::HazardRecord> hazard_records;
  std::vector<std::string> interference_at;  // by record: where a footnote sends the reader
  std::size_t jobs = 0;
  for (const std::string& file : files) {
    results::ResultsFile f = read_any_results(file);
    renumber_jobs(f, jobs);
    jobs_read.insert(jobs_read.end(), f.jobs.begin(), f.jobs.end());
    const bool hdf5 = results::looks_like_hdf5(file);
    for (std::size_t i = 0; i < f.runs.size(); ++i)
      interference_at.push_back(hdf5 ? fmt::format("/runs/run-{:04}/interference in {}", i, file)
                                     : fmt::format("runs[{}].interference in {}", i, file));
    records.insert(records.end(), f.runs.begin(), f.runs.end());
    io_records.insert(io_records.end(), f.io_runs.begin(), f.io_runs.end());
    hazard_records.insert(hazard_records.end(), f.hazard_runs.begin(), f.hazard_runs.end());
  }
  if (records.empty() && io_records.empty() && hazard_records.empty())
    throw IoError("no runs in " + fmt::format("{}", fmt::join(files, ", ")));
  const auto studies = results::analyse(records);
  const auto io_studies = results::analyse_io(io_records);
  const auto hazard_studies = results::analyse_hazards(hazard_records);
  if (format == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : studies) out.push_back(to_json(s));
    nlohmann::json report = {{"parkit", header_json()}, {"files", files}, {"studies", out}};
    if (!io_studies.empty()) {  // a file of kernel runs only prints what it always did
      nlohmann::json io_out = nlohmann::json::array();
      for (const auto& s : io_studies) io_out.push_back(to_json(s));
      report["io_studies"] = io_out;
    }
    if (!hazard_studies.empty()) {  // likewise: no key at all without hazard runs
      nlohmann::json hazard_out = nlohmann::json::array();
      for (const auto& s : hazard_studies) hazard_out.push_back(to_json(s));
      report["hazard_studies"] = hazard_out;
    }
    print_json(report);
  } else if (format == "csv") {  // up to three tables (own headers), one blank line between
    std::string csv;
    for (const std::string& part :
         {studies.empty() ? std::string() : scaling_csv(studies),
          io_studies.empty() ? std::string() : io_study_csv(io_studies),
          hazard_studies.empty() ? std::string() : hazard_study_csv(hazard_studies)})
      if (!part.empty()) csv += (csv.empty() ? "" : "\n") + part;
    std::cout << csv;
  } else {
    const std::string text = scaling_table(studies, interference_at) + io_study_table(io_studies) +
                             hazard_study_table(hazard_studies);
    std::cout << text.substr(1);  // no leading blank line
  }
  const bool all_verified =
      std::all_of(records.begin(), records.end(), [](const auto& r) { return r.verified; });
  const bool no_hazard_failed =
      std::none_of(hazard_records.begin(), hazard_records.end(),
                   [](const auto& r) { return results::hazard_run_failed(r); });
  if (!html.empty()) {
    std::cout.flush();  // the text report stands even if the page cannot be written
    const BuildInfo b = build_info();
    const std::string page =
        html_report({.files = files,
                     .jobs = jobs_read,
                     .runs = records,
                     .io_runs = io_records,
                     .hazard_runs = hazard_records,
                     .studies = studies,
                     .io_studies = io_studies,
                     .hazard_studies = hazard_studies,
                     .interference_at = interference_at},
                    utc_now(), fmt::format("parkit {} ({})", b.version, b.git_commit));
    write_html_report(html, page, replace_html);
    const std::size_t study_count = studies.size() + io_studies.size() + hazard_studies.size();
    const std::size_t run_count = records.size() + io_records.size() + hazard_records.size();
    std::fprintf(stderr, "parkit: wrote %s (%zu stud%s, %zu run%s)\n", html.c_str(), study_count,
                 study_count == 1 ? "y" : "ies", run_count, run_count == 1 ? "" : "s");
  }
  return all_verified && no_hazard_failed ? exit_ok : exit_verification_failed;
}

/// Gathers the jobs, kernel, I/O and hazard runs of several results files into one study file.
int merge_command(const std::vector<std::string>& files, const std::string& output, bool force) {
  results::ResultsFile merged{utc_now(), build_info().version, build_info().git_commit, {}, {}};
  std::size_t jobs = 0;
  for (const std::string& path : files) {
    if (!results::looks_like_hdf5(path))
      throw IoError(fmt::format("{}: not a parkit results file (not HDF5)", path));
    results::ResultsFile f = read_any_results(path);
    renumber_jobs(f, jobs);  // job ids restart at job-0000 in every file
    for (auto& job : f.jobs) {
      job.text.emplace_back("source_file", path);
      merged.jobs.push_back(std::move(job));
    }
    std::move(f.runs.begin(), f.runs.end(), std::back_inserter(merged.runs));
    std::move(f.io_runs.begin(), f.io_runs.end(), std::back_inserter(merged.io_runs));
    std::move(f.hazard_runs.begin(), f.hazard_runs.end(), std::back_inserter(merged.hazard_runs));
  }
  const std::string written = write_job_results({output, false, force}, merged);
  std::fprintf(stderr,
               "parkit: merged %zu files (%zu jobs, %zu runs, %zu io runs, %zu hazard runs) into "
               "%s\n",
               files.size(), merged.jobs.size(), merged.runs.size(), merged.io_runs.size(),
               merged.hazard_runs.size(), written.c_str());
  return exit_ok;
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
    print_json({{"parkit", header_json()},
                {"kernels", ks},
                {"models", ms},
                {"hazard_scenarios", hazards_list_json()}});
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
  std::cout << hazards_list();
  return exit_ok;
}

/// How the threads team's idle members wait, and which variable said so.
std::string threads_wait_line() {
  const char* source = std::getenv("PARKIT_WAIT") != nullptr       ? "PARKIT_WAIT"
                       : std::getenv("OMP_WAIT_POLICY") != nullptr ? "OMP_WAIT_POLICY"
                                                                   : "default";
  try {
    return fmt::format("{} ({})", exec::to_string(exec::wait_policy_from_environment()), source);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
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
      {"kernel paths", kernels::code_paths()},
      {"openmp", b.openmp},
      {"mpi", b.mpi},
      {"timer resolution", fmt::format("{:.3g} s", m.timer_resolution)},
      {"threads wait", threads_wait_line()}};
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

/// Rank 0's reading of the command line, as JSON for every rank: {"exit": code} when there is
/// nothing to run (help, a usage error: already printed), else the command and its plan.
nlohmann::json decide(int argc, char** argv) {
  CLI::App app{
      "parkit: CPU kernels under seq, std::thread, OpenMP, MPI and hybrid MPI+OpenMP, measured "
      "honestly.\nExit codes: 0 ok, 1 verification failed, 2 usage error, 3 environment "
      "refused, 4 results I/O error."};
  app.name("parkit");
  app.require_subcommand(1);
  app.set_version_flag("--version",
                       "parkit " + build_info().version + " (" + build_info().git_commit + ")");

  RunOptions run_options, sweep_options;
  sweep_options.size = "50M";
  sweep_options.scaling = "strong";
  bool list_json = false, info_json = false;
  auto* run = app.add_subcommand("run", "Run kernels under models and print a table of results");
  add_run_options(*run, run_options, Command::run);
  auto* sweep =
      app.add_subcommand("sweep", "Run kernels over thread counts and print a scaling table");
  add_run_options(*sweep, sweep_options, Command::sweep);
  auto* list = app.add_subcommand(
      "list", "List kernels and models (and which are built), and the hazard scenarios");
  list->add_flag("--json", list_json, "Print JSON")->envname("PARKIT_JSON");
  auto* info = app.add_subcommand("info", "Show this machine and this build");
  info->add_flag("--json", info_json, "Print JSON")->envname("PARKIT_JSON");
  std::vector<std::string> report_files;
  std::string report_format = "table";
  auto* report = app.add_subcommand(
      "report",
      "Scaling tables (speedup, efficiency, Karp-Flatt, Amdahl fit), I/O studies (speedup over "
      "sequential) and hazard studies (anomalies per variant, cost vs the fastest safe one) from "
      "results files");
  report
      ->add_option("files", report_files,
                   "HDF5 files from run/sweep/io/hazards/merge (or their --json)")
      ->required();
  report->add_option("--format", report_format, "table, csv or json")
      ->capture_default_str()
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->envname("PARKIT_FORMAT");
  // no environment twins: a file that is never overwritten without --force cannot come from a
  // variable every report would then see
  std::string report_html;
  bool report_force = false;
  auto* report_html_option = report->add_option(
      "--html", report_html,
      "Also write the report as one self-contained HTML page (tables, SVG plots, notes, "
      "provenance; loads nothing) to this file; the --format report still goes to stdout");
  report->add_flag("--force", report_force, "Replace an existing --html file")
      ->needs(report_html_option);

  std::vector<std::string> merge_files;
  std::string merge_output;
  bool merge_force = false;
  auto* merge = app.add_subcommand("merge", "Combine per-job results files into one study file");
  merge->add_option("files", merge_files, "parkit HDF5 results files")->required();
  merge->add_option("-o,--output", merge_output, "The study file to write")->required();
  merge->add_flag("--force", merge_force, "Replace an existing output file");

  CompareOptions compare_options;
  auto* compare = app.add_subcommand(
      "compare",
      "Did it get faster? The runs of each NEW results file against the same runs of BASE: "
      "medians, ratio with its confidence interval, Mann-Whitney p-value, verdict");
  add_compare_options(*compare, compare_options);

  IoOptions io_options;
  auto* io = app.add_subcommand(
      "io", "N waiting HTTP requests: sequential vs threads vs pool vs coroutines");
  add_io_options(*io, io_options);
  HazardsOptions hazards_options;
  auto* hazards = app.add_subcommand(
      "hazards",
      "The thread hazards as measured scenarios: a raced counter, an oversold booking, a "
      "producer-consumer queue, a deadlock; each hazard, its fixes and what they cost");
  add_hazards_options(*hazards, hazards_options);
  ServeCliOptions serve_options;
  auto* serve = app.add_subcommand(
      "serve", "The HTTP server io talks to: /delay/<ms>, /status/<code>, /bytes/<n>, /drop");
  add_serve_options(*serve, serve_options);

  std::string command_name = "parkit";
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return {{"exit", app.exit(e)}};
  } catch (const CLI::CallForAllHelp& e) {
    return {{"exit", app.exit(e)}};
  } catch (const CLI::CallForVersion& e) {
    return {{"exit", app.exit(e)}};
  } catch (const CLI::ParseError& e) {
    for (const auto* sub : app.get_subcommands()) command_name = "parkit " + sub->get_name();
    std::fprintf(stderr, "%s: %s (see %s --help)\n", command_name.c_str(), e.what(),
                 command_name.c_str());
    return {{"exit", exit_usage}};
  }
  for (const auto* sub : app.get_subcommands()) command_name = "parkit " + sub->get_name();
  if (*list) return {{"command", "list"}, {"json", list_json}};
  if (*info) return {{"command", "info"}, {"json", info_json}};
  // An output file that exists is refused before any work, unless --force.
  const auto exists_unforced = [](const char* command_and_option, const std::string& path,
                                  bool force) {
    if (path.empty() || force || !std::filesystem::exists(path)) return false;
    std::fprintf(stderr, "parkit %s: '%s' exists (add --force to replace it)\n", command_and_option,
                 path.c_str());
    return true;
  };
  if (*report) {
    if (exists_unforced("report: --html", report_html, report_force)) return {{"exit", exit_usage}};
    return {{"command", "report"},
            {"files", report_files},
            {"format", report_format},
            {"html", report_html},
            {"force", report_force}};
  }
  if (*merge) {
    if (exists_unforced("merge: -o", merge_output, merge_force)) return {{"exit", exit_usage}};
    return {{"command", "merge"},
            {"files", merge_files},
            {"output", merge_output},
            {"force", merge_force}};
  }

  std::string command_line;
  for (int i = 0; i < argc; ++i) command_line += (i ? " " : "") + std::string(argv[i]);
  try {
    if (*io) return io_decision(io_options, command_line);
    if (*serve) return serve_decision(serve_options);
    if (*hazards) return hazards_decision(hazards_options, command_line);
    if (*compare) return compare_decision(compare_options);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "%s: %s\n", command_name.c_str(), e.what());
    return {{"exit", exit_usage}};
  } catch (const EnvironmentError& e) {
    std::fprintf(stderr, "%s: environment refused: %s\n", command_name.c_str(), e.what());
    return {{"exit", exit_environment}};
  }

  const bool is_run = static_cast<bool>(*run);
  const RunOptions& o = is_run ? run_options : sweep_options;
  try {
    const Plan plan = make_plan(o, is_run ? Command::run : Command::sweep,
                                {exec::job::size(), exec::job::node_place().local_ranks});
    return {
        {"command", is_run ? "run" : "sweep"},
        {"json", o.json},
        {"strict", o.strict},
        {"command_line", command_line},
        {"threads_option", o.threads.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.threads)},
        {"plan", to_json(plan)},
        {"context", o.context},
        {"output", output_json(o)}};
  } catch (const UsageError& e) {
    std::fprintf(stderr, "%s: %s\n", command_name.c_str(), e.what());
    return {{"exit", exit_usage}};
  }
}

/// True for `parkit io`, `serve` and `hazards` outside an MPI launch (under mpirun they join the
/// job like every command, and rank 0 does the work).
bool io_process_only(int argc, char** argv) {
  if (argc < 2 || exec::job::launched_by_launcher()) return false;
  const std::string_view command = argv[1];
  return command == "io" || command == "serve" || command == "hazards";
}

/// "rank 3: " in a job of several ranks: an error is printed by the rank that has it.
std::string rank_prefix(int rank) {
  return exec::job::size() > 1 ? fmt::format("rank {}: ", rank) : std::string();
}

int perform(const nlohmann::json& decision) {
  const std::string command = decision.at("command").get<std::string>();
  if (command == "run") return measure_command(Command::run, decision);
  if (command == "sweep") return measure_command(Command::sweep, decision);
  if (exec::job::rank() != 0) return exit_ok;  // only rank 0 prints
  if (command == "io") return io_command(decision);
  if (command == "serve") return serve_command(decision);
  if (command == "hazards") return hazards_command(decision);
  if (command == "list") return list_command(decision.at("json").get<bool>());
  if (command == "report")
    return report_command(decision.at("files").get<std::vector<std::string>>(),
                          decision.at("format").get<std::string>(),
                          decision.at("html").get<std::string>(), decision.at("force").get<bool>());
  if (command == "compare") return compare_command(decision);
  if (command == "merge")
    return merge_command(decision.at("files").get<std::vector<std::string>>(),
                         decision.at("output").get<std::string>(),
                         decision.at("force").get<bool>());
  return info_command(decision.at("json").get<bool>());
}

}  // namespace

int main(int argc, char** argv) {
  remember_startup_environment();  // provenance: the user's OMPI_* etc., not MPI_Init's
  std::optional<exec::job::Scope> job;
  try {
    // first: MPI_Init_thread when built with MPI. io and serve are one process each and use no
    // MPI: a singleton's start-up (0.2 s, ~15 MiB resident) would only blur their numbers.
    if (!io_process_only(argc, argv)) job.emplace(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "parkit: environment refused: cannot start MPI: %s\n", e.what());
    return exit_environment;
  }
  const int rank = exec::job::rank();
  int code = exit_ok;
  try {
    // Rank 0 alone parses and validates, so a bad option prints once and no rank does any work.
    const std::string decided = rank == 0 ? decide(argc, argv).dump() : std::string();
    const nlohmann::json decision = nlohmann::json::parse(exec::job::broadcast(decided));
    if (decision.contains("exit")) return decision.at("exit").get<int>();
    return perform(decision);
  } catch (const IoError& e) {
    code = exit_io;
    std::fprintf(stderr, "parkit: %s%s\n", rank_prefix(rank).c_str(), e.what());
  } catch (const EnvironmentError& e) {
    code = exit_environment;
    std::fprintf(stderr, "parkit: %senvironment refused: %s\n", rank_prefix(rank).c_str(),
                 e.what());
  } catch (const std::exception& e) {
    code = exit_verification_failed;
    std::fprintf(stderr, "parkit: %serror: %s\n", rank_prefix(rank).c_str(), e.what());
  }
  // One rank failing while the others wait in a collective would hang the job: end them all.
  if (exec::job::size() > 1) exec::job::abort(code);
  return code;
}

}  // namespace parkit::cli
