// SPDX-License-Identifier: MIT
#include "retry/retry_budget.hpp"

#include <gtest/gtest.h>

using cluster_client::RetryOptions;
using cluster_client::retry::RetryBudget;

namespace {

RetryOptions budget(int tokens, double refill) {
    RetryOptions options;
    options.budget_tokens = tokens;
    options.budget_refill = refill;
    return options;
}

}  // namespace

TEST(RetryBudget, AFullBucketAllowsAsManyRetriesAsItHasTokens) {
    RetryBudget bucket(budget(3, 0.2));
    EXPECT_TRUE(bucket.try_retry());
    EXPECT_TRUE(bucket.try_retry());
    EXPECT_TRUE(bucket.try_retry());
    EXPECT_FALSE(bucket.try_retry()) << "a dead cluster gets no more retries";
    EXPECT_FALSE(bucket.try_retry());
    EXPECT_DOUBLE_EQ(bucket.tokens(), 0.0) << "a refused retry takes nothing";
}

TEST(RetryBudget, AnswersEarnRetriesBackAtTheRefillRate) {
    RetryBudget bucket(budget(2, 0.25));
    ASSERT_TRUE(bucket.try_retry());
    ASSERT_TRUE(bucket.try_retry());
    for (int i = 0; i < 3; ++i) bucket.on_answer();
    EXPECT_FALSE(bucket.try_retry()) << "three answers earn three quarters of a retry";
    bucket.on_answer();
    EXPECT_TRUE(bucket.try_retry()) << "the fourth completes one";
    EXPECT_FALSE(bucket.try_retry());
}

TEST(RetryBudget, RefillStopsAtTheCapacity) {
    RetryBudget bucket(budget(2, 0.5));
    for (int i = 0; i < 100; ++i) bucket.on_answer();
    EXPECT_DOUBLE_EQ(bucket.tokens(), 2.0);
    EXPECT_TRUE(bucket.try_retry());
    EXPECT_TRUE(bucket.try_retry());
    EXPECT_FALSE(bucket.try_retry()) << "healthy periods do not bank an unbounded burst";
}

TEST(RetryBudget, ASustainedFailureRateAboveTheRefillDrainsIt) {
    // One retry per two answers against a refill of one per five: the budget runs dry, and
    // from then on at most one retry goes out per five answers.
    RetryBudget bucket(budget(10, 0.2));
    int retries = 0;
    for (int round = 0; round < 1000; ++round) {
        bucket.on_answer();
        bucket.on_answer();
        if (bucket.try_retry()) ++retries;
    }
    EXPECT_LE(retries, 10 + 2000 / 5);
    EXPECT_GE(retries, 2000 / 5);
}
