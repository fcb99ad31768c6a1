// SPDX-License-Identifier: MIT
// Publishing a file all at once: readers (and a job killed half-way) see either no file or the
// complete one, and a file that exists is never touched unless replacing was asked for.
#pragma once

#include <span>
#include <stdexcept>
#include <string>

namespace parkit::results {

class FileExists : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Writes `bytes` to an unnamed file in path's directory (O_TMPFILE: a killed process leaves
/// nothing behind), syncs it, then links it in as `path` (fails with FileExists if `path`
/// exists) or, with `replace`, renames it over `path`. Filesystems without O_TMPFILE get a
/// hidden named temporary instead. Throws std::system_error naming the path on I/O errors.
void publish(const std::string& path, std::span<const unsigned char> bytes, bool replace);

}  // namespace parkit::results
