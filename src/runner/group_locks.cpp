// SPDX-License-Identifier: MIT
#include "runner/group_locks.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace cluster_client::saga {

namespace asio = boost::asio;

asio::awaitable<bool> GroupLocks::acquire(const std::string& group, std::chrono::milliseconds wait) {
    auto [it, inserted] = groups_.try_emplace(group);
    if (inserted) co_return true;
    if (wait <= std::chrono::milliseconds::zero()) co_return false;

    asio::steady_timer timer(co_await asio::this_coro::executor, wait);
    Waiter waiter{&timer};
    it->second.push_back(&waiter);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (waiter.granted) co_return true;
    // Timed out: leave the queue (the map entry is still there: someone holds the group).
    auto& queue = groups_.at(group);
    queue.erase(std::find(queue.begin(), queue.end(), &waiter));
    co_return false;
}

void GroupLocks::release(const std::string& group) {
    auto it = groups_.find(group);
    if (it == groups_.end()) return;
    if (it->second.empty()) {
        groups_.erase(it);
        return;
    }
    Waiter* next = it->second.front();
    it->second.pop_front();
    next->granted = true;
    next->timer->cancel();
}

}  // namespace cluster_client::saga
