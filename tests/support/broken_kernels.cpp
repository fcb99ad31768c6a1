// SPDX-License-Identifier: MIT
// Registers the broken kernels, for the test binary parkit_with_broken_kernels only.
#include "support/broken_kernels.hpp"

namespace {
[[maybe_unused]] const bool lazy =
    parkit::kernels::register_kernel<parkit::testing::LazySquareMap>();
[[maybe_unused]] const bool forgetful =
    parkit::kernels::register_kernel<parkit::testing::ForgetfulSum>();
[[maybe_unused]] const bool wrong =
    parkit::kernels::register_kernel<parkit::testing::WrongOffRank0>();
[[maybe_unused]] const bool throws =
    parkit::kernels::register_kernel<parkit::testing::ThrowsOffRank0>();
}  // namespace
