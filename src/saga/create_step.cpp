// SPDX-License-Identifier: MIT
#include "saga/create_step.hpp"

namespace cluster_client::saga {

using node_api::Call;
using node_api::Reply;

Action CreateStep::resume(const Event& event) {
    if (const auto* start = std::get_if<Start>(&event)) {
        begin(*start);
        return precheck_ ? start_read(State::precheck, "precheck") : start_post();
    }
    if (std::holds_alternative<Waited>(event)) return resend();
    if (std::holds_alternative<Recorded>(event)) {
        if (state_ == State::record_absent) return start_post();
        return verified_ ? finish(HostState::created) : start_read(State::verify, "verify");
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
        case Reply::present: return finish(HostState::present_before);
        case Reply::absent: state_ = State::record_absent; return Record{Fact::absent_before};
        default: note(event); return retry_or(event, read_attempts_, Call::get, HostState::failed);
    }
}

Action CreateStep::after_post(const Replied& event) {
    ++post_attempts_;
    switch (event.reply.reply) {
        case Reply::created:
            wrote_ = true;
            return known_created(false);
        case Reply::exists_or_invalid:
            rejected_ = true;
            return start_read(State::resolve, "resolve");
        case Reply::maybe_applied:
            note(event);
            wrote_ = ambiguous_ = true;
            rejected_ = false;
            keep_hint(event);
            return start_read(State::resolve, "resolve");
        default:
            note(event);
            return retry_or(event, post_attempts_, Call::create, give_up_state());
    }
}

Action CreateStep::after_resolve(const Replied& event) {
    ++read_attempts_;
    switch (event.reply.reply) {
        case Reply::present:
            // Present after an ambiguous POST of ours: ours (in fast mode this is the one
            // documented guess). Present after a clean 400: somebody else's.
            if (ambiguous_) return known_created(true);
            return finish(HostState::present_before);
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
            return finish(HostState::failed);
        default: note(event); return retry_or(event, read_attempts_, Call::get, HostState::unknown);
    }
}

Action CreateStep::known_created(bool verified) {
    verified_ = verified;
    if (!precheck_) {
        state_ = State::record_created;
        return Record{Fact::created};
    }
    return verified ? finish(HostState::created) : start_read(State::verify, "verify");
}

Action CreateStep::finish(HostState state) {
    state_ = State::done;
    return Finish{state};
}

}  // namespace cluster_client::saga
