// SPDX-License-Identifier: MIT
// Saga log: a whole saga's records (begin, a fact per node, end) made durable in SQLite.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <time.h>
#include <unistd.h>

#include <cluster_client/options.hpp>
#include <cluster_client/report.hpp>

#include "log/sqlite/sqlite_saga_log.hpp"
#include "log/state_dir.hpp"
#include "saga/owner.hpp"
#include "saga/saga_log.hpp"

namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using boost::system::error_code;
using cluster_client::Durability;
using cluster_client::HostState;
using cluster_client::Operation;
using cluster_client::SagaOutcome;
using namespace cluster_client::log;
using namespace cluster_client::saga;

constexpr std::size_t nodes = 5;
constexpr std::int64_t records_per_saga = nodes + 2;  // begin, a fact per node, end

// A directory of its own under the system's temporary directory, removed with everything
// in it at the end.
class TempDir {
public:
    TempDir() {
        static std::atomic<int> count{0};
        path_ = fs::temp_directory_path() /
                ("cluster-microbench-" + std::to_string(::getpid()) + "-" + std::to_string(count++));
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

// Writes whole sagas through the log, `in_flight` at a time, the way the coordinator does:
// the intent, then a fact per node (the nodes are worked in parallel, so their facts are
// in flight together), then the end once every fact is durable. Completion handlers run on
// `io`, which the benchmark's thread runs.
class SagaWriter {
public:
    SagaWriter(SagaLog& log, asio::io_context& io, std::size_t in_flight)
        : log_(log), io_(io), owner_(this_process()), slots_(in_flight) {
        for (std::size_t i = 0; i < nodes; ++i) hosts_.push_back("http://node-" + std::to_string(i + 1) + ":8080");
    }

    /// Runs `sagas` more sagas to their end; false (with error() set) when a write failed.
    bool run(std::size_t sagas) {
        target_ = started_ + sagas;
        for (std::size_t slot = 0; slot < slots_.size() && started_ < target_; ++slot) start(slot);
        io_.run();
        io_.restart();
        return error_.empty() && ended_ == target_;
    }

    const std::string& error() const { return error_; }

private:
    struct Slot {
        SagaId saga = 0;
        std::size_t facts_left = 0;
    };

    void start(std::size_t slot) {
        ++started_;
        log_.async_begin(Operation::create, "bench-group-" + std::to_string(started_), hosts_, owner_,
                         asio::bind_executor(io_, [this, slot](error_code ec, BeginResult result) {
                             if (ec || result.kind != BeginResult::Kind::started) return fail("begin", ec);
                             slots_[slot] = {result.saga, nodes};
                             for (std::size_t host = 0; host < nodes; ++host) {
                                 log_.async_record(
                                     result.saga, host, Fact::absent_before,
                                     asio::bind_executor(io_, [this, slot](error_code e) { on_fact(slot, e); }));
                             }
                         }));
    }

    void on_fact(std::size_t slot, error_code ec) {
        if (ec) return fail("record", ec);
        if (--slots_[slot].facts_left > 0) return;
        log_.async_end(slots_[slot].saga, SagaOutcome::created, std::vector<HostState>(nodes, HostState::created),
                       asio::bind_executor(io_, [this, slot](error_code e) { on_end(slot, e); }));
    }

    void on_end(std::size_t slot, error_code ec) {
        if (ec) return fail("end", ec);
        ++ended_;
        if (started_ < target_) start(slot);
    }

    void fail(const char* what, error_code ec) {
        if (error_.empty()) error_ = std::string(what) + " failed: " + (ec ? ec.message() : "the group is busy");
    }

    SagaLog& log_;
    asio::io_context& io_;
    Owner owner_;
    std::vector<std::string> hosts_;
    std::vector<Slot> slots_;
    std::size_t started_ = 0;
    std::size_t ended_ = 0;
    std::size_t target_ = 0;
    std::string error_;
};

double process_cpu_seconds() {
    timespec now{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

// Each iteration runs `sagas_per_iteration` sagas, `in_flight` at a time, through a log in
// a fresh directory that already holds `sagas_before` ended sagas. Real time, since the
// log's own thread does the writing; cpu_us_per_saga counts every thread of the process.
void run(benchmark::State& state, std::size_t in_flight, std::size_t sagas_per_iteration,
         std::size_t sagas_before = 0) {
    const TempDir dir;
    SqliteSagaLog log({.path = saga_log_path(dir.path()), .durability = Durability::process});
    asio::io_context io;
    SagaWriter writer(log, io, in_flight);
    if (sagas_before > 0 && !writer.run(sagas_before)) {
        state.SkipWithError(writer.error().c_str());
        return;
    }
    const auto commits_before = log.commits();
    const auto cpu_before = process_cpu_seconds();
    for (auto _ : state) {
        if (!writer.run(sagas_per_iteration)) {
            state.SkipWithError(writer.error().c_str());
            break;
        }
    }
    const std::int64_t records = state.iterations() * static_cast<std::int64_t>(sagas_per_iteration) * records_per_saga;
    state.SetItemsProcessed(records);
    const auto sagas = static_cast<double>(state.iterations()) * static_cast<double>(sagas_per_iteration);
    if (sagas > 0) state.counters["cpu_us_per_saga"] = (process_cpu_seconds() - cpu_before) * 1e6 / sagas;
    const auto commits = log.commits() - commits_before;
    if (commits > 0) {
        state.counters["records_per_commit"] = static_cast<double>(records) / static_cast<double>(commits);
    }
}

// The latency of one saga's records when nothing else is being logged.
void BM_SagaLogOneSagaAtATime(benchmark::State& state) {
    run(state, 1, 1);
}
BENCHMARK(BM_SagaLogOneSagaAtATime)->UseRealTime()->MinTime(0.5);

// Eight sagas in flight: commits of about a dozen records, as a client busy with its
// nodes makes them (its writes arrive slower than the log could take them).
void BM_SagaLogEightInFlight(benchmark::State& state) {
    run(state, 8, 64);
}
BENCHMARK(BM_SagaLogEightInFlight)->UseRealTime()->MinTime(0.5);

// Throughput with 64 sagas in flight, whose writes share commits (group commit); an
// iteration is 256 sagas.
void BM_SagaLogSixtyFourInFlight(benchmark::State& state) {
    run(state, 64, 256);
}
BENCHMARK(BM_SagaLogSixtyFourInFlight)->UseRealTime()->MinTime(0.5);

// Eight in flight in a log that already holds as many ended sagas as the argument (a day
// of a busy service, then a million): the cost of a saga must not grow with the log.
void BM_SagaLogEightInFlightGrownLog(benchmark::State& state) {
    run(state, 8, 64, static_cast<std::size_t>(state.range(0)));
}
BENCHMARK(BM_SagaLogEightInFlightGrownLog)->Arg(200'000)->Arg(1'000'000)->UseRealTime()->MinTime(2);

}  // namespace
