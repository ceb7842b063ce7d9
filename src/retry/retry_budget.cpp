// SPDX-License-Identifier: MIT
#include "retry/retry_budget.hpp"

#include <algorithm>

namespace cluster_client::retry {

RetryBudget::RetryBudget(const RetryOptions& options)
    : capacity_(options.budget_tokens), refill_(options.budget_refill), tokens_(capacity_) {}

bool RetryBudget::try_retry() {
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
}

void RetryBudget::on_answer() {
    tokens_ = std::min(capacity_, tokens_ + refill_);
}

}  // namespace cluster_client::retry
