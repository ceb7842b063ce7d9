// SPDX-License-Identifier: MIT
#pragma once

#include <optional>

#include <cluster_client/report.hpp>

namespace cluster_client::testing {

/// What a node must hold after a saga, given the state the report gives it and whether it
/// held the group before (I2); nullopt when the report allows either (the saga says it does
/// not know).
inline std::optional<bool> reported_presence(HostState state, bool before) {
    switch (state) {
        case HostState::created:
        case HostState::already_present:
        case HostState::present:
        case HostState::restored: return true;
        case HostState::deleted:
        case HostState::already_absent:
        case HostState::absent:
        case HostState::rolled_back: return false;
        case HostState::failed: return before;  // nothing of ours applied there
        case HostState::unknown:
        case HostState::rollback_failed: return std::nullopt;
    }
    return std::nullopt;
}

}  // namespace cluster_client::testing
