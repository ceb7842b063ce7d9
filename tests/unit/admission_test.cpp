// SPDX-License-Identifier: MIT
#include "saga/admission.hpp"

#include <gtest/gtest.h>

using cluster_client::SagaOutcome;
using cluster_client::saga::Admission;
using cluster_client::saga::BeginResult;
using namespace std::chrono_literals;

namespace {

const auto t0 = Admission::Clock::time_point{} + 1h;

template <class T>
bool is(const Admission::Action& action) {
    return std::holds_alternative<T>(action);
}

}  // namespace

TEST(Admission, BeginsAndIsAdmitted) {
    Admission admission(t0, 10s);
    EXPECT_TRUE(is<Admission::Begin>(admission.start()));
    const auto admitted = admission.on_begun({BeginResult::Kind::started, 7}, t0);
    ASSERT_TRUE(is<Admission::Admitted>(admitted));
    EXPECT_EQ(std::get<Admission::Admitted>(admitted).saga, 7);
}

TEST(Admission, RecoversAnOpenSagaFirstThenBeginsAgain) {
    Admission admission(t0, 10s);
    const auto first = admission.on_begun({BeginResult::Kind::needs_recovery, 3}, t0);
    ASSERT_TRUE(is<Admission::RecoverFirst>(first));
    EXPECT_EQ(std::get<Admission::RecoverFirst>(first).saga, 3);
    EXPECT_TRUE(is<Admission::Begin>(admission.on_recovered(true, SagaOutcome::rolled_back, t0 + 1ms)));
}

TEST(Admission, AnOpenSagaThatStaysOpenMakesTheNewOneBusy) {
    // It could undo, or be undone by, whatever the new saga does.
    Admission admission(t0, 10s);
    (void)admission.on_begun({BeginResult::Kind::needs_recovery, 3}, t0);
    const auto busy = admission.on_recovered(true, SagaOutcome::rollback_incomplete, t0 + 1ms);
    ASSERT_TRUE(is<Admission::Busy>(busy));
    EXPECT_EQ(std::get<Admission::Busy>(busy).reason,
              "saga 3 on this group is still open (rollback_incomplete); run recover once its nodes answer");
    (void)admission.on_begun({BeginResult::Kind::needs_recovery, 4}, t0);
    EXPECT_TRUE(is<Admission::Busy>(admission.on_recovered(true, SagaOutcome::incomplete, t0 + 1ms)));
}

TEST(Admission, ALiveOwnerIsWaitedForUntilLockWait) {
    Admission admission(t0, 100ms);
    const auto pause = admission.on_begun({BeginResult::Kind::busy, 3}, t0);
    ASSERT_TRUE(is<Admission::PauseUntil>(pause));
    EXPECT_EQ(std::get<Admission::PauseUntil>(pause).until, t0 + Admission::poll);
    EXPECT_TRUE(is<Admission::Begin>(admission.on_paused()));
    // Someone else adopted the open saga first: wait for them too.
    (void)admission.on_begun({BeginResult::Kind::needs_recovery, 3}, t0 + 40ms);
    EXPECT_TRUE(is<Admission::PauseUntil>(admission.on_recovered(false, SagaOutcome::unknown, t0 + 41ms)));
    const auto busy = admission.on_begun({BeginResult::Kind::busy, 3}, t0 + 100ms);
    ASSERT_TRUE(is<Admission::Busy>(busy));
    EXPECT_EQ(std::get<Admission::Busy>(busy).reason, "another saga on this group is still running");
}

TEST(Admission, NoWaitMeansBusyAtOnce) {
    Admission admission(t0, 0ms);
    EXPECT_TRUE(is<Admission::Busy>(admission.on_begun({BeginResult::Kind::busy, 3}, t0)));
}
