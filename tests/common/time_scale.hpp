// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstdlib>
#include <string>

namespace cluster_client::testing {

/// How much slower than a plain debug build the tests run: CLUSTER_CLIENT_TEST_TIME_SCALE
/// (a whole number, default 1). A sanitizer build sets it, so that a timeout a test chose to
/// be short but ample (a hung request should cost little) stays ample there.
inline int time_scale() {
    const char* text = std::getenv("CLUSTER_CLIENT_TEST_TIME_SCALE");
    if (text == nullptr) return 1;
    const int scale = std::atoi(text);
    return scale > 0 ? scale : 1;
}

/// `duration` stretched by time_scale().
template <class Rep, class Period>
std::chrono::duration<Rep, Period> scaled(std::chrono::duration<Rep, Period> duration) {
    return duration * time_scale();
}

}  // namespace cluster_client::testing
