// SPDX-License-Identifier: MIT
#include "runner/group_locks.hpp"

#include <exception>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

namespace asio = boost::asio;
using cluster_client::saga::GroupLease;
using cluster_client::saga::GroupLocks;
using namespace std::chrono_literals;
using std::chrono::milliseconds;

namespace {

// Long enough that it never expires while a test runs: a waiter given this can only
// return through a hand-over, so no test depends on how fast the machine is.
constexpr milliseconds forever = 24h;

asio::awaitable<void> acquire_into(GroupLocks& locks, std::string group, milliseconds wait,
                                   std::optional<bool>& result) {
    result = co_await locks.acquire(group, wait);
}

asio::awaitable<void> acquire_in_turn(GroupLocks& locks, std::string group, int id, std::vector<int>& order) {
    const bool granted = co_await locks.acquire(group, forever);
    if (granted) order.push_back(id);
}

// Surfaces an exception thrown inside a coroutine as a failure of io_context::run.
void rethrow(std::exception_ptr error) {
    if (error) std::rethrow_exception(error);
}

class GroupLocksTest : public testing::Test {
protected:
    void acquire(const std::string& group, milliseconds wait, std::optional<bool>& result) {
        asio::co_spawn(io_, acquire_into(locks_, group, wait, result), rethrow);
    }
    // Runs everything that is ready now, never blocking on a pending timer.
    void settle() {
        io_.poll();
        io_.restart();
    }

    asio::io_context io_;
    GroupLocks locks_;
};

}  // namespace

TEST_F(GroupLocksTest, FreeGroupIsGrantedAtOnce) {
    std::optional<bool> first;
    acquire("g", 0ms, first);
    settle();
    ASSERT_TRUE(first.has_value());
    EXPECT_TRUE(*first);
    EXPECT_EQ(locks_.held(), 1U);
    locks_.release("g");
    EXPECT_EQ(locks_.held(), 0U);
}

TEST_F(GroupLocksTest, ZeroWaitFailsFastWhileHeld) {
    std::optional<bool> holder, second, negative;
    acquire("g", 0ms, holder);
    acquire("g", 0ms, second);
    acquire("g", -5ms, negative);
    settle();
    EXPECT_EQ(holder, true);
    EXPECT_EQ(second, false);
    EXPECT_EQ(negative, false);
    // Failing fast neither queues nor frees anything.
    EXPECT_EQ(locks_.held(), 1U);
    locks_.release("g");
    EXPECT_EQ(locks_.held(), 0U);

    std::optional<bool> after;
    acquire("g", 0ms, after);
    settle();
    EXPECT_EQ(after, true);
}

TEST_F(GroupLocksTest, DifferentGroupsDoNotWaitForEachOther) {
    std::optional<bool> a, b;
    acquire("a", 0ms, a);
    acquire("b", 0ms, b);
    settle();
    EXPECT_EQ(a, true);
    EXPECT_EQ(b, true);
    EXPECT_EQ(locks_.held(), 2U);
}

TEST_F(GroupLocksTest, WaitersAreHandedTheGroupInArrivalOrder) {
    std::optional<bool> holder;
    acquire("g", 0ms, holder);
    settle();
    ASSERT_EQ(holder, true);

    std::vector<int> order;
    for (int id = 1; id <= 3; ++id) asio::co_spawn(io_, acquire_in_turn(locks_, "g", id, order), rethrow);
    settle();
    EXPECT_TRUE(order.empty());

    for (int turn = 1; turn <= 3; ++turn) {
        locks_.release("g");
        settle();
        EXPECT_EQ(order.size(), static_cast<std::size_t>(turn));
        EXPECT_EQ(order.back(), turn);
        // Handed over, never freed in between: a newcomer cannot slip in.
        EXPECT_EQ(locks_.held(), 1U);
        std::optional<bool> newcomer;
        acquire("g", 0ms, newcomer);
        settle();
        EXPECT_EQ(newcomer, false);
    }
    locks_.release("g");
    EXPECT_EQ(locks_.held(), 0U);
}

TEST_F(GroupLocksTest, WaiterGivesUpWhenItsWaitPasses) {
    std::optional<bool> holder, waiter;
    acquire("g", 0ms, holder);
    acquire("g", 1ms, waiter);
    // The only work left is the waiter's timer, so this returns once it has expired.
    io_.run();
    EXPECT_EQ(holder, true);
    EXPECT_EQ(waiter, false);
    EXPECT_EQ(locks_.held(), 1U);
    // The waiter left the queue: the release frees the group instead of granting it to nobody.
    locks_.release("g");
    EXPECT_EQ(locks_.held(), 0U);
}

TEST_F(GroupLocksTest, TimedOutWaiterIsSkippedAtHandOver) {
    std::optional<bool> holder, impatient;
    acquire("g", 0ms, holder);
    acquire("g", 1ms, impatient);
    std::vector<int> order;
    asio::co_spawn(io_, acquire_in_turn(locks_, "g", 2, order), rethrow);
    while (!impatient.has_value()) io_.run_one();
    io_.restart();
    EXPECT_EQ(impatient, false);

    locks_.release("g");
    settle();
    EXPECT_EQ(order, std::vector<int>{2});
    EXPECT_EQ(locks_.held(), 1U);
}

TEST_F(GroupLocksTest, LeaseReleasesAtScopeExitAndHandsOver) {
    std::optional<bool> holder;
    acquire("g", 0ms, holder);
    settle();
    ASSERT_EQ(holder, true);
    std::vector<int> order;
    asio::co_spawn(io_, acquire_in_turn(locks_, "g", 7, order), rethrow);
    settle();
    { const GroupLease lease(locks_, "g"); }
    settle();
    EXPECT_EQ(order, std::vector<int>{7});
    { const GroupLease lease(locks_, "g"); }
    EXPECT_EQ(locks_.held(), 0U);
}

TEST_F(GroupLocksTest, ReleasingAFreeGroupIsHarmless) {
    locks_.release("never-held");
    EXPECT_EQ(locks_.held(), 0U);
    std::optional<bool> after;
    acquire("never-held", 0ms, after);
    settle();
    EXPECT_EQ(after, true);
}
