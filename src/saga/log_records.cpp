// SPDX-License-Identifier: MIT
#include "saga/log_records.hpp"

namespace cluster_client::saga {

std::string_view to_string(Fact fact) {
    switch (fact) {
        case Fact::absent_before: return "absent_before";
        case Fact::present_before: return "present_before";
        case Fact::writing: return "writing";
        case Fact::created: return "created";
        case Fact::deleted: return "deleted";
        case Fact::unwritten: return "unwritten";
    }
    return "unknown";
}

std::string_view to_string(Phase phase) {
    switch (phase) {
        case Phase::forward: return "forward";
        case Phase::compensating: return "compensating";
    }
    return "unknown";
}

}  // namespace cluster_client::saga
