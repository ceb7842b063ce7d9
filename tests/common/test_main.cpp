// SPDX-License-Identifier: MIT
// The main of every test binary: GoogleTest, with the library's logs at `warn` unless
// CLUSTER_CLIENT_TEST_LOG names another level (e.g. debug, to see every request).
#include <cstdlib>

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

int main(int argc, char** argv) {
    const char* level = std::getenv("CLUSTER_CLIENT_TEST_LOG");
    spdlog::set_level(spdlog::level::from_str(level != nullptr ? level : "warn"));
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
