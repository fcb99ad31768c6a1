// SPDX-License-Identifier: MIT
// `parkit report --html`: the report as one self-contained HTML page (styles, SVG plots and a
// small script inline; nothing loaded from anywhere): the scaling studies as tables and speedup
// and efficiency plots, the I/O and hazard studies, the notes (disturbed points, outliers,
// failures, warnings) and every job's provenance. Everything shown is computed by results/
// (scaling, io_report, hazard_report); this file only lays it out.
#pragma once

#include <span>
#include <string>

#include "parkit/measure/record.hpp"
#include "parkit/results/hazard_report.hpp"
#include "parkit/results/io_report.hpp"
#include "parkit/results/results_file.hpp"
#include "parkit/results/scaling.hpp"

namespace parkit::cli {

/// What `parkit report` read and computed, as the page shows it (any part may be left empty).
struct ReportContents {
  std::span<const std::string> files{};
  std::span<const results::JobProvenance> jobs{};
  std::span<const measure::RunRecord> runs{};
  std::span<const results::IoRecord> io_runs{};
  std::span<const results::HazardRecord> hazard_runs{};
  std::span<const results::Study> studies{};  ///< results::analyse(runs)
  std::span<const results::IoStudy> io_studies{};
  std::span<const results::HazardStudy> hazard_studies{};
  /// By run: where its interference is kept ("/runs/run-0003/interference in a.h5").
  std::span<const std::string> interference_at{};
};

/// The page. `generated_utc` and `generator` ("parkit 0.3.0 (abcdef)") go in its header.
[[nodiscard]] std::string html_report(const ReportContents& contents,
                                      const std::string& generated_utc,
                                      const std::string& generator);

/// Writes `page` to `path` atomically (complete or not at all); an existing file is replaced only
/// with `replace`. Throws IoError naming the file.
void write_html_report(const std::string& path, const std::string& page, bool replace);

}  // namespace parkit::cli
