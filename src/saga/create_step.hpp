// SPDX-License-Identifier: MIT
#pragma once

#include "saga/step.hpp"

namespace cluster_client::saga {

/// Creates the group on one node (docs/design.md, "One node, one step"), sans-io:
/// `resume(event)` returns the next action. Every ambiguous answer is resolved by reading,
/// never by guessing.
///
/// An observation that contradicts a recorded fact is recorded too: a clean 400 followed by
/// a read that sees the group, after `absent_before` or `writing`, is somebody else's group
/// (`present_before` is recorded before the step finishes); our own group gone at the
/// verifying read is recorded `deleted` (nothing of ours is left there); a step that ends
/// without any write of ours applied records `unwritten`.
///
/// Finishes with: created (verified by reading), already_present, failed (nothing of ours
/// applied, or our group vanished), or unknown (a POST of ours may have applied: wrote()).
class CreateStep : public StepBase {
public:
    /// How a CreateStep learns and records what is its own.
    enum class Mode {
        /// Ownership strict: read first. A group already there is `already_present` and never
        /// ours; otherwise `absent_before` is recorded before the POST, so whatever appears
        /// afterwards is ours.
        strict,
        /// Ownership fast: no read first. `writing` is recorded before the first POST (recovery
        /// must know where the saga may have written) and `created` once it is known.
        fast,
        /// Restoring a group our delete removed: the POST goes first, `created` is recorded
        /// once known.
        restore,
        /// ensure: converge on presence; nothing is ever rolled back, so nothing is recorded.
        converge,
    };

    CreateStep(const retry::RetryPolicy& policy, Mode mode, retry::RetryBudget* budget = nullptr)
        : StepBase(policy, budget), mode_(mode) {}

    Action resume(const Event& event);

private:
    enum class State { precheck, record_intent, post, resolve, record_created, verify, record_outcome, done };
    Action next(const Event& event);
    Action on_reply(const Replied& event);
    Action after_precheck(const Replied& event);
    Action after_post(const Replied& event);
    Action after_resolve(const Replied& event);
    Action after_verify(const Replied& event);
    Action start_post();
    Action start_read(State state, const char* phase);
    Action known_created(bool verified);
    /// Records `fact` (when this mode keeps facts), then finishes in `state`.
    Action record_then_finish(Fact fact, HostState state);
    Action finish(HostState state);
    HostState give_up_state() const { return wrote_ ? HostState::unknown : HostState::failed; }
    bool records_ownership() const { return mode_ == Mode::strict || mode_ == Mode::fast; }

    Mode mode_;
    State state_ = State::precheck;
    bool ambiguous_ = false;                  // a POST of ours got no clear answer: it may have applied
    bool rejected_ = false;                   // the last POST answered 400
    bool verified_ = false;                   // a read after our write saw the group
    bool claim_open_ = false;                 // absent_before or writing is recorded, nothing settled it yet
    HostState outcome_ = HostState::unknown;  // what to finish with once record_outcome is durable
    int post_attempts_ = 0;
    int read_attempts_ = 0;
};

}  // namespace cluster_client::saga
