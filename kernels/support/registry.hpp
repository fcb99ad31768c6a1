// SPDX-License-Identifier: MIT
// The kernel registry: filled by register_kernel<K>() from each kernel file at static-init time
// (the kernels are an OBJECT library, so no registrar is dropped by the linker).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parkit/exec/affinity.hpp"
#include "parkit/kernels/concepts.hpp"
#include "parkit/measure/protocol.hpp"

namespace parkit::kernels {

/// One run to do: kernel x model x n x threads.
struct RunRequest {
  std::string kernel;
  std::string model;
  Index n = 0;           ///< global elements
  unsigned threads = 0;  ///< per rank; 0: the model's default
  exec::Bind bind = exec::Bind::none;
  measure::Protocol protocol;
  std::string scaling = "none";
  measure::RepDone on_rep;  ///< progress hook, called between reps (outside the timed region)
};

using Runner = std::function<measure::RunRecord(const RunRequest&)>;

struct KernelEntry {
  KernelInfo info;
  bool reduction = false;
  Index max_n = 0;
  std::map<std::string, Runner, std::less<>> runners;  ///< by model name: built models only
};

class Registry {
 public:
  void add(KernelEntry entry);
  /// nullptr when unknown.
  [[nodiscard]] const KernelEntry* find(std::string_view name) const;
  /// In name order.
  [[nodiscard]] std::vector<const KernelEntry*> kernels() const;
  [[nodiscard]] std::vector<std::string> names() const;

 private:
  std::map<std::string, KernelEntry, std::less<>> entries_;
};

Registry& registry();

/// The instruction-set paths the kernels take on this CPU (chosen at run time), for provenance:
/// "sum_squares=avx512-ifma arrays=avx512 streaming>=16 MiB".
[[nodiscard]] std::string code_paths();
/// An error naming PARKIT_SUM_SQUARES_PATH or PARKIT_ARRAY_PATH when one is set to a path this
/// CPU does not run (the kernels would quietly take their default), with the accepted values.
[[nodiscard]] std::optional<std::string> bad_path_override();

/// Runs one request; throws std::invalid_argument for an unknown kernel or model.
[[nodiscard]] measure::RunRecord run(const RunRequest& request);

}  // namespace parkit::kernels
