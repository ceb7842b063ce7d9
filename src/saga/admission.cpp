// SPDX-License-Identifier: MIT
#include "saga/admission.hpp"

namespace cluster_client::saga {

Admission::Action Admission::on_begun(const BeginResult& begun, Clock::time_point now) {
    switch (begun.kind) {
        case BeginResult::Kind::started: return Admitted{begun.saga};
        case BeginResult::Kind::needs_recovery: recovering_ = begun.saga; return RecoverFirst{begun.saga};
        case BeginResult::Kind::busy: break;
    }
    return wait_or_give_up(now);
}

Admission::Action Admission::on_recovered(bool recovered, SagaOutcome outcome, Clock::time_point now) {
    if (recovered && (outcome == SagaOutcome::rollback_incomplete || outcome == SagaOutcome::incomplete)) {
        // Still open (a node is down): a new saga could undo or be undone by it.
        return Busy{"saga " + std::to_string(recovering_) + " on this group is still open (" +
                    std::string(to_string(outcome)) + "); run recover once its nodes answer"};
    }
    // Recovered and closed: begin again at once. Not adopted: someone else has it; wait.
    if (recovered) return Begin{};
    return wait_or_give_up(now);
}

Admission::Action Admission::wait_or_give_up(Clock::time_point now) const {
    if (now >= give_up_) return Busy{"another saga on this group is still running"};
    return PauseUntil{now + poll};
}

}  // namespace cluster_client::saga
