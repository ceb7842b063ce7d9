// SPDX-License-Identifier: MIT
#include "saga/delete_step.hpp"

#include <gtest/gtest.h>

#include "step_driver.hpp"

using cluster_client::retry::RetryPolicy;
using cluster_client::saga::DeleteStep;
using namespace step_test;

namespace {

constexpr auto strict = DeleteStep::Mode::strict;
constexpr auto undo = DeleteStep::Mode::undo;

}  // namespace

// ---- ownership strict: read first, record presence, then delete

TEST(DeleteStep, StrictDeletesAfterRecordingPresenceAndVerifies) {
    const RetryPolicy policy(test_options());
    DeleteStep step(policy, strict);
    const auto run = drive(step, {present(), deleted(), absent()});
    EXPECT_EQ(run.trace, "GET record(present_before) DELETE record(deleted) GET finish(deleted)");
    EXPECT_EQ(run.state, HostState::deleted);
    EXPECT_EQ(run.requests, 3);
    EXPECT_EQ(run.answers_left, 0);
    EXPECT_TRUE(step.wrote());
    EXPECT_EQ(run.last_error, "");
}

TEST(DeleteStep, StrictSendsNoDeleteBeforePresenceIsRecorded) {
    const RetryPolicy policy(test_options());
    DeleteStep step(policy, strict);
    EXPECT_TRUE(IsSend(step.resume(Start{t0}), Call::get));
    EXPECT_TRUE(IsRecord(step.resume(replied(present(), t0 + 1ms)), Fact::present_before));
    EXPECT_FALSE(step.wrote());
    EXPECT_TRUE(IsSend(step.resume(Recorded{}), Call::delete_));
}

TEST(DeleteStep, DeletedIsRecordedBeforeTheVerifyingRead) {
    const RetryPolicy policy(test_options());
    DeleteStep step(policy, strict);
    EXPECT_TRUE(IsSend(step.resume(Start{t0}), Call::get));
    EXPECT_TRUE(IsRecord(step.resume(replied(present(), t0 + 1ms)), Fact::present_before));
    EXPECT_TRUE(IsSend(step.resume(Recorded{}), Call::delete_));
    EXPECT_TRUE(IsRecord(step.resume(replied(deleted(), t0 + 2ms)), Fact::deleted));
    EXPECT_TRUE(step.wrote());
    EXPECT_TRUE(IsSend(step.resume(Recorded{}), Call::get));
    EXPECT_TRUE(IsFinish(step.resume(replied(absent(), t0 + 3ms)), HostState::deleted));
}

TEST(DeleteStep, AbsentAtPrecheckNeedsNoWrite) {
    const RetryPolicy policy(test_options());
    DeleteStep step(policy, strict);
    const auto run = drive(step, {absent()});
    EXPECT_EQ(run.trace, "GET finish(already_absent)");
    EXPECT_EQ(run.requests, 1);
    EXPECT_FALSE(step.wrote());
}

TEST(DeleteStep, PrecheckRetriesAFailedRead) {
    const RetryPolicy policy(test_options());
    DeleteStep step(policy, strict);
    const auto run = drive(step, {reset_after_send(), present(), deleted(), absent()});
    EXPECT_EQ(run.trace, "GET wait(100ms) GET record(present_before) DELETE record(deleted) GET finish(deleted)");
}

TEST(DeleteStep, PrecheckThatNeverAnswersFailsWithoutWriting) {
    const RetryPolicy policy(test_options());
    DeleteStep step(policy, strict);
    const auto run = drive(step, {not_sent(), not_sent(), not_sent(), not_sent()});
    EXPECT_EQ(run.trace, "GET wait(100ms) GET wait(200ms) GET wait(400ms) GET finish(failed)");
    EXPECT_FALSE(step.wrote());
    EXPECT_EQ(run.last_error, "precheck: connect: Connection refused (attempts exhausted)");
}

TEST(DeleteStep, PrecheckRefusedFailsAtOnce) {
    const RetryPolicy policy(test_options());
    DeleteStep step(policy, strict);
    const auto run = drive(step, {refused()});
    EXPECT_EQ(run.trace, "GET finish(failed)");
}

// ---- DELETE answered "no such group": resolve by reading

TEST(DeleteStep, CleanNotFoundThenAbsentIsNotOurs) {
    // Somebody else removed it between our read and our DELETE: nothing of ours to restore,
    // and the log must say so, or a recovery trusting present_before would re-create it.
    const RetryPolicy policy(test_options());
    DeleteStep step(policy, strict);
    const auto run = drive(step, {present(), absent(), absent()});
    EXPECT_EQ(run.trace, "GET record(present_before) DELETE GET record(absent_before) finish(already_absent)");
    EXPECT_FALSE(step.wrote());
}

TEST(DeleteStep, CleanNotFoundThenPresentDeletesAgain) {
    const RetryPolicy policy(test_options());
    DeleteStep step(policy, strict);
    const auto run = drive(step, {present(), absent(), present(), deleted(), absent()});
    EXPECT_EQ(run.trace,
              "GET record(present_before) DELETE GET wait(100ms) DELETE record(deleted) GET finish(deleted)");
    EXPECT_EQ(run.last_error, "resolve: the group is still there");
}

TEST(DeleteStep, NotFoundButPresentUntilAttemptsRunOutFails) {
    const RetryPolicy policy(test_options());
    DeleteStep step(policy, strict);
    const auto run =
        drive(step, {present(), absent(), present(), absent(), present(), absent(), present(), absent(), present()});
    EXPECT_EQ(run.trace,
              "GET record(present_before) DELETE GET wait(100ms) DELETE GET wait(200ms) DELETE GET wait(400ms) "
              "DELETE GET record(unwritten) finish(failed)");
    EXPECT_FALSE(step.wrote());
    EXPECT_EQ(run.last_error, "resolve: the group is still there (attempts exhausted)");
}

TEST(DeleteStep, UnreadableAfterCleanNotFoundFailsWithoutWriting) {
    const RetryPolicy policy(test_options());
    DeleteStep step(policy, strict);
    const auto run = drive(step, {present(), absent(), server_error(), server_error(), server_error(), server_error()});
    EXPECT_EQ(run.trace,
              "GET record(present_before) DELETE GET wait(100ms) GET wait(200ms) GET wait(400ms) GET record(unwritten) "
              "finish(failed)");
    EXPECT_FALSE(step.wrote());
}

// ---- DELETE got no clear answer: resolve by reading

TEST(DeleteStep, AmbiguousDeleteThenAbsentIsOurs) {
    const RetryPolicy policy(test_options());
    DeleteStep step(policy, strict);
    const auto run = drive(step, {present(), server_error(), absent()});
    // The resolving read already saw the absence: record and finish without a second read.
    EXPECT_EQ(run.trace, "GET record(present_before) DELETE GET record(deleted) finish(deleted)");
    EXPECT_TRUE(step.wrote());
    EXPECT_EQ(run.last_error, "delete: HTTP 500");
}

TEST(DeleteStep, TimeoutAfterSendingThenPresentDeletesAgain) {
    const RetryPolicy policy(test_options());
    DeleteStep step(policy, strict);
    const auto run = drive(step, {present(), timed_out(), present(), deleted(), absent()});
    EXPECT_EQ(run.trace,
              "GET record(present_before) DELETE GET wait(100ms) DELETE record(deleted) GET finish(deleted)");
    EXPECT_TRUE(step.wrote());
}

TEST(DeleteStep, EarlierAmbiguityMakesALaterNotFoundOurs) {
    // The first DELETE applied late; the retry then finds nothing to delete.
    const RetryPolicy policy(test_options());
    DeleteStep step(policy, strict);
    const auto run = drive(step, {present(), reset_after_send(), present(), absent(), absent()});
    EXPECT_EQ(run.trace,
              "GET record(present_before) DELETE GET wait(100ms) DELETE GET record(deleted) finish(deleted)");
    EXPECT_EQ(run.state, HostState::deleted);
}

TEST(DeleteStep, ReadFailingWhileResolvingIsRetried) {
    const RetryPolicy policy(test_options());
    DeleteStep step(policy, strict);
    const auto run = drive(step, {present(), server_error(), not_sent(), absent()});
    EXPECT_EQ(run.trace, "GET record(present_before) DELETE GET wait(100ms) GET record(deleted) finish(deleted)");
}

TEST(DeleteStep, UnresolvedAmbiguityEndsUnknownAndWrote) {
    const RetryPolicy policy(test_options());
    DeleteStep step(policy, strict);
    const auto run = drive(step, {present(), server_error(), timed_out(), timed_out(), timed_out(), timed_out()});
    EXPECT_EQ(run.trace,
              "GET record(present_before) DELETE GET wait(100ms) GET wait(200ms) GET wait(400ms) GET finish(unknown)");
    EXPECT_TRUE(step.wrote());
    EXPECT_EQ(run.last_error, "resolve: read: timed out (attempts exhausted)");
}

TEST(DeleteStep, AmbiguousUntilAttemptsRunOutEndsUnknown) {
    const RetryPolicy policy(test_options());
    DeleteStep step(policy, strict);
    const auto run = drive(step, {present(), server_error(), present(), server_error(), present(), server_error(),
                                  present(), server_error(), present()});
    EXPECT_EQ(run.trace,
              "GET record(present_before) DELETE GET wait(100ms) DELETE GET wait(200ms) DELETE GET wait(400ms) "
              "DELETE GET finish(unknown)");
    EXPECT_TRUE(step.wrote());
}

// ---- DELETE not sent, throttled, refused

TEST(DeleteStep, NotSentDeleteIsRetriedWithoutReading) {
    const RetryPolicy policy(test_options());
    DeleteStep step(policy, strict);
    const auto run = drive(step, {present(), not_sent(), deleted(), absent()});
    EXPECT_EQ(run.trace, "GET record(present_before) DELETE wait(100ms) DELETE record(deleted) GET finish(deleted)");
}

TEST(DeleteStep, NotSentUntilAttemptsRunOutFailsWithoutWriting) {
    const RetryPolicy policy(test_options());
    DeleteStep step(policy, strict);
    const auto run = drive(step, {present(), not_sent(), not_sent(), not_sent(), not_sent()});
    EXPECT_EQ(run.trace,
              "GET record(present_before) DELETE wait(100ms) DELETE wait(200ms) DELETE wait(400ms) DELETE "
              "record(unwritten) finish(failed)");
    EXPECT_FALSE(step.wrote());
    EXPECT_EQ(run.last_error, "delete: connect: Connection refused (attempts exhausted)");
}

TEST(DeleteStep, ThrottledWaitHonoursRetryAfter) {
    const RetryPolicy policy(test_options());
    DeleteStep step(policy, strict);
    const auto run = drive(step, {present(), throttled(5s), deleted(), absent()});
    EXPECT_EQ(run.trace, "GET record(present_before) DELETE wait(5000ms) DELETE record(deleted) GET finish(deleted)");
}

TEST(DeleteStep, RetryAfterBeyondTheDeadlineGivesUp) {
    const RetryPolicy policy(test_options());
    DeleteStep step(policy, strict);
    const auto run = drive(step, {present(), throttled(10s)});
    EXPECT_EQ(run.trace, "GET record(present_before) DELETE record(unwritten) finish(failed)");
    EXPECT_EQ(run.last_error, "delete: HTTP 429 (Retry-After passes the deadline)");
}

TEST(DeleteStep, ServiceUnavailableRetryAfterIsHonouredBeforeTheDeleteIsSentAgain) {
    const RetryPolicy policy(test_options());
    DeleteStep step(policy, strict);
    const auto run = drive(step, {present(), unavailable(2s), present(), deleted(), absent()});
    EXPECT_EQ(run.trace,
              "GET record(present_before) DELETE GET wait(2000ms) DELETE record(deleted) GET finish(deleted)");
}

TEST(DeleteStep, RefusedDeleteIsNotRetried) {
    const RetryPolicy policy(test_options());
    DeleteStep step(policy, strict);
    const auto run = drive(step, {present(), refused()});
    EXPECT_EQ(run.trace, "GET record(present_before) DELETE record(unwritten) finish(failed)");
    EXPECT_FALSE(step.wrote());
    EXPECT_EQ(run.last_error, "delete: HTTP 403");
}

TEST(DeleteStep, RefusedAfterAmbiguityIsUnknown) {
    const RetryPolicy policy(test_options());
    DeleteStep step(policy, strict);
    const auto run = drive(step, {present(), server_error(), present(), refused()});
    EXPECT_EQ(run.trace, "GET record(present_before) DELETE GET wait(100ms) DELETE finish(unknown)");
    EXPECT_TRUE(step.wrote());
}

// ---- the deadline, on the fake clock

TEST(DeleteStep, DeadlineExceededStopsRetrying) {
    const RetryPolicy policy(test_options());
    DeleteStep step(policy, strict);
    EXPECT_TRUE(IsSend(step.resume(Start{t0}), Call::get));
    EXPECT_TRUE(IsRecord(step.resume(replied(present(), t0 + 5ms)), Fact::present_before));
    EXPECT_TRUE(IsSend(step.resume(Recorded{}), Call::delete_));
    EXPECT_TRUE(IsWait(step.resume(replied(not_sent(), t0 + 2s)), 100ms));
    EXPECT_TRUE(IsSend(step.resume(Waited{}), Call::delete_));
    EXPECT_TRUE(IsRecord(step.resume(replied(not_sent(), t0 + 9800ms)), Fact::unwritten));
    EXPECT_TRUE(IsFinish(step.resume(Recorded{}), HostState::failed));
    EXPECT_EQ(step.last_error(), "delete: connect: Connection refused (deadline exceeded)");
}

TEST(DeleteStep, DeadlineExceededAfterAmbiguityEndsUnknown) {
    const RetryPolicy policy(test_options());
    DeleteStep step(policy, strict);
    const auto run = drive(step, {present(), slow(timed_out(), 5s), slow(present(), 4950ms)});
    EXPECT_EQ(run.trace, "GET record(present_before) DELETE GET finish(unknown)");
    EXPECT_TRUE(step.wrote());
    EXPECT_EQ(run.last_error, "resolve: the group is still there (deadline exceeded)");
}

// ---- verify

TEST(DeleteStep, GroupReappearingAtVerifyIsDeletedAgain) {
    const RetryPolicy policy(test_options());
    DeleteStep step(policy, strict);
    const auto run = drive(step, {present(), deleted(), present(), deleted(), absent()});
    EXPECT_EQ(run.trace,
              "GET record(present_before) DELETE record(deleted) GET wait(100ms) DELETE record(deleted) GET "
              "finish(deleted)");
    EXPECT_EQ(run.state, HostState::deleted);
    EXPECT_EQ(run.last_error, "verify: the group reappeared after it was deleted");
}

TEST(DeleteStep, GroupThatKeepsReappearingEndsUnknown) {
    const RetryPolicy policy(test_options());
    DeleteStep step(policy, strict);
    const auto run = drive(
        step, {present(), deleted(), present(), deleted(), present(), deleted(), present(), deleted(), present()});
    EXPECT_EQ(run.trace,
              "GET record(present_before) DELETE record(deleted) GET wait(100ms) DELETE record(deleted) GET "
              "wait(200ms) DELETE record(deleted) GET wait(400ms) DELETE record(deleted) GET finish(unknown)");
    EXPECT_TRUE(step.wrote());
    EXPECT_EQ(run.last_error, "verify: the group reappeared after it was deleted (attempts exhausted)");
}

TEST(DeleteStep, VerifyRetriesAFailedRead) {
    const RetryPolicy policy(test_options());
    DeleteStep step(policy, strict);
    const auto run = drive(step, {present(), deleted(), throttled(300ms), absent()});
    EXPECT_EQ(run.trace, "GET record(present_before) DELETE record(deleted) GET wait(300ms) GET finish(deleted)");
}

TEST(DeleteStep, VerifyNeverAnsweringEndsUnknown) {
    const RetryPolicy policy(test_options());
    DeleteStep step(policy, strict);
    const auto run =
        drive(step, {present(), deleted(), server_error(), server_error(), server_error(), server_error()});
    EXPECT_EQ(run.trace,
              "GET record(present_before) DELETE record(deleted) GET wait(100ms) GET wait(200ms) GET wait(400ms) GET "
              "finish(unknown)");
    EXPECT_TRUE(step.wrote());
    EXPECT_EQ(run.last_error, "verify: HTTP 500 (attempts exhausted)");
}

TEST(DeleteStep, RefusedVerifyEndsUnknown) {
    const RetryPolicy policy(test_options());
    DeleteStep step(policy, strict);
    const auto run = drive(step, {present(), deleted(), refused()});
    EXPECT_EQ(run.trace, "GET record(present_before) DELETE record(deleted) GET finish(unknown)");
}

// ---- without the read first: undoing a create of ours

TEST(DeleteStep, UndoDeletesFirst) {
    const RetryPolicy policy(test_options());
    DeleteStep step(policy, undo);
    const auto run = drive(step, {deleted(), absent()});
    EXPECT_EQ(run.trace, "DELETE record(deleted) GET finish(deleted)");
    EXPECT_TRUE(step.wrote());
}

TEST(DeleteStep, UndoNotFoundThenAbsentRecordsNothingOfOursLeft) {
    // Our copy is gone already (it never applied, or someone removed it): the log says so,
    // so that a later recovery does not delete whatever appears there next.
    const RetryPolicy policy(test_options());
    DeleteStep step(policy, undo);
    const auto run = drive(step, {absent(), absent()});
    EXPECT_EQ(run.trace, "DELETE GET record(deleted) finish(already_absent)");
    EXPECT_FALSE(step.wrote());
}

TEST(DeleteStep, UndoAmbiguousThenAbsentIsDeleted) {
    const RetryPolicy policy(test_options());
    DeleteStep step(policy, undo);
    const auto run = drive(step, {server_error(), absent()});
    EXPECT_EQ(run.trace, "DELETE GET record(deleted) finish(deleted)");
    EXPECT_TRUE(step.wrote());
}

TEST(DeleteStep, UndoNodeDownUntilDeadlineFails) {
    // What a rollback meets when a node is down: the step ends, the caller reports it.
    const RetryPolicy policy(test_options());
    DeleteStep step(policy, undo);
    const auto run = drive(step, {slow(not_sent(), 4s), slow(not_sent(), 4s), slow(not_sent(), 4s)});
    EXPECT_EQ(run.trace, "DELETE wait(100ms) DELETE wait(200ms) DELETE finish(failed)");
    EXPECT_EQ(run.last_error, "delete: connect: Connection refused (deadline exceeded)");
}
