// SPDX-License-Identifier: MIT
#include "saga/create_step.hpp"

namespace cluster_client::saga {

using node_api::Call;
using node_api::Reply;

Action CreateStep::resume(const Event& event) {
    // The retry policy may end the step too (StepBase::retry_or): every end goes through
    // finish(), which may have a last fact to record.
    auto action = next(event);
    if (const auto* end = std::get_if<Finish>(&action); end != nullptr && state_ != State::done) {
        return finish(end->state);
    }
    return action;
}

Action CreateStep::next(const Event& event) {
    if (const auto* start = std::get_if<Start>(&event)) {
        begin(*start);
        if (mode_ == Mode::strict) return start_read(State::precheck, "precheck");
        if (mode_ == Mode::fast) {
            state_ = State::record_intent;
            claim_open_ = true;
            return Record{Fact::writing};
        }
        return start_post();
    }
    if (std::holds_alternative<Waited>(event)) return resend();
    if (std::holds_alternative<Recorded>(event)) {
        switch (state_) {
            case State::record_intent: return start_post();
            case State::record_outcome: return finish(outcome_);
            default: return verified_ ? finish(HostState::created) : start_read(State::verify, "verify");
        }
    }
    return on_reply(std::get<Replied>(event));
}

Action CreateStep::on_reply(const Replied& event) {
    switch (state_) {
        case State::precheck: return after_precheck(event);
        case State::post: return after_post(event);
        case State::resolve: return after_resolve(event);
        case State::verify: return after_verify(event);
        default: return finish(give_up_state());  // no reply is expected in the other states
    }
}

Action CreateStep::start_post() {
    state_ = State::post;
    enter("create");
    return send(Call::create);
}

Action CreateStep::start_read(State state, const char* phase) {
    state_ = state;
    read_attempts_ = 0;
    enter(phase);
    return send(Call::get);
}

Action CreateStep::after_precheck(const Replied& event) {
    ++read_attempts_;
    switch (event.reply.reply) {
        case Reply::present: return finish(HostState::already_present);
        case Reply::absent:
            state_ = State::record_intent;
            claim_open_ = true;
            return Record{Fact::absent_before};
        default: note(event); return retry_or(event, read_attempts_, Call::get, HostState::failed);
    }
}

Action CreateStep::after_post(const Replied& event) {
    ++post_attempts_;
    switch (event.reply.reply) {
        case Reply::created: wrote_ = true; return known_created(false);
        case Reply::exists_or_invalid: rejected_ = true; return start_read(State::resolve, "resolve");
        case Reply::maybe_applied:
            note(event);
            wrote_ = ambiguous_ = true;
            rejected_ = false;
            keep_hint(event);
            return start_read(State::resolve, "resolve");
        default: note(event); return retry_or(event, post_attempts_, Call::create, give_up_state());
    }
}

Action CreateStep::after_resolve(const Replied& event) {
    ++read_attempts_;
    switch (event.reply.reply) {
        case Reply::present:
            // Present after an ambiguous POST of ours (even one a later read saw unapplied:
            // a POST may still apply late): ours. In fast mode this is the one documented
            // guess. Present after a clean 400: somebody else's, and the log must say so
            // before anything could undo it on the strength of an earlier fact.
            if (ambiguous_) return known_created(true);
            return record_then_finish(Fact::present_before, HostState::already_present);
        case Reply::absent:
            if (rejected_) {
                note("the node rejected the group id (400, then 404)");
                return finish(give_up_state());
            }
            // Our ambiguous POST did not apply: send it again.
            state_ = State::post;
            enter("create");
            return retry_or(event, post_attempts_, Call::create, give_up_state());
        default: note(event); return retry_or(event, read_attempts_, Call::get, give_up_state());
    }
}

Action CreateStep::after_verify(const Replied& event) {
    ++read_attempts_;
    switch (event.reply.reply) {
        case Reply::present: return finish(HostState::created);
        case Reply::absent:
            note("the group vanished after it was created");
            // Restoring, the copy we put back is there no more: another writer removed it,
            // and a rollback never creates a group where another writer left none.
            if (mode_ == Mode::restore) return finish(HostState::created);
            return record_then_finish(Fact::deleted, HostState::failed);
        default: note(event); return retry_or(event, read_attempts_, Call::get, HostState::unknown);
    }
}

Action CreateStep::known_created(bool verified) {
    verified_ = verified;
    if (mode_ == Mode::fast || mode_ == Mode::restore) {
        state_ = State::record_created;
        return Record{Fact::created};
    }
    return verified ? finish(HostState::created) : start_read(State::verify, "verify");
}

Action CreateStep::record_then_finish(Fact fact, HostState state) {
    if (!records_ownership()) return finish(state);
    claim_open_ = false;
    state_ = State::record_outcome;
    outcome_ = state;
    return Record{fact};
}

Action CreateStep::finish(HostState state) {
    if (claim_open_ && !wrote_) {
        // A write was licensed and none of ours applied: recovery must not undo what
        // another writer may put there.
        claim_open_ = false;
        state_ = State::record_outcome;
        outcome_ = state;
        return Record{Fact::unwritten};
    }
    state_ = State::done;
    return Finish{state};
}

}  // namespace cluster_client::saga
