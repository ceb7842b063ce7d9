// SPDX-License-Identifier: MIT
#include "saga/saga_plan.hpp"

#include <cstddef>
#include <vector>

#include <gtest/gtest.h>

using cluster_client::HostReport;
using cluster_client::HostState;
using cluster_client::Operation;
using cluster_client::SagaOutcome;
using cluster_client::SagaReport;
using cluster_client::saga::after_compensation;
using cluster_client::saga::final_outcome;
using cluster_client::saga::Plan;
using cluster_client::saga::plan_after_forward;
using cluster_client::saga::StepResult;

namespace {

using Indices = std::vector<std::size_t>;

constexpr bool rollback = true;
constexpr bool forward = false;

StepResult wrote(HostState state) {
    return {state, true};
}
StepResult clean(HostState state) {
    return {state, false};
}

Plan plan(Operation operation, const std::vector<StepResult>& steps, bool roll_back = rollback) {
    return plan_after_forward(operation, steps, roll_back);
}

}  // namespace

// ---- create

TEST(SagaPlan, CreateOnEveryNodeIsCreated) {
    const auto p =
        plan(Operation::create, {wrote(HostState::created), wrote(HostState::created), wrote(HostState::created)});
    EXPECT_EQ(p.outcome, SagaOutcome::created);
    EXPECT_EQ(p.compensate, Indices{});
}

TEST(SagaPlan, CreateFindingTheGroupEverywhereIsAlreadyExists) {
    const auto p = plan(Operation::create, {clean(HostState::already_present), clean(HostState::already_present)});
    EXPECT_EQ(p.outcome, SagaOutcome::already_exists);
    EXPECT_EQ(p.compensate, Indices{});
}

TEST(SagaPlan, CreateFindingTheGroupOnSomeNodesIsConflictUndoingOnlyOurs) {
    const auto p = plan(Operation::create, {wrote(HostState::created), clean(HostState::already_present),
                                            wrote(HostState::created), clean(HostState::already_present)});
    EXPECT_EQ(p.outcome, SagaOutcome::conflict);
    EXPECT_EQ(p.compensate, (Indices{0, 2}));
}

TEST(SagaPlan, CreateFailureRollsBackCreatedAndUnknownThatWrote) {
    const auto p = plan(Operation::create, {
                                               wrote(HostState::created),          // ours: undo
                                               clean(HostState::failed),           // nothing applied
                                               wrote(HostState::unknown),          // may be ours: undo
                                               clean(HostState::already_present),  // not ours: never touch
                                               clean(HostState::unknown),          // nothing of ours sent
                                           });
    EXPECT_EQ(p.outcome, SagaOutcome::rolled_back);
    EXPECT_EQ(p.compensate, (Indices{0, 2}));
}

TEST(SagaPlan, CreateNeverUndoesAFailedNodeEvenIfItWrote) {
    // A node whose group vanished at verify wrote, but holds nothing to undo.
    const auto p = plan(Operation::create, {wrote(HostState::created), wrote(HostState::failed)});
    EXPECT_EQ(p.outcome, SagaOutcome::rolled_back);
    EXPECT_EQ(p.compensate, (Indices{0}));
}

TEST(SagaPlan, CreateFailureWithNothingOfOursUndoesNothing) {
    const auto p = plan(Operation::create, {clean(HostState::failed), clean(HostState::already_present)});
    EXPECT_EQ(p.outcome, SagaOutcome::rolled_back);
    EXPECT_EQ(p.compensate, Indices{});
}

TEST(SagaPlan, CreateWithAnUnsettledNodeIsNotCreated) {
    const auto p = plan(Operation::create, {wrote(HostState::created), wrote(HostState::unknown)});
    EXPECT_EQ(p.outcome, SagaOutcome::rolled_back);
    EXPECT_EQ(p.compensate, (Indices{0, 1}));
}

// ---- ensure: converge, never roll back

TEST(SagaPlan, EnsureCountsExistingGroupsAsDone) {
    const auto p = plan(Operation::ensure, {wrote(HostState::created), clean(HostState::already_present)});
    EXPECT_EQ(p.outcome, SagaOutcome::created);
    EXPECT_EQ(p.compensate, Indices{});
}

TEST(SagaPlan, EnsureFindingTheGroupEverywhereIsAlreadyExists) {
    const auto p = plan(Operation::ensure, {clean(HostState::already_present), clean(HostState::already_present)});
    EXPECT_EQ(p.outcome, SagaOutcome::already_exists);
}

TEST(SagaPlan, EnsureWithMissingNodesIsIncompleteAndUndoesNothing) {
    const auto p = plan(Operation::ensure, {wrote(HostState::created), clean(HostState::failed),
                                            wrote(HostState::unknown), clean(HostState::already_present)});
    EXPECT_EQ(p.outcome, SagaOutcome::incomplete);
    EXPECT_EQ(p.compensate, Indices{});
}

// ---- delete

TEST(SagaPlan, DeleteFindingNothingIsNotFound) {
    const auto p = plan(Operation::delete_, {clean(HostState::already_absent), clean(HostState::already_absent)});
    EXPECT_EQ(p.outcome, SagaOutcome::not_found);
    EXPECT_EQ(p.compensate, Indices{});
}

TEST(SagaPlan, DeleteCountsAlreadyAbsentNodesAsDone) {
    const auto p = plan(Operation::delete_,
                        {wrote(HostState::deleted), clean(HostState::already_absent), wrote(HostState::deleted)});
    EXPECT_EQ(p.outcome, SagaOutcome::deleted);
    EXPECT_EQ(p.compensate, Indices{});
}

TEST(SagaPlan, DeleteSucceedingIgnoresTheRollbackMode) {
    const auto p = plan(Operation::delete_, {wrote(HostState::deleted), wrote(HostState::deleted)}, forward);
    EXPECT_EQ(p.outcome, SagaOutcome::deleted);
}

TEST(SagaPlan, DeleteFailureRestoresDeletedAndUnknownThatWrote) {
    const auto p = plan(Operation::delete_,
                        {
                            wrote(HostState::deleted),         // ours: restore
                            clean(HostState::failed),          // nothing applied
                            clean(HostState::already_absent),  // was not there: never create
                            wrote(HostState::unknown),         // may be ours: restore
                            clean(HostState::unknown),         // nothing of ours sent
                        },
                        rollback);
    EXPECT_EQ(p.outcome, SagaOutcome::rolled_back);
    EXPECT_EQ(p.compensate, (Indices{0, 3}));
}

TEST(SagaPlan, DeleteFailureInForwardModeIsIncompleteAndKeepsDeletions) {
    const auto p = plan(Operation::delete_,
                        {wrote(HostState::deleted), clean(HostState::failed), wrote(HostState::unknown)}, forward);
    EXPECT_EQ(p.outcome, SagaOutcome::incomplete);
    EXPECT_EQ(p.compensate, Indices{});
}

// ---- verify

TEST(SagaPlan, VerifyPresentEverywhereIsPresent) {
    const auto p = plan(Operation::verify, {clean(HostState::present), clean(HostState::present)});
    EXPECT_EQ(p.outcome, SagaOutcome::present);
    EXPECT_EQ(p.compensate, Indices{});
}

TEST(SagaPlan, VerifyMissingSomewhereIsAbsent) {
    EXPECT_EQ(plan(Operation::verify, {clean(HostState::present), clean(HostState::absent)}).outcome,
              SagaOutcome::absent);
    EXPECT_EQ(plan(Operation::verify, {clean(HostState::absent), clean(HostState::absent)}).outcome,
              SagaOutcome::absent);
}

TEST(SagaPlan, VerifyWithAnUnreadableNodeIsUnknown) {
    // An unreadable node must not be reported absent: that would not be truthful.
    EXPECT_EQ(plan(Operation::verify, {clean(HostState::present), clean(HostState::unknown)}).outcome,
              SagaOutcome::unknown);
    EXPECT_EQ(plan(Operation::verify, {clean(HostState::absent), clean(HostState::unknown)}).outcome,
              SagaOutcome::unknown);
}

// ---- compensation results

TEST(SagaPlan, UndoingACreateEndsRolledBackOnlyWhenTheGroupIsGone) {
    EXPECT_EQ(after_compensation(Operation::create, HostState::deleted), HostState::rolled_back);
    EXPECT_EQ(after_compensation(Operation::create, HostState::already_absent), HostState::rolled_back);
    EXPECT_EQ(after_compensation(Operation::create, HostState::failed), HostState::rollback_failed);
    EXPECT_EQ(after_compensation(Operation::create, HostState::unknown), HostState::rollback_failed);
}

TEST(SagaPlan, UndoingADeleteEndsRestoredOnlyWhenTheGroupIsBack) {
    EXPECT_EQ(after_compensation(Operation::delete_, HostState::created), HostState::restored);
    EXPECT_EQ(after_compensation(Operation::delete_, HostState::already_present), HostState::restored);
    EXPECT_EQ(after_compensation(Operation::delete_, HostState::failed), HostState::rollback_failed);
    EXPECT_EQ(after_compensation(Operation::delete_, HostState::unknown), HostState::rollback_failed);
}

TEST(SagaPlan, FinalOutcomeIsThePlansWhenEveryCompensationFinished) {
    const Plan conflict{SagaOutcome::conflict, {0}};
    const std::vector<HostState> undone{HostState::rolled_back};
    EXPECT_EQ(final_outcome(conflict, undone), SagaOutcome::conflict);
    const Plan created{SagaOutcome::created, {}};
    EXPECT_EQ(final_outcome(created, {}), SagaOutcome::created);
    const Plan restored{SagaOutcome::rolled_back, {0, 1}};
    const std::vector<HostState> back{HostState::restored, HostState::restored};
    EXPECT_EQ(final_outcome(restored, back), SagaOutcome::rolled_back);
}

TEST(SagaPlan, FailedCompensationIsRollbackIncomplete) {
    const Plan rolled_back{SagaOutcome::rolled_back, {0, 2}};
    const std::vector<HostState> undone{HostState::rolled_back, HostState::rollback_failed};
    EXPECT_EQ(final_outcome(rolled_back, undone), SagaOutcome::rollback_incomplete);
}

TEST(SagaPlan, ConflictWhoseUndoFailsIsRollbackIncomplete) {
    const std::vector<StepResult> steps{wrote(HostState::created), clean(HostState::already_present)};
    const auto p = plan(Operation::create, steps);
    ASSERT_EQ(p.outcome, SagaOutcome::conflict);
    ASSERT_EQ(p.compensate, (Indices{0}));
    const std::vector<HostState> undone{after_compensation(Operation::create, HostState::unknown)};
    EXPECT_EQ(final_outcome(p, undone), SagaOutcome::rollback_incomplete);
}

TEST(SagaPlan, DeleteWhoseRestoreFailsIsRollbackIncomplete) {
    const std::vector<StepResult> steps{wrote(HostState::deleted), clean(HostState::failed)};
    const auto p = plan(Operation::delete_, steps, rollback);
    ASSERT_EQ(p.compensate, (Indices{0}));
    const std::vector<HostState> undone{after_compensation(Operation::delete_, HostState::failed)};
    EXPECT_EQ(final_outcome(p, undone), SagaOutcome::rollback_incomplete);
}

// ---- what a report tells its reader

TEST(SagaReport, OkOnlyForTheStatesAskedFor) {
    SagaReport report;
    for (const auto outcome :
         {SagaOutcome::created, SagaOutcome::deleted, SagaOutcome::already_exists, SagaOutcome::present}) {
        report.outcome = outcome;
        EXPECT_TRUE(report.ok()) << to_string(outcome);
    }
    for (const auto outcome :
         {SagaOutcome::not_found, SagaOutcome::absent, SagaOutcome::conflict, SagaOutcome::rolled_back,
          SagaOutcome::rollback_incomplete, SagaOutcome::incomplete, SagaOutcome::busy, SagaOutcome::unknown}) {
        report.outcome = outcome;
        EXPECT_FALSE(report.ok()) << to_string(outcome);
    }
}

TEST(SagaReport, LeftOpenWhenRecoveryHasWorkLeft) {
    SagaReport report;
    report.outcome = SagaOutcome::rollback_incomplete;
    EXPECT_TRUE(report.left_open());
    report.outcome = SagaOutcome::incomplete;
    EXPECT_TRUE(report.left_open());
    report.outcome = SagaOutcome::rolled_back;
    EXPECT_FALSE(report.left_open());
}

TEST(SagaReport, FailedHostsOfADeleteAreThoseStillHoldingTheGroup) {
    SagaReport report;
    report.operation = Operation::delete_;
    report.hosts = {HostReport{.host = "http://a", .state = HostState::deleted, .attempts = 1, .last_error = ""},
                    HostReport{.host = "http://b", .state = HostState::already_absent, .attempts = 1, .last_error = ""},
                    HostReport{.host = "http://c", .state = HostState::failed, .attempts = 5, .last_error = "x"},
                    HostReport{.host = "http://d", .state = HostState::restored, .attempts = 3, .last_error = ""}};
    EXPECT_EQ(report.failed_hosts(), (std::vector<std::string>{"http://c", "http://d"}));
}
