// SPDX-License-Identifier: MIT
#include "drivers/cli/sizes.hpp"

#include <gtest/gtest.h>

#include "drivers/cli/errors.hpp"

namespace parkit::cli {
namespace {

TEST(Sizes, AcceptsTheNotationsPeopleType) {
  EXPECT_EQ(parse_size("10000000", "-n"), 10'000'000);
  EXPECT_EQ(parse_size("1e9", "-n"), 1'000'000'000);
  EXPECT_EQ(parse_size("2.5e6", "-n"), 2'500'000);
  EXPECT_EQ(parse_size("10M", "-n"), 10'000'000);
  EXPECT_EQ(parse_size("1G", "-n"), 1'000'000'000);
  EXPECT_EQ(parse_size("1.5k", "-n"), 1500);
  EXPECT_EQ(parse_size("4Mi", "-n"), 4 * 1024 * 1024);
  EXPECT_EQ(parse_size(" 7 ", "-n"), 7);
  EXPECT_EQ(parse_size("9223372036854775807", "-n"), 9223372036854775807);
}

TEST(Sizes, RefusesWithAMessageNamingTheOption) {
  for (const char* bad : {"0", "-5", "abc", "1e30", "1.5", "", "1e", "10X", "1e-3", "0e5",
                          "9223372036854775808", "1e999999"}) {
    try {
      (void)parse_size(bad, "-n");
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const UsageError& e) {
      EXPECT_EQ(std::string(e.what()).rfind("-n: ", 0), 0u) << e.what();
    }
  }
}

TEST(Sizes, CountsListsAndHumanUnits) {
  EXPECT_EQ(parse_count("4", "--threads", 1, 8), 4);
  EXPECT_THROW((void)parse_count("0", "--threads", 1, 8), UsageError);
  EXPECT_THROW((void)parse_count("9", "--threads", 1, 8), UsageError);
  EXPECT_THROW((void)parse_count("two", "--threads", 1, 8), UsageError);
  EXPECT_THROW((void)parse_count("99999999999999999999", "--threads", 1, 8), UsageError);
  EXPECT_EQ(split_list("a, b,,c"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(human_bytes(1536), "1.5 KiB");
  EXPECT_EQ(short_count(1'000'000'000), "1e9");
  EXPECT_EQ(short_count(12345), "12345");
}

}  // namespace
}  // namespace parkit::cli
