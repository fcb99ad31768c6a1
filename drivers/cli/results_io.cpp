// SPDX-License-Identifier: MIT
#include "drivers/cli/results_io.hpp"

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "drivers/cli/errors.hpp"
#include "drivers/cli/hazard_output.hpp"
#include "drivers/cli/io_output.hpp"
#include "drivers/cli/job_output.hpp"
#include "drivers/cli/machine.hpp"
#include "drivers/cli/output.hpp"
#include "parkit/exec/job.hpp"
#include "parkit/exec/runtime.hpp"
#include "parkit/kernels/registry.hpp"
#include "parkit/results/atomic_file.hpp"
#include "parkit/results/h5.hpp"

namespace parkit::cli {
namespace fs = std::filesystem;
namespace {

std::string utc_stamp(const char* format) {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32] = {};
  std::strftime(text, sizeof text, format, &tm);
  return text;
}

std::string user_name() {
  if (const passwd* pw = getpwuid(getuid()); pw != nullptr) return pw->pw_name;
  const char* user = std::getenv("USER");
  return user != nullptr ? user : std::to_string(getuid());
}

}  // namespace

std::string utc_now() { return utc_stamp("%Y-%m-%dT%H:%M:%SZ"); }

std::string default_results_name(const std::string& directory) {
  std::string name = "parkit-" + utc_stamp("%Y%m%dT%H%M%SZ") + "-" + machine_info().host;
  if (const char* job = std::getenv("SLURM_JOB_ID")) {
    const char* step = std::getenv("SLURM_STEP_ID");
    name += std::string("-") + job + "-" + (step != nullptr ? step : "batch");
  }
  return (fs::path(directory) / (name + ".h5")).string();
}

OutputTarget choose_output(const RunOptions& o) {
  for (const std::string& pair : o.context)
    if (pair.find('=') == std::string::npos || pair.front() == '=')
      throw UsageError(fmt::format("--context: '{}' is not key=value", pair));
  if (o.no_output) {
    if (!o.output.empty()) throw UsageError("-o: conflicts with --no-output (give one of them)");
    return {"", false, false};
  }
  if (o.output.empty()) {
    const char* dir = std::getenv("PARKIT_RESULTS_DIR");
    const std::string directory = dir != nullptr && *dir ? dir : ".";
    if (!fs::is_directory(directory))
      throw UsageError(fmt::format("PARKIT_RESULTS_DIR: '{}' is not a directory", directory));
    return {default_results_name(directory), true, o.force};
  }
  const fs::path path(o.output);
  const fs::path parent = path.has_parent_path() ? path.parent_path() : fs::path(".");
  if (!fs::is_directory(parent))
    throw UsageError(fmt::format("-o: directory '{}' does not exist", parent.string()));
  if (fs::is_directory(path)) throw UsageError(fmt::format("-o: '{}' is a directory", o.output));
  if (fs::exists(path) && !o.force)
    throw UsageError(fmt::format("-o: '{}' exists (add --force to replace it)", o.output));
  if (access(parent.c_str(), W_OK) != 0)
    throw UsageError(fmt::format("-o: directory '{}' is not writable", parent.string()));
  return {o.output, false, o.force};
}

results::JobProvenance job_provenance(const nlohmann::json& decision,
                                      const std::vector<std::string>& hosts) {
  const BuildInfo b = build_info();
  const MachineInfo m = machine_info();
  results::JobProvenance job;
  job.text = {{"command_line", decision.at("command_line").get<std::string>()},
              {"threads_option", decision.at("threads_option").is_null()
                                     ? std::string()
                                     : decision.at("threads_option").get<std::string>()},
              {"user", user_name()},
              {"created_utc", utc_now()},
              {"parkit_version", b.version},
              {"git_commit", b.git_commit},
              {"compiler", b.compiler},
              {"compiler_flags", b.flags},
              {"build_type", b.build_type},
              {"kernel_paths", kernels::code_paths()},
              {"mpi_library", b.mpi},
              {"openmp_version", b.openmp},
              {"hdf5_version", h5::library_version()},
              {"cpu_model", m.cpu_model},
              {"os", m.os},
              {"cpus_allowed", m.allowed_cpus}};
  job.numbers = {{"ranks", static_cast<double>(exec::job::size())},
                 {"cores", static_cast<double>(m.logical_cpus)},
                 {"memory_bytes", static_cast<double>(m.memory_total)},
                 {"timer_resolution_s", m.timer_resolution}};
  job.hosts = hosts;
  job.environment = environment_with_prefixes({"OMP_", "OMPI_", "SLURM_", "PARKIT_"});
  job.openmp_icvs = exec::openmp_icvs();
  for (const auto& pair : decision.value("context", std::vector<std::string>{})) {
    const std::size_t eq = pair.find('=');
    job.context.emplace_back(pair.substr(0, eq), pair.substr(eq + 1));
  }
  return job;
}

std::string write_job_results(const OutputTarget& target, const results::ResultsFile& file) {
  std::vector<unsigned char> image;
  try {
    image = results::encode(file);  // once: a taken name only changes where it goes
  } catch (const h5::Error& e) {
    throw IoError(fmt::format("{}: {}", target.path, e.what()));
  }
  std::string path = target.path;
  const fs::path base(target.path);
  for (int attempt = 1;; ++attempt) {
    try {
      results::publish(path, image, target.replace);
      return path;
    } catch (const results::FileExists&) {
      // two jobs in the same second on one host: a generated name takes the next suffix
      if (!target.default_name || attempt > 99)
        throw IoError(fmt::format("{}: exists (appeared while the job ran; not replaced)", path));
      path = (base.parent_path() / (base.stem().string() + "-" + std::to_string(attempt) + ".h5"))
                 .string();
    } catch (const std::system_error& e) {
      throw IoError(e.what());
    }
  }
}

results::ResultsFile read_any_results(const std::string& path) {
  if (!fs::exists(path)) throw IoError(fmt::format("{}: no such file", path));
  if (results::looks_like_hdf5(path)) {
    try {
      return results::read_results(path);
    } catch (const std::exception& e) {
      throw IoError(e.what());
    }
  }
  std::ifstream in(path);
  if (!in) throw IoError(fmt::format("{}: cannot open", path));
  try {  // the JSON that run/sweep/io/hazards --json print: kernel, I/O or hazard runs
    const nlohmann::json j = nlohmann::json::parse(in);
    if (!j.is_object() || !j.contains("parkit") ||
        (!j.contains("runs") && !j.contains("io_runs") && !j.contains("hazard_runs")))
      throw IoError(
          fmt::format("{}: not a parkit result (neither parkit HDF5 nor its JSON)", path));
    results::ResultsFile f;
    if (j.contains("provenance")) f.jobs.push_back(provenance_from_json(j.at("provenance")));
    for (const auto& run : j.value("runs", nlohmann::json::array()))
      f.runs.push_back(record_from_json(run));
    for (const auto& run : j.value("io_runs", nlohmann::json::array()))
      f.io_runs.push_back(io_record_from_json(run));
    for (const auto& run : j.value("hazard_runs", nlohmann::json::array()))
      f.hazard_runs.push_back(hazard_record_from_json(run));
    return f;
  } catch (const nlohmann::json::exception&) {
    throw IoError(fmt::format("{}: not a parkit result (neither parkit HDF5 nor its JSON)", path));
  }
}

}  // namespace parkit::cli
