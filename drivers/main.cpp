// SPDX-License-Identifier: MIT
#include "parkit/cli.hpp"

int main(int argc, char** argv) { return parkit::cli::main(argc, argv); }
