// SPDX-License-Identifier: MIT
// The `parkit` command line: run | sweep | list | info.
#pragma once

namespace parkit::cli {

/// The whole program; returns the process exit code (see errors.hpp).
int main(int argc, char** argv);

}  // namespace parkit::cli
