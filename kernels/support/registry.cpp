// SPDX-License-Identifier: MIT
#include "parkit/kernels/registry.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdlib>
#include <stdexcept>

#include "parkit/kernels/arrays.hpp"
#include "parkit/kernels/exact_sums.hpp"

namespace parkit::kernels {

Registry& registry() {
  static Registry instance;  // constructed on first use: safe from any registrar's static init
  return instance;
}

void Registry::add(KernelEntry entry) {
  const std::string name(entry.info.name);
  if (!entries_.emplace(name, std::move(entry)).second)
    throw std::logic_error("kernel '" + name + "' registered twice");
}

const KernelEntry* Registry::find(std::string_view name) const {
  const auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : &it->second;
}

std::vector<const KernelEntry*> Registry::kernels() const {
  std::vector<const KernelEntry*> out;
  for (const auto& [name, entry] : entries_) out.push_back(&entry);
  return out;
}

std::vector<std::string> Registry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, entry] : entries_) out.push_back(name);
  return out;
}

std::string code_paths() {
  return fmt::format("sum_squares={} arrays={} streaming>={} MiB", name_of(sum_squares_path()),
                     arrays::name_of(arrays::path()), arrays::streaming_threshold_bytes() >> 20);
}

namespace {

template <class Path, class NameOf>
std::optional<std::string> check_override(const char* variable, const std::vector<Path>& here,
                                          NameOf name_of) {
  const char* asked = std::getenv(variable);
  if (asked == nullptr) return std::nullopt;
  std::vector<std::string> names;
  for (const Path p : here) {
    names.emplace_back(name_of(p));
    if (names.back() == asked) return std::nullopt;
  }
  return fmt::format("{}={}: not a path this CPU runs (accepted here: {})", variable, asked,
                     fmt::join(names, ", "));
}

}  // namespace

std::optional<std::string> bad_path_override() {
  if (auto bad = check_override("PARKIT_SUM_SQUARES_PATH", sum_squares_paths_here(),
                                [](SumSquaresPath p) { return name_of(p); }))
    return bad;
  return check_override("PARKIT_ARRAY_PATH", arrays::paths_here(),
                        [](arrays::Path p) { return arrays::name_of(p); });
}

measure::RunRecord run(const RunRequest& request) {
  const KernelEntry* entry = registry().find(request.kernel);
  if (entry == nullptr) throw std::invalid_argument("unknown kernel '" + request.kernel + "'");
  const auto runner = entry->runners.find(request.model);
  if (runner == entry->runners.end())
    throw std::invalid_argument("model '" + request.model + "' is not built in");
  return runner->second(request);
}

}  // namespace parkit::kernels
