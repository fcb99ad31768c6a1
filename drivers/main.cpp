// SPDX-License-Identifier: MIT
#include "drivers/cli/app.hpp"

int main(int argc, char** argv) { return parkit::cli::main(argc, argv); }
