// SPDX-License-Identifier: MIT
#pragma once

#include "saga/step.hpp"

namespace cluster_client::saga {

/// Creates the group on one node (DESIGN.md section 3), sans-io: `resume(event)` returns the
/// next action. Every ambiguous answer is resolved by reading, never by guessing.
///
/// With `precheck` (ownership strict) the node is read first: a group already there is
/// `present_before` and never ours; otherwise `absent_before` is recorded before the POST,
/// so anything that appears afterwards is ours. Without it (ownership fast, or restoring a
/// group we deleted) the POST goes first, and `created` is recorded once it is known.
///
/// Finishes with: created (verified by reading), present_before, failed (nothing of ours
/// applied), or unknown (a POST of ours may have applied: wrote() is true).
class CreateStep : public StepBase {
public:
    CreateStep(const retry::RetryPolicy& policy, bool precheck, retry::RetryBudget* budget = nullptr)
        : StepBase(policy, budget), precheck_(precheck) {}

    Action resume(const Event& event);

private:
    enum class State { precheck, record_absent, post, resolve, record_created, verify, done };
    Action on_reply(const Replied& event);
    Action after_precheck(const Replied& event);
    Action after_post(const Replied& event);
    Action after_resolve(const Replied& event);
    Action after_verify(const Replied& event);
    Action start_post();
    Action start_read(State state, const char* phase);
    Action known_created(bool verified);
    Action finish(HostState state);
    HostState give_up_state() const { return wrote_ ? HostState::unknown : HostState::failed; }

    bool precheck_;
    State state_ = State::precheck;
    bool ambiguous_ = false;  // a POST of ours got no clear answer: it may have applied
    bool rejected_ = false;   // the last POST answered 400
    bool verified_ = false;   // a read after our write saw the group
    int post_attempts_ = 0;
    int read_attempts_ = 0;
};

}  // namespace cluster_client::saga
