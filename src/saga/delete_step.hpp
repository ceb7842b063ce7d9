// SPDX-License-Identifier: MIT
#pragma once

#include "saga/step.hpp"

namespace cluster_client::saga {

/// Deletes the group on one node (DESIGN.md section 3), sans-io like CreateStep.
///
/// With `precheck` (ownership strict) the node is read first: a group not there is
/// `absent_before` and needs no request; otherwise `present_before` is recorded before the
/// DELETE, so an absence after an ambiguous DELETE is known to be our doing (and a rollback
/// may re-create it without ever creating a group that was not there). Without it
/// (ownership fast, or undoing a create of ours) the DELETE goes first.
///
/// Finishes with: deleted (absence verified, `deleted` recorded first), absent_before,
/// failed (nothing of ours applied), or unknown (a DELETE of ours may have applied).
class DeleteStep : public StepBase {
public:
    DeleteStep(const retry::RetryPolicy& policy, bool precheck, retry::RetryBudget* budget = nullptr)
        : StepBase(policy, budget), precheck_(precheck) {}

    Action resume(const Event& event);

private:
    enum class State { precheck, record_present, remove, resolve, record_deleted, verify, done };
    Action on_reply(const Replied& event);
    Action after_precheck(const Replied& event);
    Action after_delete(const Replied& event);
    Action after_resolve(const Replied& event);
    Action after_verify(const Replied& event);
    Action start_delete();
    Action retry_delete(const Replied& event);
    Action start_read(State state, const char* phase);
    Action known_deleted(bool verified);
    Action finish(HostState state);
    HostState give_up_state() const { return wrote_ ? HostState::unknown : HostState::failed; }

    bool precheck_;
    State state_ = State::precheck;
    bool ambiguous_ = false;  // a DELETE of ours got no clear answer: it may have applied
    bool verified_ = false;   // a read after our write saw the group gone
    int delete_attempts_ = 0;
    int read_attempts_ = 0;
};

}  // namespace cluster_client::saga
