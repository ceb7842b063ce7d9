// SPDX-License-Identifier: MIT
// The runner never waits on the saga log: with a log whose every operation takes 100 ms to
// complete (a database across a slow network), sagas on real loopback nodes still run and a
// timer on the same strand keeps its beat.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include "local_cluster.hpp"
#include "log/sqlite/sqlite_saga_log.hpp"
#include "runner/saga_coordinator.hpp"
#include "test_directory.hpp"
#include "time_scale.hpp"

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace cluster_client;
using cluster_client::testing::LocalCluster;
using saga::SagaLog;

constexpr auto log_delay = 100ms;

// Completes every operation of `inner` `log_delay` late, from a thread of its own, on the
// handler's executor: a slow log that never blocks its caller.
class SlowLog final : public SagaLog {
public:
    explicit SlowLog(std::unique_ptr<SagaLog> inner) : inner_(std::move(inner)), thread_([this] { loop(); }) {}
    ~SlowLog() override {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_one();
        thread_.join();
    }

private:
    // Forwards to the inner log; its completion is held back, then delivered late.
    template <class Signature, class Start>
    void delayed(Handler<Signature> handler, Start start) {
        auto shared = std::make_shared<Handler<Signature>>(std::move(handler));
        start([this, shared](auto... results) {
            later([shared, results...]() mutable {
                auto executor = asio::get_associated_executor(*shared);
                asio::dispatch(executor,
                               [shared, results...]() mutable { std::move (*shared)(std::move(results)...); });
            });
        });
    }

    void begin(Operation operation, std::string group, std::vector<std::string> hosts, saga::Owner owner,
               Handler<void(boost::system::error_code, saga::BeginResult)> handler) override {
        delayed(std::move(handler), [&](auto done) {
            inner_->async_begin(operation, std::move(group), std::move(hosts), std::move(owner), std::move(done));
        });
    }
    void record(saga::SagaId saga, std::size_t host, saga::Fact fact, Handler<WriteSignature> handler) override {
        delayed(std::move(handler), [&](auto done) { inner_->async_record(saga, host, fact, std::move(done)); });
    }
    void set_phase(saga::SagaId saga, saga::Phase phase, Handler<WriteSignature> handler) override {
        delayed(std::move(handler), [&](auto done) { inner_->async_set_phase(saga, phase, std::move(done)); });
    }
    void end(saga::SagaId saga, SagaOutcome outcome, std::vector<HostState> states,
             Handler<WriteSignature> handler) override {
        delayed(std::move(handler),
                [&](auto done) { inner_->async_end(saga, outcome, std::move(states), std::move(done)); });
    }
    void adopt(saga::SagaId saga, saga::Owner owner, Handler<void(std::exception_ptr, bool)> handler) override {
        delayed(std::move(handler), [&](auto done) { inner_->async_adopt(saga, std::move(owner), std::move(done)); });
    }
    void open_sagas(Handler<void(std::exception_ptr, Records)> handler) override {
        delayed(std::move(handler), [&](auto done) { inner_->async_open_sagas(std::move(done)); });
    }
    void recent_sagas(std::size_t limit, Handler<void(std::exception_ptr, Records)> handler) override {
        delayed(std::move(handler), [&](auto done) { inner_->async_recent_sagas(limit, std::move(done)); });
    }
    void find(saga::SagaId saga, Handler<void(std::exception_ptr, std::optional<saga::SagaRecord>)> handler) override {
        delayed(std::move(handler), [&](auto done) { inner_->async_find(saga, std::move(done)); });
    }
    void prune(std::chrono::system_clock::time_point before, std::size_t limit,
               Handler<void(std::exception_ptr, std::size_t)> handler) override {
        delayed(std::move(handler), [&](auto done) { inner_->async_prune(before, limit, std::move(done)); });
    }

    void later(std::function<void()> deliver) {
        {
            std::lock_guard lock(mutex_);
            queue_.emplace_back(std::chrono::steady_clock::now() + log_delay, std::move(deliver));
        }
        wake_.notify_one();
    }

    void loop() {
        std::unique_lock lock(mutex_);
        for (;;) {
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;
            auto [due, deliver] = std::move(queue_.front());
            queue_.pop_front();
            lock.unlock();
            std::this_thread::sleep_until(due);
            deliver();
            lock.lock();
        }
    }

    std::unique_ptr<SagaLog> inner_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::pair<std::chrono::steady_clock::time_point, std::function<void()>>> queue_;
    bool stopping_ = false;
    std::thread thread_;
};

TEST(SlowLog, SagasRunAndTheStrandKeepsItsBeatWhileEveryLogWriteTakes100ms) {
    cluster_client::testing::TestDirectory dir("slow-log");
    std::filesystem::create_directories(dir.path());
    LocalCluster cluster;
    auto log = std::make_shared<SlowLog>(log::open_sqlite_saga_log({.path = dir.path() / "sagas.db"}));

    asio::io_context io{1};
    auto strand = asio::make_strand(io);
    ClientOptions options;
    options.hosts = cluster.urls();
    auto coordinator =
        std::make_unique<saga::SagaCoordinator>(strand, options, [log]() -> std::shared_ptr<SagaLog> { return log; });

    // A 5 ms heartbeat on the sagas' strand: any wait on the log would stall it for 100 ms.
    bool running = true;
    std::chrono::steady_clock::duration longest_gap{};
    auto heartbeat = [&]() -> asio::awaitable<void> {
        asio::steady_timer timer(strand);
        auto last = std::chrono::steady_clock::now();
        while (running) {
            timer.expires_after(5ms);
            co_await timer.async_wait(asio::use_awaitable);
            const auto now = std::chrono::steady_clock::now();
            longest_gap = std::max(longest_gap, now - last);
            last = now;
        }
    };
    asio::co_spawn(strand, heartbeat(), asio::detached);

    constexpr int sagas = 20;
    std::vector<SagaReport> reports;
    // Then the log's reads, through recover(): nothing is open, yet the list is read.
    auto finish = [&]() -> asio::awaitable<void> {
        const auto recovered = co_await coordinator->recover();
        EXPECT_TRUE(recovered.empty());
        running = false;
    };
    for (int i = 0; i < sagas; ++i) {
        asio::co_spawn(strand, coordinator->run(Operation::create, "g" + std::to_string(i)),
                       [&](std::exception_ptr failure, SagaReport report) {
                           EXPECT_FALSE(failure);
                           reports.push_back(std::move(report));
                           if (reports.size() == sagas) asio::co_spawn(strand, finish(), asio::detached);
                       });
    }
    io.run();

    ASSERT_EQ(reports.size(), static_cast<std::size_t>(sagas));
    for (int i = 0; i < sagas; ++i) {
        EXPECT_EQ(reports[static_cast<std::size_t>(i)].outcome, SagaOutcome::created);
        EXPECT_EQ(cluster.nodes_with("g" + std::to_string(i)), (std::vector<int>{0, 1, 2}));
    }
    // Each saga waited on the log several times (begin, a fact per node, end): at least 300 ms.
    EXPECT_LT(longest_gap, std::chrono::steady_clock::duration(cluster_client::testing::scaled(60ms)))
        << "the strand stalled for " << std::chrono::duration_cast<std::chrono::milliseconds>(longest_gap).count()
        << " ms";
}

}  // namespace
