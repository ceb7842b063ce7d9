// SPDX-License-Identifier: MIT
#include "saga/read_step.hpp"

#include <gtest/gtest.h>

#include "step_driver.hpp"

using cluster_client::retry::RetryBudget;
using cluster_client::retry::RetryPolicy;
using cluster_client::saga::ReadStep;
using cluster_client::saga::StepBase;
using namespace step_test;

namespace {

// Reaches the shared retry plumbing directly, so its rules are pinned down once rather
// than only through each machine.
class ProbeStep : public StepBase {
public:
    using StepBase::StepBase;

    Send start(Clock::time_point now, Call call, Clock::time_point saga_end = Clock::time_point::max()) {
        begin(Start{now, saga_end});
        enter("probe");
        return send(call);
    }
    Action fail(const Replied& event, int attempts_made, Call next, HostState give_up) {
        note(event);
        return retry_or(event, attempts_made, next, give_up);
    }
    Send again() const { return resend(); }
};

}  // namespace

TEST(StepBase, StartsWithNothingWrittenAndNoError) {
    const RetryPolicy policy(test_options());
    ProbeStep step(policy);
    EXPECT_FALSE(step.wrote());
    EXPECT_EQ(step.last_error(), "");
}

TEST(StepBase, RetryWaitsThenResendsTheNextCall) {
    const RetryPolicy policy(test_options());
    ProbeStep step(policy);
    EXPECT_EQ(step.start(t0, Call::create).call, Call::create);
    EXPECT_EQ(step.again().call, Call::create);
    // After an ambiguous POST the next call is a read, not the POST again.
    EXPECT_TRUE(IsWait(step.fail(replied(server_error(), t0 + 1ms), 1, Call::get, HostState::unknown), 100ms));
    EXPECT_EQ(step.again().call, Call::get);
    EXPECT_EQ(step.last_error(), "probe: HTTP 500");
}

TEST(StepBase, RefusedFinishesAtOnceWithoutAReason) {
    const RetryPolicy policy(test_options());
    ProbeStep step(policy);
    step.start(t0, Call::get);
    EXPECT_TRUE(IsFinish(step.fail(replied(refused(), t0 + 1ms), 1, Call::get, HostState::failed), HostState::failed));
    EXPECT_EQ(step.last_error(), "probe: HTTP 403");
}

TEST(StepBase, GivingUpNamesWhy) {
    const RetryPolicy policy(test_options());
    ProbeStep exhausted(policy);
    exhausted.start(t0, Call::get);
    EXPECT_TRUE(IsFinish(exhausted.fail(replied(server_error(), t0 + 1ms), 4, Call::get, HostState::unknown),
                         HostState::unknown));
    EXPECT_EQ(exhausted.last_error(), "probe: HTTP 500 (attempts exhausted)");

    ProbeStep late(policy);
    late.start(t0, Call::get);
    EXPECT_TRUE(IsFinish(late.fail(replied(server_error(), t0 + 9950ms), 1, Call::get, HostState::unknown),
                         HostState::unknown));
    EXPECT_EQ(late.last_error(), "probe: HTTP 500 (deadline exceeded)");
}

TEST(StepBase, ARetryAfterPastTheDeadlineGivesUpAtOnceSayingSo) {
    const RetryPolicy policy(test_options());
    ProbeStep step(policy);
    step.start(t0, Call::get);
    EXPECT_TRUE(
        IsFinish(step.fail(replied(throttled(10s), t0 + 1s), 1, Call::get, HostState::unknown), HostState::unknown));
    EXPECT_EQ(step.last_error(), "probe: HTTP 429 (Retry-After passes the deadline)");
}

TEST(StepBase, TheSagasEndCutsTheStepsDeadline) {
    const RetryPolicy policy(test_options());  // 10 s a step
    ProbeStep step(policy);
    step.start(t0, Call::get, t0 + 3s);
    EXPECT_EQ(step.deadline(), t0 + 3s);
    EXPECT_TRUE(IsFinish(step.fail(replied(server_error(), t0 + 2950ms), 1, Call::get, HostState::unknown),
                         HostState::unknown));
    EXPECT_EQ(step.last_error(), "probe: HTTP 500 (deadline exceeded)");
}

TEST(StepBase, EachRetryTakesATokenAndAnEmptyBudgetEndsTheStep) {
    RetryOptions options = test_options();
    options.budget_tokens = 1;
    const RetryPolicy policy(options);
    RetryBudget budget(options);
    ProbeStep first(policy, &budget);
    first.start(t0, Call::get);
    EXPECT_TRUE(IsWait(first.fail(replied(server_error(), t0), 1, Call::get, HostState::unknown), 100ms));
    ProbeStep second(policy, &budget);
    second.start(t0, Call::get);
    EXPECT_TRUE(
        IsFinish(second.fail(replied(server_error(), t0), 1, Call::get, HostState::unknown), HostState::unknown));
    EXPECT_EQ(second.last_error(), "probe: HTTP 500 (retry budget exhausted)");
    EXPECT_DOUBLE_EQ(budget.tokens(), 0.0);
}

TEST(StepBase, AStepThatGivesUpAnywayTakesNoToken) {
    RetryOptions options = test_options();
    options.budget_tokens = 1;
    const RetryPolicy policy(options);
    RetryBudget budget(options);
    ProbeStep step(policy, &budget);
    step.start(t0, Call::get);
    EXPECT_TRUE(IsFinish(step.fail(replied(server_error(), t0), 4, Call::get, HostState::unknown), HostState::unknown));
    EXPECT_TRUE(IsFinish(step.fail(replied(refused(), t0), 1, Call::get, HostState::unknown), HostState::unknown));
    EXPECT_DOUBLE_EQ(budget.tokens(), 1.0);
}

TEST(StepBase, WaitUsesTheLargerOfBackoffAndRetryAfter) {
    const RetryPolicy policy(test_options());
    ProbeStep step(policy);
    step.start(t0, Call::get);
    EXPECT_TRUE(IsWait(step.fail(replied(throttled(50ms), t0), 3, Call::get, HostState::unknown), 400ms));
    EXPECT_TRUE(IsWait(step.fail(replied(throttled(4s), t0), 3, Call::get, HostState::unknown), 4000ms));
}

TEST(ReadStep, PresentOnFirstRead) {
    const RetryPolicy policy(test_options());
    ReadStep step(policy);
    const auto run = drive(step, {present()});
    EXPECT_EQ(run.trace, "GET finish(present)");
    EXPECT_EQ(run.last_error, "");
    EXPECT_FALSE(step.wrote());
}

TEST(ReadStep, AbsentOnFirstRead) {
    const RetryPolicy policy(test_options());
    ReadStep step(policy);
    const auto run = drive(step, {absent()});
    EXPECT_EQ(run.trace, "GET finish(absent)");
}

TEST(ReadStep, FailedReadsAreRetriedWithBackoff) {
    const RetryPolicy policy(test_options());
    ReadStep step(policy);
    const auto run = drive(step, {server_error(), not_sent(), reset_after_send(), absent()});
    EXPECT_EQ(run.trace, "GET wait(100ms) GET wait(200ms) GET wait(400ms) GET finish(absent)");
    EXPECT_EQ(run.last_error, "read: read: Connection reset by peer");
    EXPECT_FALSE(step.wrote());
}

TEST(ReadStep, ThrottledWaitHonoursRetryAfter) {
    const RetryPolicy policy(test_options());
    ReadStep step(policy);
    const auto run = drive(step, {throttled(1500ms), present()});
    EXPECT_EQ(run.trace, "GET wait(1500ms) GET finish(present)");
}

TEST(ReadStep, ServiceUnavailableWaitHonoursRetryAfter) {
    const RetryPolicy policy(test_options());
    ReadStep step(policy);
    const auto run = drive(step, {unavailable(2500ms), present()});
    EXPECT_EQ(run.trace, "GET wait(2500ms) GET finish(present)");
}

TEST(ReadStep, AttemptsExhaustedIsUnknown) {
    const RetryPolicy policy(test_options());
    ReadStep step(policy);
    const auto run = drive(step, {server_error(), server_error(), server_error(), server_error()});
    EXPECT_EQ(run.trace, "GET wait(100ms) GET wait(200ms) GET wait(400ms) GET finish(unknown)");
    EXPECT_EQ(run.last_error, "read: HTTP 500 (attempts exhausted)");
}

TEST(ReadStep, RefusedIsUnknownAtOnce) {
    const RetryPolicy policy(test_options());
    ReadStep step(policy);
    const auto run = drive(step, {refused()});
    EXPECT_EQ(run.trace, "GET finish(unknown)");
    EXPECT_EQ(run.last_error, "read: HTTP 403");
}

TEST(ReadStep, DeadlineExceededIsUnknown) {
    const RetryPolicy policy(test_options());
    ReadStep step(policy);
    const auto start = t0 + 10min;
    EXPECT_TRUE(IsSend(step.resume(Start{start}), Call::get));
    EXPECT_TRUE(IsWait(step.resume(replied(timed_out(), start + 1s)), 100ms));
    EXPECT_TRUE(IsSend(step.resume(Waited{}), Call::get));
    EXPECT_TRUE(IsFinish(step.resume(replied(timed_out(), start + 9900ms)), HostState::unknown));
    EXPECT_EQ(step.last_error(), "read: read: timed out (deadline exceeded)");
}
