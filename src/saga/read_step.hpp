// SPDX-License-Identifier: MIT
#pragma once

#include "saga/step.hpp"

namespace cluster_client::saga {

/// Reads whether the group is on one node, retrying failed reads. Finishes with present,
/// absent, or unknown when no read got an answer.
class ReadStep : public StepBase {
public:
    explicit ReadStep(const retry::RetryPolicy& policy, retry::RetryBudget* budget = nullptr)
        : StepBase(policy, budget) {}

    Action resume(const Event& event);

private:
    int attempts_ = 0;
};

}  // namespace cluster_client::saga
