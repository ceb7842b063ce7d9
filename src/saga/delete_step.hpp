// SPDX-License-Identifier: MIT
#pragma once

#include "saga/step.hpp"

namespace cluster_client::saga {

/// Deletes the group on one node (docs/design.md, "One node, one step"), sans-io like
/// CreateStep. `deleted` is recorded once the deletion is known. An observation that
/// contradicts a recorded fact is recorded too: a clean 404 followed by a read that sees no
/// group, after `present_before`, is somebody else's deletion (`absent_before` is recorded:
/// nothing for a rollback to restore); when undoing a create, the group already gone is
/// recorded `deleted` (nothing of ours is left there); a step that ends without any DELETE
/// of ours applied records `unwritten`.
///
/// Finishes with: deleted (absence verified, `deleted` recorded first), already_absent,
/// failed (nothing of ours applied), or unknown (a DELETE of ours may have applied).
class DeleteStep : public StepBase {
public:
    /// How a DeleteStep learns and records what is its own.
    enum class Mode {
        /// A delete saga, whatever the ownership option: read first. A group not there is
        /// `already_absent` and needs no request; otherwise `present_before` is recorded before
        /// the DELETE, so an absence after an ambiguous DELETE is known to be our doing. Without
        /// the read, a node that answers 200 to a DELETE of a missing group would make a
        /// rollback create a group that was never there.
        strict,
        /// Undoing a create of ours: the DELETE goes first.
        undo,
    };

    DeleteStep(const retry::RetryPolicy& policy, Mode mode, retry::RetryBudget* budget = nullptr)
        : StepBase(policy, budget), mode_(mode) {}

    Action resume(const Event& event);

private:
    enum class State { precheck, record_present, remove, resolve, record_deleted, verify, record_outcome, done };
    Action next(const Event& event);
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

    Mode mode_;
    State state_ = State::precheck;
    bool ambiguous_ = false;                  // a DELETE of ours got no clear answer: it may have applied
    bool verified_ = false;                   // a read after our write saw the group gone
    bool claim_open_ = false;                 // present_before is recorded, nothing settled it yet
    HostState outcome_ = HostState::unknown;  // what to finish with once record_outcome is durable
    int delete_attempts_ = 0;
    int read_attempts_ = 0;
};

}  // namespace cluster_client::saga
