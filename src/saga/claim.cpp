// SPDX-License-Identifier: MIT
#include "saga/claim.hpp"

namespace cluster_client::saga {

Claim claim_of(Operation operation, std::span<const Fact> facts) {
    const bool deleting = operation == Operation::delete_;
    Claim claim = Claim::none;
    for (const auto fact : facts) {
        switch (fact) {
            case Fact::absent_before: claim = deleting ? Claim::none : Claim::maybe; break;
            case Fact::present_before: claim = deleting ? Claim::maybe : Claim::none; break;
            case Fact::writing: claim = deleting ? claim : Claim::maybe; break;
            case Fact::created: claim = deleting ? Claim::none : Claim::ours; break;
            case Fact::deleted: claim = deleting ? Claim::ours : Claim::none; break;
            case Fact::unwritten: claim = Claim::none; break;
        }
    }
    return claim;
}

}  // namespace cluster_client::saga
