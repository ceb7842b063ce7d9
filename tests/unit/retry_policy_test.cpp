// SPDX-License-Identifier: MIT
#include "retry/retry_policy.hpp"

#include <limits>

#include <gtest/gtest.h>

#include <cluster_client/errors.hpp>

using cluster_client::ConfigError;
using cluster_client::RetryOptions;
using cluster_client::retry::Clock;
using cluster_client::retry::Decision;
using cluster_client::retry::RetryPolicy;
using namespace std::chrono_literals;

namespace {

// A fake clock: fixed time points, nothing sleeps.
const Clock::time_point t0{};
// Where a step started at t0 with no_jitter() must end.
const Clock::time_point deadline = t0 + 10s;

RetryOptions no_jitter() {
    return {.max_attempts = 10,
            .initial_backoff = 100ms,
            .multiplier = 2.0,
            .max_backoff = 1000ms,
            .jitter = false,
            .attempt_timeout = 2000ms,
            .deadline = 10000ms};
}

std::string validate_error(const RetryOptions& options) {
    try {
        RetryPolicy::validate(options);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "valid";
}

}  // namespace

TEST(RetryPolicy, BackoffGrowsByMultiplierUpToCap) {
    const RetryPolicy policy(no_jitter());
    EXPECT_EQ(policy.backoff(1), 100ms);
    EXPECT_EQ(policy.backoff(2), 200ms);
    EXPECT_EQ(policy.backoff(3), 400ms);
    EXPECT_EQ(policy.backoff(4), 800ms);
    EXPECT_EQ(policy.backoff(5), 1000ms);
    EXPECT_EQ(policy.backoff(50), 1000ms);
}

TEST(RetryPolicy, BackoffDoesNotOverflowForHugeExponents) {
    RetryOptions options = no_jitter();
    options.multiplier = 1000.0;
    options.max_attempts = std::numeric_limits<int>::max();
    const RetryPolicy policy(options);
    EXPECT_EQ(policy.backoff(std::numeric_limits<int>::max()), 1000ms);
    EXPECT_EQ(policy.backoff(200), 1000ms);
}

TEST(RetryPolicy, MultiplierOneKeepsBackoffConstant) {
    RetryOptions options = no_jitter();
    options.multiplier = 1.0;
    const RetryPolicy policy(options);
    EXPECT_EQ(policy.backoff(1), 100ms);
    EXPECT_EQ(policy.backoff(9), 100ms);
}

TEST(RetryPolicy, FractionalMultiplierRounds) {
    RetryOptions options = no_jitter();
    options.multiplier = 1.5;
    const RetryPolicy policy(options);
    EXPECT_EQ(policy.backoff(2), 150ms);
    EXPECT_EQ(policy.backoff(3), 225ms);
}

TEST(RetryPolicy, WithoutJitterDelayIsTheBackoff) {
    const RetryPolicy policy(no_jitter());
    const Decision d = policy.after_failure(3, deadline, t0 + 50ms, std::nullopt, 0.5);
    EXPECT_TRUE(d.should_retry());
    EXPECT_EQ(d.kind, Decision::Kind::retry);
    EXPECT_EQ(d.delay, 400ms);
}

TEST(RetryPolicy, FullJitterStaysWithinBackoff) {
    RetryOptions options = no_jitter();
    options.jitter = true;
    const RetryPolicy policy(options);
    EXPECT_EQ(policy.after_failure(1, deadline, t0, std::nullopt, 0.0).delay, 0ms);
    EXPECT_EQ(policy.after_failure(1, deadline, t0, std::nullopt, 0.999).delay, 100ms);
    EXPECT_EQ(policy.after_failure(1, deadline, t0, std::nullopt, 0.5).delay, 50ms);
    EXPECT_EQ(policy.after_failure(4, deadline, t0, std::nullopt, 0.999).delay, 800ms);
    for (double u = 0.0; u < 1.0; u += 0.001) {
        const Decision d = policy.after_failure(2, deadline, t0, std::nullopt, u);
        ASSERT_TRUE(d.should_retry());
        ASSERT_GE(d.delay, 0ms) << u;
        ASSERT_LE(d.delay, 200ms) << u;
    }
}

TEST(RetryPolicy, JitterClampsAnOutOfRangeUniform) {
    RetryOptions options = no_jitter();
    options.jitter = true;
    const RetryPolicy policy(options);
    EXPECT_EQ(policy.after_failure(1, deadline, t0, std::nullopt, 1.0).delay, 100ms);
    EXPECT_EQ(policy.after_failure(1, deadline, t0, std::nullopt, 7.0).delay, 100ms);
    EXPECT_EQ(policy.after_failure(1, deadline, t0, std::nullopt, -3.0).delay, 0ms);
}

TEST(RetryPolicy, ExhaustedAfterMaxAttempts) {
    RetryOptions options = no_jitter();
    options.max_attempts = 3;
    const RetryPolicy policy(options);
    EXPECT_TRUE(policy.after_failure(2, deadline, t0, std::nullopt, 0.0).should_retry());
    const Decision d = policy.after_failure(3, deadline, t0, std::nullopt, 0.0);
    EXPECT_FALSE(d.should_retry());
    EXPECT_EQ(d.kind, Decision::Kind::attempts_exhausted);
    EXPECT_EQ(policy.after_failure(4, deadline, t0, std::nullopt, 0.0).kind, Decision::Kind::attempts_exhausted);
}

TEST(RetryPolicy, SingleAttemptNeverRetries) {
    RetryOptions options = no_jitter();
    options.max_attempts = 1;
    const RetryPolicy policy(options);
    EXPECT_EQ(policy.after_failure(1, deadline, t0, std::nullopt, 0.0).kind, Decision::Kind::attempts_exhausted);
}

TEST(RetryPolicy, DeadlineStopsADelayThatWouldReachIt) {
    const RetryPolicy policy(no_jitter());
    // Backoff after attempt 1 is 100ms; the deadline is at t0 + 10s.
    EXPECT_TRUE(policy.after_failure(1, deadline, t0 + 9899ms, std::nullopt, 0.0).should_retry());
    EXPECT_EQ(policy.after_failure(1, deadline, t0 + 9900ms, std::nullopt, 0.0).kind,
              Decision::Kind::deadline_exceeded);
    EXPECT_EQ(policy.after_failure(1, deadline, t0 + 20s, std::nullopt, 0.0).kind, Decision::Kind::deadline_exceeded);
}

TEST(RetryPolicy, LargerRetryAfterReplacesTheDelay) {
    const RetryPolicy policy(no_jitter());
    EXPECT_EQ(policy.after_failure(1, deadline, t0, 3000ms, 0.0).delay, 3000ms);
    EXPECT_EQ(policy.after_failure(1, deadline, t0, 0ms, 0.0).delay, 100ms);
    EXPECT_EQ(policy.after_failure(1, deadline, t0, 50ms, 0.0).delay, 100ms);
}

TEST(RetryPolicy, RetryAfterReplacesAJitteredDelay) {
    RetryOptions options = no_jitter();
    options.jitter = true;
    const RetryPolicy policy(options);
    EXPECT_EQ(policy.after_failure(1, deadline, t0, 30ms, 0.0).delay, 30ms);
}

TEST(RetryPolicy, RetryAfterBeyondDeadlineGivesUp) {
    const RetryPolicy policy(no_jitter());
    EXPECT_EQ(policy.after_failure(1, deadline, t0 + 1s, 9000ms, 0.0).kind, Decision::Kind::deadline_exceeded);
    EXPECT_EQ(policy.after_failure(1, deadline, t0 + 1s, 8999ms, 0.0).delay, 8999ms);
}

TEST(RetryPolicy, ExhaustionWinsOverDeadline) {
    RetryOptions options = no_jitter();
    options.max_attempts = 2;
    const RetryPolicy policy(options);
    EXPECT_EQ(policy.after_failure(2, deadline, t0 + 1h, std::nullopt, 0.0).kind, Decision::Kind::attempts_exhausted);
}

TEST(RetryPolicy, AttemptTimeoutIsCutToRemainingDeadline) {
    const RetryPolicy policy(no_jitter());
    EXPECT_EQ(policy.attempt_timeout(deadline, t0), 2000ms);
    EXPECT_EQ(policy.attempt_timeout(deadline, t0 + 8000ms), 2000ms);
    EXPECT_EQ(policy.attempt_timeout(deadline, t0 + 8500ms), 1500ms);
    EXPECT_EQ(policy.attempt_timeout(deadline, t0 + 9999ms + 500us), 0ms);
    EXPECT_EQ(policy.attempt_timeout(deadline, t0 + 10s), 0ms);
    EXPECT_EQ(policy.attempt_timeout(deadline, t0 + 11s), 0ms);
}

TEST(RetryPolicy, AStepEndsByItsDeadlineOrTheSagasEndWhicheverComesFirst) {
    const RetryPolicy policy(no_jitter());
    EXPECT_EQ(policy.step_deadline(t0, Clock::time_point::max()), t0 + 10s);
    EXPECT_EQ(policy.step_deadline(t0 + 1s, t0 + 30s), t0 + 11s);
    EXPECT_EQ(policy.step_deadline(t0 + 25s, t0 + 30s), t0 + 30s);
    EXPECT_EQ(policy.step_deadline(t0 + 31s, t0 + 30s), t0 + 30s) << "a step starting late has no time at all";
}

TEST(RetryPolicy, DefaultsAreValid) {
    EXPECT_EQ(validate_error(RetryOptions{}), "valid");
    const RetryPolicy policy(RetryOptions{});
    EXPECT_EQ(policy.options().max_attempts, 5);
}

TEST(RetryPolicy, ValidateRejectsBadOptions) {
    RetryOptions o;
    o.max_attempts = 0;
    EXPECT_EQ(validate_error(o), "retry: max_attempts must be at least 1 (got 0)");

    o = {};
    o.saga_deadline = 10s;
    EXPECT_EQ(validate_error(o),
              "retry: saga_deadline must be at least deadline, so that compensation has time (got 10000ms < 15000ms)");

    o = {};
    o.budget_tokens = 0;
    EXPECT_EQ(validate_error(o), "retry: budget_tokens must be at least 1 (got 0)");

    o = {};
    o.budget_refill = 0.0;
    EXPECT_EQ(validate_error(o), "retry: budget_refill must be a positive number (got 0)");
    o.budget_refill = std::numeric_limits<double>::quiet_NaN();
    EXPECT_EQ(validate_error(o), "retry: budget_refill must be a positive number (got nan)");

    o = {};
    o.breaker_failures = 0;
    EXPECT_EQ(validate_error(o), "retry: breaker_failures must be at least 1 (got 0)");

    o = {};
    o.breaker_cooldown = 0ms;
    EXPECT_EQ(validate_error(o), "retry: breaker_cooldown must be positive (got 0ms)");

    o = {};
    o.initial_backoff = 0ms;
    EXPECT_EQ(validate_error(o), "retry: initial_backoff must be positive (got 0ms)");

    o = {};
    o.max_backoff = -5ms;
    EXPECT_EQ(validate_error(o), "retry: max_backoff must be positive (got -5ms)");

    o = {};
    o.attempt_timeout = 0ms;
    EXPECT_EQ(validate_error(o), "retry: attempt_timeout must be positive (got 0ms)");

    o = {};
    o.deadline = 0ms;
    EXPECT_EQ(validate_error(o), "retry: deadline must be positive (got 0ms)");

    o = {};
    o.multiplier = 0.5;
    EXPECT_EQ(validate_error(o), "retry: multiplier must be a finite number of at least 1 (got 0.5)");
    o.multiplier = std::numeric_limits<double>::quiet_NaN();
    EXPECT_NE(validate_error(o).find("multiplier"), std::string::npos);
    o.multiplier = std::numeric_limits<double>::infinity();
    EXPECT_NE(validate_error(o).find("multiplier"), std::string::npos);

    o = {};
    o.initial_backoff = 2000ms;
    o.max_backoff = 1000ms;
    EXPECT_EQ(validate_error(o), "retry: initial_backoff must not exceed max_backoff (got 2000ms > 1000ms)");
}

TEST(RetryPolicy, ConstructorValidates) {
    RetryOptions o;
    o.max_attempts = -1;
    EXPECT_THROW(RetryPolicy{o}, ConfigError);
}
