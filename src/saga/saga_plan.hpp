// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include <cluster_client/report.hpp>

namespace cluster_client::saga {

/// How one node's forward step ended.
struct StepResult {
    HostState state = HostState::unknown;
    bool wrote = false;  ///< a write of this saga may have applied there
};

/// What the saga does once every forward step has ended: the outcome, and which nodes'
/// writes must be undone first. Sans-io: the saga state machine of docs/design.md, "The sagas".
struct Plan {
    SagaOutcome outcome = SagaOutcome::unknown;  ///< final, unless a compensation fails
    std::vector<std::size_t> compensate;         ///< indices of the nodes to undo
};

/// Decides after the forward steps. `rollback` is for delete: undo our deletions when a
/// node failed (true) or leave the saga incomplete to be driven forward later (false).
Plan plan_after_forward(Operation operation, std::span<const StepResult> steps, bool rollback);

/// A node's final state once its compensation step ended in `compensation_state`: the
/// undoing of a create ends rolled_back, of a delete restored, else rollback_failed.
HostState after_compensation(Operation operation, HostState compensation_state);

/// The final outcome: the plan's, or rollback_incomplete when some compensation failed.
SagaOutcome final_outcome(const Plan& plan, std::span<const HostState> compensated_states);

}  // namespace cluster_client::saga
