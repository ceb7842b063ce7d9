// SPDX-License-Identifier: MIT
#pragma once

#include <cluster_client/options.hpp>

namespace cluster_client::retry {

/// The client-wide retry budget (I7), a token bucket refilled by success, in the manner of
/// gRPC's retry throttling and the AWS SDKs' retry quota: each retry takes one token, each
/// answer a node gives puts back `budget_refill` of one, up to `budget_tokens`. While the
/// nodes answer, retries are nearly free; once they stop answering, a client retries at most
/// `budget_tokens` times in all before its steps give up at the first failure, instead of
/// multiplying its load on a cluster that is already failing. First attempts are never
/// refused. Pure: the caller reports answers and asks before each retry.
class RetryBudget {
public:
    explicit RetryBudget(const RetryOptions& options);

    /// Takes a token for one retry; false (and nothing taken) when fewer than one is left.
    bool try_retry();
    /// A node answered (whatever it said): puts back a share of a token.
    void on_answer();
    double tokens() const { return tokens_; }

private:
    double capacity_;
    double refill_;
    double tokens_;
};

}  // namespace cluster_client::retry
