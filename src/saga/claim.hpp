// SPDX-License-Identifier: MIT
#pragma once

#include <span>

#include <cluster_client/report.hpp>

#include "saga/fact.hpp"

namespace cluster_client::saga {

/// What a saga may have done to one node, as its recorded facts tell: what recovery must
/// undo there (a create's copy, a delete's absence).
enum class Claim {
    none,   ///< nothing of ours: no write was licensed there, or what is there is another's
    maybe,  ///< a write of ours was licensed and may have applied
    ours,   ///< a write of ours applied
};

/// Folds one node's facts, in recording order: the last fact that speaks of ownership wins.
/// For create and ensure a copy is ours after `absent_before` or `writing` (maybe) and
/// `created`, and not after `present_before` or `deleted`; for delete an absence is ours
/// after `present_before` (maybe) and `deleted`, and not after `absent_before` or `created`.
/// `unwritten` (no write of ours applied) ends any claim.
Claim claim_of(Operation operation, std::span<const Fact> facts);

}  // namespace cluster_client::saga
