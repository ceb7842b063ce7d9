// SPDX-License-Identifier: MIT
#include "saga/read_step.hpp"

namespace cluster_client::saga {

Action ReadStep::resume(const Event& event) {
    if (const auto* start = std::get_if<Start>(&event)) {
        begin(*start);
        enter("read");
        return send(node_api::Call::get);
    }
    if (std::holds_alternative<Waited>(event)) return resend();
    const auto& replied = std::get<Replied>(event);
    ++attempts_;
    switch (replied.reply.reply) {
        case node_api::Reply::present: return Finish{HostState::present};
        case node_api::Reply::absent: return Finish{HostState::absent};
        default: note(replied); return retry_or(replied, attempts_, node_api::Call::get, HostState::unknown);
    }
}

}  // namespace cluster_client::saga
