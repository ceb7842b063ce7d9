// SPDX-License-Identifier: MIT
#pragma once

#include <cstdlib>
#include <string_view>

#include <gtest/gtest.h>

namespace cluster_client::testing {

/// Whether the tests run under continuous integration: the CI environment variable is `true`
/// (any case) or `1`, as CI services set it. There a test that cannot run is a failure, not
/// a skip: a green run must mean the suite ran.
inline bool in_ci() {
    const char* value = std::getenv("CI");
    if (value == nullptr) return false;
    const std::string_view text(value);
    return text == "1" || text == "true" || text == "TRUE" || text == "True";
}

}  // namespace cluster_client::testing

/// Ends the current test, which cannot run for `reason`: skipped with that reason outside
/// CI, failed under CI (testing::in_ci()) naming what is missing. Like GTEST_SKIP, it returns
/// from the calling function, so use it in a test body or SetUp.
#define CLUSTER_CLIENT_CANNOT_RUN(reason)                                                        \
    do {                                                                                         \
        if (::cluster_client::testing::in_ci()) {                                                \
            FAIL() << "cannot run, and CI is set, where a skip would pass unseen: " << (reason); \
        }                                                                                        \
        GTEST_SKIP() << (reason);                                                                \
    } while (0)
