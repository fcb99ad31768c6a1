// SPDX-License-Identifier: MIT
#include "drivers/cli/job_output.hpp"

#include <cstdio>
#include <limits>
#include <string>

#include "drivers/cli/errors.hpp"
#include "drivers/cli/machine.hpp"
#include "drivers/cli/results_io.hpp"
#include "parkit/exec/timer.hpp"

namespace parkit::cli {

nlohmann::json header_json() {
  const BuildInfo b = build_info();
  return {{"version", b.version}, {"git_commit", b.git_commit}};
}

nlohmann::json to_object(const std::vector<std::pair<std::string, std::string>>& pairs) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : pairs) j[k] = v;
  return j;
}

nlohmann::json provenance_json(const results::JobProvenance& job) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [key, value] : job.text) j[key] = value;
  for (const auto& [key, value] : job.numbers) j[key] = value;
  j["hosts"] = job.hosts;
  j["environment"] = to_object(job.environment);
  j["openmp_icvs"] = to_object(job.openmp_icvs);
  j["context"] = to_object(job.context);
  return j;
}

results::JobProvenance provenance_from_json(const nlohmann::json& j) {
  // informative only: a field of an unexpected type is skipped, never a reason to refuse a file
  results::JobProvenance job;
  if (!j.is_object()) return job;
  const auto pairs = [](const nlohmann::json& object) {
    results::Pairs out;
    if (object.is_object())
      for (const auto& [key, value] : object.items())
        if (value.is_string()) out.emplace_back(key, value.get<std::string>());
    return out;
  };
  for (const auto& [key, value] : j.items()) {
    if (key == "hosts" && value.is_array()) {
      for (const auto& host : value)
        if (host.is_string()) job.hosts.push_back(host.get<std::string>());
    } else if (key == "environment") {
      job.environment = pairs(value);
    } else if (key == "openmp_icvs") {
      job.openmp_icvs = pairs(value);
    } else if (key == "context") {
      job.context = pairs(value);
    } else if (value.is_number()) {
      job.numbers.emplace_back(key, value.get<double>());
    } else if (value.is_null()) {  // a NaN number, as provenance_json writes it
      job.numbers.emplace_back(key, std::numeric_limits<double>::quiet_NaN());
    } else if (value.is_string()) {
      job.text.emplace_back(key, value.get<std::string>());
    }
  }
  return job;
}

void add_output_options(CLI::App& command, RunOptions& o) {
  command.add_flag("--json", o.json, "Print JSON instead of a table")->envname("PARKIT_JSON");
  command
      .add_option("-o,--output", o.output,
                  "Results file (HDF5; default: parkit-<UTC>-<host>[-<slurm job>-<step>].h5 in "
                  "$PARKIT_RESULTS_DIR or here)")
      ->envname("PARKIT_OUTPUT");
  command.add_flag("--no-output", o.no_output, "Write no results file")
      ->envname("PARKIT_NO_OUTPUT");
  command.add_flag("--force", o.force, "Replace an existing results file")->envname("PARKIT_FORCE");
  command
      .add_option("--context", o.context,
                  "key=value recorded in the results' provenance (repeatable)")
      ->envname("PARKIT_CONTEXT");
}

nlohmann::json output_json(const RunOptions& options) {
  const OutputTarget output = choose_output(options);
  return {
      {"path", output.path}, {"default_name", output.default_name}, {"replace", output.replace}};
}

int save_job_results(const nlohmann::json& decision, const results::ResultsFile& file,
                     std::string_view what) {
  const auto& out = decision.at("output");
  const OutputTarget target{out.at("path").get<std::string>(), out.at("default_name").get<bool>(),
                            out.at("replace").get<bool>()};
  if (target.path.empty()) return exit_ok;
  const auto t0 = exec::Clock::now();
  try {
    const std::string written = write_job_results(target, file);
    std::fprintf(stderr, "parkit: wrote %s (%.*s, %.1f ms)\n", written.c_str(),
                 static_cast<int>(what.size()), what.data(), exec::seconds_since(t0) * 1e3);
    return exit_ok;
  } catch (const IoError& e) {
    std::fprintf(stderr, "parkit: results not written: %s\n", e.what());
    return exit_io;
  }
}

}  // namespace parkit::cli
