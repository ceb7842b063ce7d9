// SPDX-License-Identifier: MIT
#include "retry/circuit_breaker.hpp"

#include <gtest/gtest.h>

using cluster_client::RetryOptions;
using cluster_client::retry::CircuitBreaker;
using State = CircuitBreaker::State;
using namespace std::chrono_literals;

namespace {

const CircuitBreaker::Clock::time_point t0{};

RetryOptions breaker(int failures, std::chrono::milliseconds cooldown) {
    RetryOptions options;
    options.breaker_failures = failures;
    options.breaker_cooldown = cooldown;
    return options;
}

}  // namespace

TEST(CircuitBreaker, OpensAfterTheThresholdOfFailuresInARow) {
    CircuitBreaker b(breaker(3, 1s));
    b.on_failure(t0);
    b.on_failure(t0);
    EXPECT_EQ(b.state(), State::closed);
    EXPECT_TRUE(b.allow(t0));
    b.on_failure(t0 + 10ms);
    EXPECT_EQ(b.state(), State::open);
    EXPECT_FALSE(b.allow(t0 + 10ms));
    EXPECT_FALSE(b.allow(t0 + 1009ms)) << "open for the whole cool-down";
    EXPECT_EQ(b.reopens_at(), t0 + 1010ms);
}

TEST(CircuitBreaker, AnAnswerResetsTheCount) {
    CircuitBreaker b(breaker(3, 1s));
    b.on_failure(t0);
    b.on_failure(t0);
    b.on_answer();
    b.on_failure(t0);
    b.on_failure(t0);
    EXPECT_EQ(b.state(), State::closed) << "failures must be in a row";
    EXPECT_EQ(b.consecutive_failures(), 2);
}

TEST(CircuitBreaker, AfterTheCooldownOneProbeGoesOut) {
    CircuitBreaker b(breaker(1, 1s));
    b.on_failure(t0);
    EXPECT_TRUE(b.allow(t0 + 1s)) << "the probe";
    EXPECT_EQ(b.state(), State::half_open);
    EXPECT_FALSE(b.allow(t0 + 1s)) << "only one probe at a time";
    EXPECT_FALSE(b.allow(t0 + 5s));
}

TEST(CircuitBreaker, AProbeThatIsAnsweredClosesIt) {
    CircuitBreaker b(breaker(1, 1s));
    b.on_failure(t0);
    ASSERT_TRUE(b.allow(t0 + 1s));
    b.on_answer();
    EXPECT_EQ(b.state(), State::closed);
    EXPECT_TRUE(b.allow(t0 + 1s));
    EXPECT_TRUE(b.allow(t0 + 1s));
}

TEST(CircuitBreaker, AProbeThatFailsOpensItForAnotherCooldown) {
    CircuitBreaker b(breaker(5, 1s));
    for (int i = 0; i < 5; ++i) b.on_failure(t0);
    ASSERT_TRUE(b.allow(t0 + 1s));
    b.on_failure(t0 + 1200ms);
    EXPECT_EQ(b.state(), State::open) << "one failed probe is enough, not another five";
    EXPECT_FALSE(b.allow(t0 + 2100ms));
    EXPECT_TRUE(b.allow(t0 + 2200ms));
}
