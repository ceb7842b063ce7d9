// SPDX-License-Identifier: MIT
#include "saga/step.hpp"

namespace cluster_client::saga {

Action StepBase::retry_or(const Replied& event, int attempts_made, node_api::Call next, HostState give_up) {
    if (event.reply.reply == node_api::Reply::refused) return Finish{give_up};
    auto hint = event.reply.retry_after;
    if (hint_ && (!hint || *hint_ > *hint)) hint = hint_;
    hint_.reset();
    const auto decision = policy_.after_failure(attempts_made, deadline_, event.now, hint, event.uniform);
    if (!decision.should_retry()) {
        last_error_ += decision.kind == retry::Decision::Kind::attempts_exhausted ? " (attempts exhausted)"
                       : hint && *hint >= deadline_ - event.now                   ? " (Retry-After passes the deadline)"
                                                                                  : " (deadline exceeded)";
        return Finish{give_up};
    }
    if (budget_ && !budget_->try_retry()) {
        last_error_ += " (retry budget exhausted)";
        return Finish{give_up};
    }
    pending_ = next;
    return Wait{decision.delay};
}

}  // namespace cluster_client::saga
