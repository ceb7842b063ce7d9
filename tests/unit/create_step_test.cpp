// SPDX-License-Identifier: MIT
#include "saga/create_step.hpp"

#include <gtest/gtest.h>

#include "step_driver.hpp"

using cluster_client::retry::RetryPolicy;
using cluster_client::saga::CreateStep;
using namespace step_test;

namespace {

constexpr auto strict = CreateStep::Mode::strict;
constexpr auto fast = CreateStep::Mode::fast;
constexpr auto restore = CreateStep::Mode::restore;
constexpr auto converge = CreateStep::Mode::converge;

}  // namespace

// ---- ownership strict: read first, record absence, then write

TEST(CreateStep, StrictCreatesAfterRecordingAbsenceAndVerifies) {
    const RetryPolicy policy(test_options());
    CreateStep step(policy, strict);
    const auto run = drive(step, {absent(), created(), present()});
    EXPECT_EQ(run.trace, "GET record(absent_before) POST GET finish(created)");
    EXPECT_EQ(run.state, HostState::created);
    EXPECT_EQ(run.requests, 3);
    EXPECT_EQ(run.answers_left, 0);
    EXPECT_TRUE(step.wrote());
    EXPECT_EQ(run.last_error, "");
}

TEST(CreateStep, StrictSendsNoPostBeforeAbsenceIsRecorded) {
    const RetryPolicy policy(test_options());
    CreateStep step(policy, strict);
    EXPECT_TRUE(IsSend(step.resume(Start{t0}), Call::get));
    // The only action after the read is the record: the POST cannot go out until the
    // driver reports the fact durable.
    EXPECT_TRUE(IsRecord(step.resume(replied(absent(), t0 + 1ms)), Fact::absent_before));
    EXPECT_FALSE(step.wrote());
    EXPECT_TRUE(IsSend(step.resume(Recorded{}), Call::create));
    EXPECT_TRUE(IsSend(step.resume(replied(created(), t0 + 2ms)), Call::get));
    EXPECT_TRUE(step.wrote());
    EXPECT_TRUE(IsFinish(step.resume(replied(present(), t0 + 3ms)), HostState::created));
}

TEST(CreateStep, StrictNeverRecordsCreated) {
    // In strict mode absent_before already makes whatever appears ours; a second fact
    // would cost a durable write per node for nothing.
    const RetryPolicy policy(test_options());
    CreateStep step(policy, strict);
    const auto run = drive(step, {absent(), server_error(), present()});
    EXPECT_EQ(run.trace, "GET record(absent_before) POST GET finish(created)");
}

TEST(CreateStep, PresentAtPrecheckIsNotOurs) {
    const RetryPolicy policy(test_options());
    CreateStep step(policy, strict);
    const auto run = drive(step, {present()});
    EXPECT_EQ(run.trace, "GET finish(already_present)");
    EXPECT_EQ(run.requests, 1);
    EXPECT_FALSE(step.wrote());
}

TEST(CreateStep, PrecheckRetriesAFailedRead) {
    const RetryPolicy policy(test_options());
    CreateStep step(policy, strict);
    const auto run = drive(step, {server_error(), not_sent(), absent(), created(), present()});
    EXPECT_EQ(run.trace, "GET wait(100ms) GET wait(200ms) GET record(absent_before) POST GET finish(created)");
    EXPECT_EQ(run.state, HostState::created);
    EXPECT_EQ(run.last_error, "precheck: connect: Connection refused");
}

TEST(CreateStep, PrecheckThatNeverAnswersFailsWithoutWriting) {
    const RetryPolicy policy(test_options());
    CreateStep step(policy, strict);
    const auto run = drive(step, {timed_out(), timed_out(), timed_out(), timed_out()});
    EXPECT_EQ(run.trace, "GET wait(100ms) GET wait(200ms) GET wait(400ms) GET finish(failed)");
    EXPECT_FALSE(step.wrote());
    EXPECT_EQ(run.last_error, "precheck: read: timed out (attempts exhausted)");
}

TEST(CreateStep, ARequestGivenNoTimeKeepsTheNodesLastError) {
    // The retry left 100 ms, but the timer fired late and the request found the deadline
    // passed: the report names the timeout the node caused, not the request that never went.
    const RetryPolicy policy(test_options());
    CreateStep step(policy, strict);
    const auto late = answer(Reply::not_sent, "no time left before the deadline");
    const auto run = drive(step, {slow(timed_out(), 9800ms), slow(late, 100ms)});
    EXPECT_EQ(run.trace, "GET wait(100ms) GET finish(failed)");
    EXPECT_EQ(run.last_error, "precheck: read: timed out (deadline exceeded)");
}

TEST(CreateStep, PrecheckRefusedFailsAtOnce) {
    const RetryPolicy policy(test_options());
    CreateStep step(policy, strict);
    const auto run = drive(step, {refused()});
    EXPECT_EQ(run.trace, "GET finish(failed)");
    EXPECT_EQ(run.last_error, "precheck: HTTP 403");
}

TEST(CreateStep, PrecheckThrottledWaitsForRetryAfter) {
    const RetryPolicy policy(test_options());
    CreateStep step(policy, strict);
    const auto run = drive(step, {throttled(2s), absent(), created(), present()});
    EXPECT_EQ(run.trace, "GET wait(2000ms) GET record(absent_before) POST GET finish(created)");
}

// ---- POST answered 400: resolve by reading

TEST(CreateStep, CleanRejectionThenPresentIsNotOurs) {
    // The group appeared between our read and our POST: somebody else made it. The log
    // must say so, or a recovery trusting absent_before would delete it.
    const RetryPolicy policy(test_options());
    CreateStep step(policy, strict);
    const auto run = drive(step, {absent(), rejected(), present()});
    EXPECT_EQ(run.trace, "GET record(absent_before) POST GET record(present_before) finish(already_present)");
    EXPECT_FALSE(step.wrote());
}

TEST(CreateStep, RejectionThenAbsentMeansTheNodeRejectsTheId) {
    const RetryPolicy policy(test_options());
    CreateStep step(policy, strict);
    const auto run = drive(step, {absent(), rejected(), absent()});
    EXPECT_EQ(run.trace, "GET record(absent_before) POST GET record(unwritten) finish(failed)");
    EXPECT_FALSE(step.wrote());
    EXPECT_EQ(run.last_error, "resolve: the node rejected the group id (400, then 404)");
}

TEST(CreateStep, RejectionIsRememberedAcrossFailedReads) {
    const RetryPolicy policy(test_options());
    CreateStep step(policy, strict);
    const auto run = drive(step, {absent(), rejected(), server_error(), absent()});
    EXPECT_EQ(run.trace, "GET record(absent_before) POST GET wait(100ms) GET record(unwritten) finish(failed)");
    EXPECT_FALSE(step.wrote());
}

TEST(CreateStep, UnreadableAfterCleanRejectionFailsWithoutWriting) {
    // A clean 400 applied nothing, so giving up on the read leaves nothing of ours behind.
    const RetryPolicy policy(test_options());
    CreateStep step(policy, strict);
    const auto run =
        drive(step, {absent(), rejected(), server_error(), server_error(), server_error(), server_error()});
    EXPECT_EQ(run.trace,
              "GET record(absent_before) POST GET wait(100ms) GET wait(200ms) GET wait(400ms) GET record(unwritten) "
              "finish(failed)");
    EXPECT_FALSE(step.wrote());
    EXPECT_EQ(run.last_error, "resolve: HTTP 500 (attempts exhausted)");
}

// ---- POST got no clear answer: resolve by reading, never by blind retry

TEST(CreateStep, AmbiguousPostThenPresentIsOurs) {
    const RetryPolicy policy(test_options());
    CreateStep step(policy, strict);
    const auto run = drive(step, {absent(), server_error(), present()});
    // The read that settled the ambiguity already saw the group: no second read.
    EXPECT_EQ(run.trace, "GET record(absent_before) POST GET finish(created)");
    EXPECT_EQ(run.state, HostState::created);
    EXPECT_TRUE(step.wrote());
    EXPECT_EQ(run.last_error, "create: HTTP 500");
}

TEST(CreateStep, TimeoutAfterSendingIsResolvedByReading) {
    const RetryPolicy policy(test_options());
    CreateStep step(policy, strict);
    const auto run = drive(step, {absent(), timed_out(), present()});
    EXPECT_EQ(run.trace, "GET record(absent_before) POST GET finish(created)");
    EXPECT_TRUE(step.wrote());
}

TEST(CreateStep, ResetAfterSendingThenAbsentRetriesThePost) {
    const RetryPolicy policy(test_options());
    CreateStep step(policy, strict);
    const auto run = drive(step, {absent(), reset_after_send(), absent(), created(), present()});
    EXPECT_EQ(run.trace, "GET record(absent_before) POST GET wait(100ms) POST GET finish(created)");
    EXPECT_EQ(run.state, HostState::created);
    EXPECT_TRUE(step.wrote());
}

TEST(CreateStep, EarlierAmbiguityMakesALaterRejectionOurs) {
    // The first POST applied late; the retry then meets our own group.
    const RetryPolicy policy(test_options());
    CreateStep step(policy, strict);
    const auto run = drive(step, {absent(), server_error(), absent(), rejected(), present()});
    EXPECT_EQ(run.trace, "GET record(absent_before) POST GET wait(100ms) POST GET finish(created)");
    EXPECT_EQ(run.state, HostState::created);
    EXPECT_TRUE(step.wrote());
}

TEST(CreateStep, RejectionAfterResolvedAmbiguityNeverClaimsTheGroup) {
    // 500 (read: absent), then 400 (read: absent): the node rejects the id. Whether the
    // step calls that failed or, conservatively, unknown, it must not claim a group and
    // must not keep writing.
    const RetryPolicy policy(test_options());
    CreateStep step(policy, strict);
    const auto run = drive(step, {absent(), server_error(), absent(), rejected(), absent()});
    EXPECT_EQ(run.trace.substr(0, run.trace.rfind(' ')), "GET record(absent_before) POST GET wait(100ms) POST GET");
    EXPECT_TRUE(run.state == HostState::failed || run.state == HostState::unknown) << to_string(run.state);
    EXPECT_EQ(run.answers_left, 0);
}

TEST(CreateStep, ReadFailingWhileResolvingIsRetried) {
    const RetryPolicy policy(test_options());
    CreateStep step(policy, strict);
    const auto run = drive(step, {absent(), server_error(), server_error(), throttled(700ms), present()});
    EXPECT_EQ(run.trace, "GET record(absent_before) POST GET wait(100ms) GET wait(700ms) GET finish(created)");
    EXPECT_EQ(run.state, HostState::created);
}

TEST(CreateStep, UnresolvedAmbiguityEndsUnknownAndWrote) {
    const RetryPolicy policy(test_options());
    CreateStep step(policy, strict);
    const auto run =
        drive(step, {absent(), timed_out(), server_error(), server_error(), server_error(), server_error()});
    EXPECT_EQ(run.trace,
              "GET record(absent_before) POST GET wait(100ms) GET wait(200ms) GET wait(400ms) GET finish(unknown)");
    EXPECT_TRUE(step.wrote());
    EXPECT_EQ(run.last_error, "resolve: HTTP 500 (attempts exhausted)");
}

TEST(CreateStep, RefusedReadWhileResolvingEndsUnknown) {
    const RetryPolicy policy(test_options());
    CreateStep step(policy, strict);
    const auto run = drive(step, {absent(), server_error(), refused()});
    EXPECT_EQ(run.trace, "GET record(absent_before) POST GET finish(unknown)");
    EXPECT_TRUE(step.wrote());
}

TEST(CreateStep, PostAttemptsExhaustedAfterAmbiguityEndUnknown) {
    const RetryPolicy policy(test_options());
    CreateStep step(policy, strict);
    const auto run = drive(step, {absent(), server_error(), absent(), server_error(), absent(), server_error(),
                                  absent(), server_error(), absent()});
    EXPECT_EQ(run.trace,
              "GET record(absent_before) POST GET wait(100ms) POST GET wait(200ms) POST GET wait(400ms) POST GET "
              "finish(unknown)");
    EXPECT_TRUE(step.wrote());
    EXPECT_EQ(run.last_error, "create: HTTP 500 (attempts exhausted)");
}

// ---- POST not sent, throttled, refused

TEST(CreateStep, NotSentPostIsRetriedWithoutReading) {
    const RetryPolicy policy(test_options());
    CreateStep step(policy, strict);
    const auto run = drive(step, {absent(), not_sent(), not_sent(), created(), present()});
    EXPECT_EQ(run.trace, "GET record(absent_before) POST wait(100ms) POST wait(200ms) POST GET finish(created)");
    EXPECT_EQ(run.state, HostState::created);
}

TEST(CreateStep, NotSentUntilAttemptsRunOutFailsWithoutWriting) {
    const RetryPolicy policy(test_options());
    CreateStep step(policy, strict);
    const auto run = drive(step, {absent(), not_sent(), not_sent(), not_sent(), not_sent()});
    EXPECT_EQ(run.trace,
              "GET record(absent_before) POST wait(100ms) POST wait(200ms) POST wait(400ms) POST record(unwritten) "
              "finish(failed)");
    EXPECT_FALSE(step.wrote());
    EXPECT_EQ(run.last_error, "create: connect: Connection refused (attempts exhausted)");
}

TEST(CreateStep, NotSentAfterAmbiguityStaysUnknown) {
    // A later clean failure does not undo what an earlier ambiguous POST may have done.
    const RetryPolicy policy(test_options());
    CreateStep step(policy, strict);
    const auto run = drive(step, {absent(), server_error(), absent(), not_sent(), not_sent(), not_sent()});
    EXPECT_EQ(run.trace,
              "GET record(absent_before) POST GET wait(100ms) POST wait(200ms) POST wait(400ms) POST finish(unknown)");
    EXPECT_TRUE(step.wrote());
}

TEST(CreateStep, ThrottledWaitHonoursRetryAfter) {
    const RetryPolicy policy(test_options());
    CreateStep step(policy, strict);
    const auto run = drive(step, {absent(), throttled(3s), created(), present()});
    EXPECT_EQ(run.trace, "GET record(absent_before) POST wait(3000ms) POST GET finish(created)");
    EXPECT_EQ(run.last_error, "create: HTTP 429");
}

TEST(CreateStep, RetryAfterShorterThanBackoffKeepsTheBackoff) {
    const RetryPolicy policy(test_options());
    CreateStep step(policy, strict);
    const auto run = drive(step, {absent(), throttled(10ms), created(), present()});
    EXPECT_EQ(run.trace, "GET record(absent_before) POST wait(100ms) POST GET finish(created)");
}

TEST(CreateStep, RetryAfterBeyondTheDeadlineGivesUp) {
    const RetryPolicy policy(test_options());
    CreateStep step(policy, strict);
    const auto run = drive(step, {absent(), throttled(60s)});
    EXPECT_EQ(run.trace, "GET record(absent_before) POST record(unwritten) finish(failed)");
    EXPECT_EQ(run.last_error, "create: HTTP 429 (Retry-After passes the deadline)");
}

TEST(CreateStep, ServiceUnavailableRetryAfterIsHonouredBeforeThePostIsSentAgain) {
    // A 503 is ambiguous, so it is resolved by reading first; but once the read says the
    // POST did not apply, the node's Retry-After still says when it may be sent again.
    const RetryPolicy policy(test_options());
    CreateStep step(policy, strict);
    const auto run = drive(step, {absent(), unavailable(2s), absent(), created(), present()});
    EXPECT_EQ(run.trace, "GET record(absent_before) POST GET wait(2000ms) POST GET finish(created)");
}

TEST(CreateStep, RefusedPostIsNotRetried) {
    const RetryPolicy policy(test_options());
    CreateStep step(policy, strict);
    const auto run = drive(step, {absent(), refused()});
    EXPECT_EQ(run.trace, "GET record(absent_before) POST record(unwritten) finish(failed)");
    EXPECT_FALSE(step.wrote());
    EXPECT_EQ(run.last_error, "create: HTTP 403");
}

TEST(CreateStep, RefusedAfterAmbiguityIsUnknown) {
    const RetryPolicy policy(test_options());
    CreateStep step(policy, strict);
    const auto run = drive(step, {absent(), server_error(), absent(), refused()});
    EXPECT_EQ(run.trace, "GET record(absent_before) POST GET wait(100ms) POST finish(unknown)");
    EXPECT_TRUE(step.wrote());
}

// ---- the deadline, on the fake clock

TEST(CreateStep, DeadlineExceededStopsRetrying) {
    const RetryPolicy policy(test_options());
    CreateStep step(policy, strict);
    EXPECT_TRUE(IsSend(step.resume(Start{t0}), Call::get));
    EXPECT_TRUE(IsRecord(step.resume(replied(absent(), t0 + 5ms)), Fact::absent_before));
    EXPECT_TRUE(IsSend(step.resume(Recorded{}), Call::create));
    EXPECT_TRUE(IsWait(step.resume(replied(not_sent(), t0 + 1s)), 100ms));
    EXPECT_TRUE(IsSend(step.resume(Waited{}), Call::create));
    // 9850ms + the next backoff (200ms) would pass the 10s deadline. No POST applied, and
    // the log says so before the step ends.
    EXPECT_TRUE(IsRecord(step.resume(replied(not_sent(), t0 + 9850ms)), Fact::unwritten));
    EXPECT_TRUE(IsFinish(step.resume(Recorded{}), HostState::failed));
    EXPECT_EQ(step.last_error(), "create: connect: Connection refused (deadline exceeded)");
}

TEST(CreateStep, DeadlineExceededWhileResolvingEndsUnknown) {
    const RetryPolicy policy(test_options());
    CreateStep step(policy, strict);
    const auto run = drive(step, {absent(), server_error(), slow(timed_out(), 9900ms)});
    EXPECT_EQ(run.trace, "GET record(absent_before) POST GET finish(unknown)");
    EXPECT_TRUE(step.wrote());
    EXPECT_EQ(run.last_error, "resolve: read: timed out (deadline exceeded)");
}

TEST(CreateStep, DeadlineCountsFromStart) {
    const RetryPolicy policy(test_options());
    CreateStep step(policy, restore);
    const auto start = t0 + 1h;
    EXPECT_TRUE(IsSend(step.resume(Start{start}), Call::create));
    EXPECT_TRUE(IsWait(step.resume(replied(not_sent(), start + 9s)), 100ms));
    EXPECT_TRUE(IsSend(step.resume(Waited{}), Call::create));
    EXPECT_TRUE(IsFinish(step.resume(replied(not_sent(), start + 9800ms)), HostState::failed));
}

TEST(CreateStep, JitterTakesItsRandomnessFromTheEvent) {
    auto options = test_options();
    options.jitter = true;
    const RetryPolicy policy(options);
    CreateStep step(policy, strict);
    const auto run = drive(step, {absent(), not_sent(), created(), present()}, t0, 0.5);
    EXPECT_EQ(run.trace, "GET record(absent_before) POST wait(50ms) POST GET finish(created)");
}

// ---- verify

TEST(CreateStep, VerifyRetriesAFailedRead) {
    const RetryPolicy policy(test_options());
    CreateStep step(policy, strict);
    const auto run = drive(step, {absent(), created(), server_error(), present()});
    EXPECT_EQ(run.trace, "GET record(absent_before) POST GET wait(100ms) GET finish(created)");
    EXPECT_EQ(run.last_error, "verify: HTTP 500");
}

TEST(CreateStep, VerifyNeverAnsweringEndsUnknown) {
    const RetryPolicy policy(test_options());
    CreateStep step(policy, strict);
    const auto run = drive(step, {absent(), created(), server_error(), server_error(), server_error(), server_error()});
    EXPECT_EQ(run.trace,
              "GET record(absent_before) POST GET wait(100ms) GET wait(200ms) GET wait(400ms) GET finish(unknown)");
    EXPECT_TRUE(step.wrote());
    EXPECT_EQ(run.last_error, "verify: HTTP 500 (attempts exhausted)");
}

TEST(CreateStep, GroupVanishingAtVerifyFails) {
    const RetryPolicy policy(test_options());
    CreateStep step(policy, strict);
    const auto run = drive(step, {absent(), created(), absent()});
    // Nothing of ours is left there: the log says so, so recovery leaves the node alone.
    EXPECT_EQ(run.trace, "GET record(absent_before) POST GET record(deleted) finish(failed)");
    EXPECT_EQ(run.last_error, "verify: the group vanished after it was created");
}

TEST(CreateStep, EachReadPhaseHasItsOwnAttempts) {
    const RetryPolicy policy(test_options());
    CreateStep step(policy, strict);
    const auto run = drive(step, {server_error(), server_error(), server_error(), absent(), created(), server_error(),
                                  server_error(), server_error(), present()});
    EXPECT_EQ(run.trace,
              "GET wait(100ms) GET wait(200ms) GET wait(400ms) GET record(absent_before) POST "
              "GET wait(100ms) GET wait(200ms) GET wait(400ms) GET finish(created)");
}

// ---- ownership fast (also how a delete's rollback restores a group): POST first

TEST(CreateStep, FastRecordsWritingBeforePostingAndCreatedBeforeVerifying) {
    const RetryPolicy policy(test_options());
    CreateStep step(policy, fast);
    // Recovery must know where a POST may have gone before any goes out.
    EXPECT_TRUE(IsRecord(step.resume(Start{t0}), Fact::writing));
    EXPECT_FALSE(step.wrote());
    EXPECT_TRUE(IsSend(step.resume(Recorded{}), Call::create));
    EXPECT_TRUE(IsRecord(step.resume(replied(created(), t0 + 1ms)), Fact::created));
    EXPECT_TRUE(step.wrote());
    EXPECT_TRUE(IsSend(step.resume(Recorded{}), Call::get));
    EXPECT_TRUE(IsFinish(step.resume(replied(present(), t0 + 2ms)), HostState::created));
}

TEST(CreateStep, FastFirstRejectionIsPresentBefore) {
    const RetryPolicy policy(test_options());
    CreateStep step(policy, fast);
    const auto run = drive(step, {rejected(), present()});
    EXPECT_EQ(run.trace, "record(writing) POST GET record(present_before) finish(already_present)");
    EXPECT_FALSE(step.wrote());
}

TEST(CreateStep, FastRejectionAfterNotSentIsStillPresentBefore) {
    // A POST that never left cannot have made the group.
    const RetryPolicy policy(test_options());
    CreateStep step(policy, fast);
    const auto run = drive(step, {not_sent(), rejected(), present()});
    EXPECT_EQ(run.trace, "record(writing) POST wait(100ms) POST GET record(present_before) finish(already_present)");
    EXPECT_FALSE(step.wrote());
}

TEST(CreateStep, FastAmbiguousThenPresentRecordsCreatedWithoutSecondRead) {
    const RetryPolicy policy(test_options());
    CreateStep step(policy, fast);
    const auto run = drive(step, {server_error(), present()});
    EXPECT_EQ(run.trace, "record(writing) POST GET record(created) finish(created)");
    EXPECT_TRUE(step.wrote());
}

TEST(CreateStep, FastAmbiguousThenAbsentRetries) {
    const RetryPolicy policy(test_options());
    CreateStep step(policy, fast);
    const auto run = drive(step, {timed_out(), absent(), created(), present()});
    EXPECT_EQ(run.trace, "record(writing) POST GET wait(100ms) POST record(created) GET finish(created)");
}

TEST(CreateStep, FastRejectionThenAbsentFails) {
    const RetryPolicy policy(test_options());
    CreateStep step(policy, fast);
    const auto run = drive(step, {rejected(), absent()});
    EXPECT_EQ(run.trace, "record(writing) POST GET record(unwritten) finish(failed)");
    EXPECT_FALSE(step.wrote());
}

TEST(CreateStep, FastVanishingAtVerifyFails) {
    const RetryPolicy policy(test_options());
    CreateStep step(policy, fast);
    const auto run = drive(step, {created(), absent()});
    EXPECT_EQ(run.trace, "record(writing) POST record(created) GET record(deleted) finish(failed)");
}
