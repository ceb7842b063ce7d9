// SPDX-License-Identifier: MIT
#include "saga/delete_step.hpp"

namespace cluster_client::saga {

using node_api::Call;
using node_api::Reply;

Action DeleteStep::resume(const Event& event) {
    // The retry policy may end the step too (StepBase::retry_or): every end goes through
    // finish(), which may have a last fact to record.
    auto action = next(event);
    if (const auto* end = std::get_if<Finish>(&action); end != nullptr && state_ != State::done) {
        return finish(end->state);
    }
    return action;
}

Action DeleteStep::next(const Event& event) {
    if (const auto* start = std::get_if<Start>(&event)) {
        begin(*start);
        return mode_ == Mode::strict ? start_read(State::precheck, "precheck") : start_delete();
    }
    if (std::holds_alternative<Waited>(event)) return resend();
    if (std::holds_alternative<Recorded>(event)) {
        switch (state_) {
            case State::record_present: return start_delete();
            case State::record_outcome: return finish(outcome_);
            default: return verified_ ? finish(HostState::deleted) : start_read(State::verify, "verify");
        }
    }
    return on_reply(std::get<Replied>(event));
}

Action DeleteStep::on_reply(const Replied& event) {
    switch (state_) {
        case State::precheck: return after_precheck(event);
        case State::remove: return after_delete(event);
        case State::resolve: return after_resolve(event);
        case State::verify: return after_verify(event);
        default: return finish(give_up_state());  // no reply is expected in the other states
    }
}

Action DeleteStep::start_delete() {
    state_ = State::remove;
    enter("delete");
    return send(Call::delete_);
}

Action DeleteStep::retry_delete(const Replied& event) {
    state_ = State::remove;
    enter("delete");
    return retry_or(event, delete_attempts_, Call::delete_, give_up_state());
}

Action DeleteStep::start_read(State state, const char* phase) {
    state_ = state;
    read_attempts_ = 0;
    enter(phase);
    return send(Call::get);
}

Action DeleteStep::after_precheck(const Replied& event) {
    ++read_attempts_;
    switch (event.reply.reply) {
        case Reply::absent: return finish(HostState::already_absent);
        case Reply::present:
            state_ = State::record_present;
            claim_open_ = true;
            return Record{Fact::present_before};
        default: note(event); return retry_or(event, read_attempts_, Call::get, HostState::failed);
    }
}

Action DeleteStep::after_delete(const Replied& event) {
    ++delete_attempts_;
    switch (event.reply.reply) {
        case Reply::deleted: wrote_ = true; return known_deleted(false);
        case Reply::absent: return start_read(State::resolve, "resolve");
        case Reply::maybe_applied:
            note(event);
            wrote_ = ambiguous_ = true;
            keep_hint(event);
            return start_read(State::resolve, "resolve");
        default: note(event); return retry_or(event, delete_attempts_, Call::delete_, give_up_state());
    }
}

Action DeleteStep::after_resolve(const Replied& event) {
    ++read_attempts_;
    switch (event.reply.reply) {
        case Reply::absent:
            // Gone after an ambiguous DELETE of ours: our doing. Gone after a clean "no such
            // group": somebody else's (or it never was), so not ours to restore, and the
            // log must say so before anything could restore it on the strength of
            // `present_before`. Undoing a create, it means nothing of ours is left there.
            if (ambiguous_) return known_deleted(true);
            claim_open_ = false;
            state_ = State::record_outcome;
            outcome_ = HostState::already_absent;
            return Record{mode_ == Mode::strict ? Fact::absent_before : Fact::deleted};
        case Reply::present: note("the group is still there"); return retry_delete(event);
        default: note(event); return retry_or(event, read_attempts_, Call::get, give_up_state());
    }
}

Action DeleteStep::after_verify(const Replied& event) {
    ++read_attempts_;
    switch (event.reply.reply) {
        case Reply::absent: return finish(HostState::deleted);
        case Reply::present:
            note("the group reappeared after it was deleted");
            // Undoing a create, the copy we deleted is gone: what is there now is another
            // writer's, and a create never deletes a group it did not create.
            if (mode_ == Mode::undo) return finish(HostState::deleted);
            return retry_delete(event);
        default: note(event); return retry_or(event, read_attempts_, Call::get, HostState::unknown);
    }
}

Action DeleteStep::known_deleted(bool verified) {
    verified_ = verified;
    state_ = State::record_deleted;
    return Record{Fact::deleted};
}

Action DeleteStep::finish(HostState state) {
    if (claim_open_ && !wrote_) {
        // A DELETE was licensed and none of ours applied: recovery must not restore an
        // absence that is another writer's doing.
        claim_open_ = false;
        state_ = State::record_outcome;
        outcome_ = state;
        return Record{Fact::unwritten};
    }
    state_ = State::done;
    return Finish{state};
}

}  // namespace cluster_client::saga
