// SPDX-License-Identifier: MIT
// The SQLite saga log on real files: round trips, group commit, leases, several writers on
// one file, refusal of files it must not touch, and the commit hook crash tests use.
#include "log/sqlite/sqlite_saga_log.hpp"
#include "log/sqlite/writer.hpp"
#include "log/state_dir.hpp"
#include "saga/owner.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cluster_client/errors.hpp>

namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace cluster_client::log;
using namespace cluster_client::saga;
using namespace std::chrono_literals;
using boost::system::error_code;
using cluster_client::ConfigError;
using cluster_client::Durability;
using cluster_client::HostState;
using cluster_client::Operation;
using cluster_client::SagaOutcome;
using Kind = BeginResult::Kind;

const std::vector<std::string> three_hosts = {"http://a:1", "http://b:2", "http://c:3"};

// pid 1 runs for as long as the machine does, and is never this test.
const Owner live_other{1, ""};

// This process's pid with another start time: what a dead owner whose pid came back looks like.
Owner dead_owner() {
    return Owner{this_process().pid, "1"};
}

std::string read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Runs one statement on the file the way the sqlite3 shell would, bypassing the log, and
// returns the number of rows it changed.
int execute_sql(const fs::path& path, const std::string& sql) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
        ADD_FAILURE() << "cannot open " << path << ": " << sqlite3_errmsg(db);
        sqlite3_close(db);
        return -1;
    }
    char* message = nullptr;
    const int code = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
    EXPECT_EQ(code, SQLITE_OK) << sql << ": " << (message ? message : "");
    sqlite3_free(message);
    const int changed = code == SQLITE_OK ? sqlite3_changes(db) : -1;
    sqlite3_close(db);
    return changed;
}

// Overwrites a big-endian 32-bit field of the SQLite file header.
void patch_header(const fs::path& path, std::size_t offset, std::uint32_t value) {
    std::string bytes = read_bytes(path);
    ASSERT_GE(bytes.size(), offset + 4);
    for (std::size_t i = 0; i < 4; ++i) bytes[offset + i] = static_cast<char>((value >> (8 * (3 - i))) & 0xffU);
    write_bytes(path, bytes);
}

template <class Call>
std::string config_error_of(Call call) {
    try {
        call();
    } catch (const ConfigError& error) {
        return error.what();
    }
    return "no ConfigError";
}

class SqliteSagaLogTest : public testing::Test {
protected:
    void SetUp() override {
        const auto* test = testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::path(testing::TempDir()) /
               ("saga_log_" + std::to_string(::getpid()) + "_" + test->test_suite_name() + "_" + test->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override {
        std::error_code ignored;
        fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add, ignored);
        fs::remove_all(dir_, ignored);
    }

    SqliteLogOptions options(std::string name = "sagas.db") const { return {.path = dir_ / name}; }

    // Runs the io_context, on this thread only, until `done`.
    template <class Done>
    bool run_until(Done done) {
        const auto deadline = std::chrono::steady_clock::now() + 60s;
        while (!done() && std::chrono::steady_clock::now() < deadline) {
            if (io_.stopped()) io_.restart();
            io_.run_one_for(50ms);
        }
        return done();
    }

    // Submits a write whose handler stores its error into `slot`.
    auto into(std::optional<error_code>& slot) {
        return asio::bind_executor(io_, [&slot](error_code error) { slot = error; });
    }

    std::pair<error_code, BeginResult> begin_saga(SagaLog& log, const std::string& group, const Owner& owner,
                                                  Operation operation = Operation::create,
                                                  std::vector<std::string> hosts = three_hosts) {
        std::optional<std::pair<error_code, BeginResult>> out;
        auto handler = [&out](error_code error, BeginResult result) { out.emplace(error, result); };
        log.async_begin(operation, group, std::move(hosts), owner, asio::bind_executor(io_, handler));
        EXPECT_TRUE(run_until([&] { return out.has_value(); }));
        return out.value_or(std::pair{make_error_code(boost::system::errc::timed_out), BeginResult{}});
    }

    // Begins a saga that must start.
    SagaId started(SagaLog& log, const std::string& group, const Owner& owner = this_process(),
                   Operation operation = Operation::create) {
        const auto [error, result] = begin_saga(log, group, owner, operation);
        EXPECT_FALSE(error) << error.message();
        EXPECT_EQ(result.kind, Kind::started) << group;
        return result.saga;
    }

    template <class Submit>
    error_code wait_for(Submit submit) {
        std::optional<error_code> slot;
        submit(into(slot));
        EXPECT_TRUE(run_until([&] { return slot.has_value(); }));
        return slot.value_or(make_error_code(boost::system::errc::timed_out));
    }

    error_code record(SagaLog& log, SagaId saga, std::size_t host, Fact fact) {
        return wait_for([&](auto handler) { log.async_record(saga, host, fact, std::move(handler)); });
    }
    error_code set_phase(SagaLog& log, SagaId saga, Phase phase) {
        return wait_for([&](auto handler) { log.async_set_phase(saga, phase, std::move(handler)); });
    }
    error_code end(SagaLog& log, SagaId saga, SagaOutcome outcome, std::vector<HostState> states = {}) {
        return wait_for([&](auto handler) { log.async_end(saga, outcome, std::move(states), std::move(handler)); });
    }

    fs::path dir_;
    asio::io_context io_;
};

template <class T>
bool all_set(const std::vector<std::optional<T>>& slots) {
    return std::all_of(slots.begin(), slots.end(), [](const auto& slot) { return slot.has_value(); });
}

// The log's reads, waited for: the test thread is no event loop.
std::optional<SagaRecord> find(SagaLog& log, SagaId saga) {
    return log.async_find(saga, asio::use_future).get();
}
std::vector<SagaRecord> open_sagas(SagaLog& log) {
    return log.async_open_sagas(asio::use_future).get();
}
std::vector<SagaRecord> recent_sagas(SagaLog& log, std::size_t limit) {
    return log.async_recent_sagas(limit, asio::use_future).get();
}
bool adopt(SagaLog& log, SagaId saga, const Owner& owner) {
    return log.async_adopt(saga, owner, asio::use_future).get();
}

std::vector<SagaId> ids_of(const std::vector<SagaRecord>& sagas) {
    std::vector<SagaId> ids;
    for (const auto& saga : sagas) ids.push_back(saga.id);
    return ids;
}

// Pruning deletes the oldest closed sagas first, with their facts, in batches of the given
// size, and never an open saga (left for recovery or running) nor one that ended later.
TEST_F(SqliteSagaLogTest, PruneDeletesOnlyTheSagasThatEndedBeforeTheCutOff) {
    const auto log = open_sqlite_saga_log(options());
    const SagaId first = started(*log, "first");
    ASSERT_FALSE(record(*log, first, 0, Fact::absent_before));
    ASSERT_FALSE(end(*log, first, SagaOutcome::created, {HostState::created, HostState::created, HostState::created}));
    const SagaId second = started(*log, "second");
    ASSERT_FALSE(end(*log, second, SagaOutcome::rolled_back,
                     {HostState::rolled_back, HostState::rolled_back, HostState::rolled_back}));
    const SagaId left_open = started(*log, "left-open");
    ASSERT_FALSE(record(*log, left_open, 1, Fact::created));
    ASSERT_FALSE(end(*log, left_open, SagaOutcome::rollback_incomplete,
                     {HostState::rolled_back, HostState::rollback_failed, HostState::rolled_back}));
    const SagaId running = started(*log, "running");
    ASSERT_FALSE(record(*log, running, 2, Fact::absent_before));

    const auto prune = [&](std::chrono::system_clock::time_point before, std::size_t limit) {
        return log->async_prune(before, limit, asio::use_future).get();
    };
    const auto now = std::chrono::system_clock::now();
    EXPECT_EQ(prune(now - std::chrono::hours(1), 1000), 0u) << "nothing ended an hour ago";
    EXPECT_EQ(prune(now + 1s, 1), 1u) << "one per batch, the oldest first";
    EXPECT_FALSE(find(*log, first));
    EXPECT_TRUE(find(*log, second));
    EXPECT_EQ(prune(now + 1s, 1000), 1u);
    EXPECT_EQ(prune(now + 1s, 1000), 0u);
    EXPECT_FALSE(find(*log, second));
    EXPECT_EQ(ids_of(open_sagas(*log)), (std::vector<SagaId>{left_open, running}));
    EXPECT_EQ(find(*log, left_open)->facts.at(1), std::vector<Fact>{Fact::created});
    EXPECT_EQ(find(*log, running)->facts.at(2), std::vector<Fact>{Fact::absent_before});
    // The facts went with their saga; the group of a pruned saga is free.
    EXPECT_EQ(execute_sql(options().path, "UPDATE facts SET fact = fact WHERE saga = " + std::to_string(first)), 0);
    EXPECT_EQ(execute_sql(options().path, "UPDATE facts SET fact = fact"), 2);
    started(*log, "first");
}

}  // namespace

TEST_F(SqliteSagaLogTest, RoundTripsASagaThroughFindOpenAndRecent) {
    SqliteSagaLog log(options());
    const auto before = std::chrono::system_clock::now() - 1s;
    const SagaId saga = started(log, "g1");
    ASSERT_GT(saga, 0);

    auto found = find(log, saga);
    ASSERT_TRUE(found);
    EXPECT_TRUE(found->open);
    EXPECT_FALSE(found->outcome);
    EXPECT_EQ(found->phase, Phase::forward);
    EXPECT_EQ(found->facts, (std::vector<std::vector<Fact>>(3)));
    EXPECT_TRUE(found->host_states.empty());
    EXPECT_EQ(ids_of(open_sagas(log)), std::vector<SagaId>{saga});

    EXPECT_FALSE(record(log, saga, 0, Fact::absent_before));
    EXPECT_FALSE(record(log, saga, 2, Fact::absent_before));
    EXPECT_FALSE(record(log, saga, 0, Fact::created));
    EXPECT_FALSE(set_phase(log, saga, Phase::compensating));
    const std::vector<HostState> states = {HostState::rolled_back, HostState::failed, HostState::already_absent};
    EXPECT_FALSE(end(log, saga, SagaOutcome::rolled_back, states));

    found = find(log, saga);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->id, saga);
    EXPECT_EQ(found->operation, Operation::create);
    EXPECT_EQ(found->group, "g1");
    EXPECT_EQ(found->hosts, three_hosts);
    EXPECT_EQ(found->phase, Phase::compensating);
    EXPECT_FALSE(found->open);
    EXPECT_EQ(found->outcome, SagaOutcome::rolled_back);
    EXPECT_EQ(found->facts,
              (std::vector<std::vector<Fact>>{{Fact::absent_before, Fact::created}, {}, {Fact::absent_before}}));
    EXPECT_EQ(found->host_states, states);
    EXPECT_EQ(found->owner, this_process());
    EXPECT_GE(found->started_at, before);
    EXPECT_LE(found->started_at, found->updated_at);
    EXPECT_LE(found->updated_at, std::chrono::system_clock::now() + 1s);

    EXPECT_TRUE(open_sagas(log).empty());
    const auto recent = recent_sagas(log, 10);
    ASSERT_EQ(recent.size(), 1U);
    EXPECT_EQ(recent[0].facts, found->facts);
    EXPECT_FALSE(find(log, saga + 1000));
    EXPECT_EQ(log.path(), options().path);
}

TEST_F(SqliteSagaLogTest, TwoProcessesCreatingTheFileAtOnceBothOpenIt) {
    // As two cluster-client processes started together on a new state directory: one
    // creates the schema while the other checks what the file is.
    for (int round = 0; round < 40; ++round) {
        const auto path = options("new-" + std::to_string(round) + ".db");
        std::array<std::string, 2> errors;
        std::array<std::thread, 2> openers;
        for (std::size_t i = 0; i < openers.size(); ++i) {
            openers[i] = std::thread([&, i] {
                try {
                    SqliteSagaLog log(path);
                } catch (const std::exception& error) {
                    errors[i] = error.what();
                }
            });
        }
        for (auto& opener : openers) opener.join();
        EXPECT_EQ(errors[0], "") << "round " << round;
        EXPECT_EQ(errors[1], "") << "round " << round;
    }
}

TEST_F(SqliteSagaLogTest, OpenSagasAreOldestFirstAndRecentSagasNewestFirst) {
    SqliteSagaLog log(options());
    const SagaId first = started(log, "first");
    const SagaId second = started(log, "second", this_process(), Operation::delete_);
    const SagaId third = started(log, "third", this_process(), Operation::ensure);
    EXPECT_FALSE(end(log, second, SagaOutcome::deleted));
    EXPECT_EQ(ids_of(open_sagas(log)), (std::vector<SagaId>{first, third}));
    EXPECT_EQ(find(log, second)->operation, Operation::delete_);
    EXPECT_EQ(find(log, third)->operation, Operation::ensure);

    // Timestamps count milliseconds: let the clock move before the next write. A change of
    // phase moves a saga to the front; its facts do not.
    std::this_thread::sleep_for(5ms);
    EXPECT_FALSE(record(log, third, 1, Fact::absent_before));
    EXPECT_FALSE(set_phase(log, first, Phase::compensating));
    const auto recent = recent_sagas(log, 2);
    ASSERT_EQ(recent.size(), 2U);
    EXPECT_EQ(recent[0].id, first);
    EXPECT_EQ(recent_sagas(log, 100).size(), 3U);
    EXPECT_TRUE(recent_sagas(log, 0).empty());
}

TEST_F(SqliteSagaLogTest, FactsStayPerHostInRecordingOrder) {
    SqliteSagaLog log(options());
    const SagaId saga = started(log, "g");
    const std::vector<std::pair<std::size_t, Fact>> facts = {
        {1, Fact::present_before}, {0, Fact::absent_before}, {1, Fact::deleted}, {2, Fact::absent_before},
        {0, Fact::created},        {2, Fact::created},       {0, Fact::deleted}, {1, Fact::created},
    };
    // All submitted before any completes: the order must hold within a batch too.
    std::vector<std::optional<error_code>> results(facts.size());
    for (std::size_t i = 0; i < facts.size(); ++i)
        log.async_record(saga, facts[i].first, facts[i].second, into(results[i]));
    ASSERT_TRUE(run_until([&] { return all_set(results); }));
    for (const auto& result : results) EXPECT_FALSE(*result);
    EXPECT_EQ(find(log, saga)->facts, (std::vector<std::vector<Fact>>{
                                          {Fact::absent_before, Fact::created, Fact::deleted},
                                          {Fact::present_before, Fact::deleted, Fact::created},
                                          {Fact::absent_before, Fact::created},
                                      }));
}

TEST_F(SqliteSagaLogTest, RejectsAWriteForNoOpenSagaAloneWithoutFailingItsBatch) {
    SqliteSagaLog log(options());
    const SagaId saga = started(log, "g");
    const auto invalid = make_error_code(boost::system::errc::invalid_argument);

    std::optional<error_code> good, unknown_saga, unknown_host;
    log.async_record(saga, 0, Fact::absent_before, into(good));
    log.async_record(saga + 99, 0, Fact::absent_before, into(unknown_saga));
    log.async_record(saga, 3, Fact::absent_before, into(unknown_host));
    ASSERT_TRUE(run_until([&] { return good && unknown_saga && unknown_host; }));
    EXPECT_FALSE(*good);
    EXPECT_EQ(*unknown_saga, invalid);
    EXPECT_EQ(*unknown_host, invalid);

    EXPECT_EQ(set_phase(log, saga + 99, Phase::compensating), invalid);
    EXPECT_EQ(end(log, saga, SagaOutcome::created, {HostState::created}), invalid);  // three hosts, one state
    EXPECT_FALSE(end(log, saga, SagaOutcome::created));
    EXPECT_EQ(record(log, saga, 0, Fact::created), invalid);  // ended
    EXPECT_EQ(set_phase(log, saga, Phase::compensating), invalid);
    EXPECT_EQ(end(log, saga, SagaOutcome::created), invalid);

    const auto found = find(log, saga);
    EXPECT_EQ(found->facts[0], std::vector<Fact>{Fact::absent_before});
    EXPECT_EQ(found->phase, Phase::forward);
}

TEST_F(SqliteSagaLogTest, GroupCommitSharesTransactionsAmongConcurrentWrites) {
    SqliteLogOptions durable = options();
    durable.durability = Durability::machine;
    SqliteSagaLog log(durable);
    const SagaId saga = started(log, "g");
    const auto commits_before = log.commits();

    constexpr std::size_t writes = 1000;
    std::vector<std::optional<error_code>> results(writes);
    std::set<std::thread::id> handler_threads;
    for (std::size_t i = 0; i < writes; ++i) {
        auto handler = [&results, &handler_threads, i](error_code e) {
            results[i] = e;
            handler_threads.insert(std::this_thread::get_id());
        };
        log.async_record(saga, i % 3, Fact::absent_before, asio::bind_executor(io_, handler));
    }
    ASSERT_TRUE(run_until([&] { return all_set(results); }));
    for (const auto& result : results) ASSERT_FALSE(*result) << result->message();

    const auto transactions = log.commits() - commits_before;
    RecordProperty("transactions_for_1000_writes", static_cast<int>(transactions));
    EXPECT_GE(transactions, 1U);
    EXPECT_LE(transactions, writes / 10) << "group commit did not batch";
    // Handlers ran on the io_context, which only this thread runs.
    EXPECT_EQ(handler_threads, std::set<std::thread::id>{std::this_thread::get_id()});

    const auto found = find(log, saga);
    ASSERT_TRUE(found);
    std::size_t recorded = 0;
    for (const auto& host : found->facts) recorded += host.size();
    EXPECT_EQ(recorded, writes);
}

TEST_F(SqliteSagaLogTest, BatchesNeverExceedMaxBatch) {
    SqliteLogOptions small = options();
    small.max_batch = 10;
    SqliteSagaLog log(small);
    const SagaId saga = started(log, "g");
    const auto commits_before = log.commits();
    std::vector<std::optional<error_code>> results(100);
    for (auto& result : results) log.async_record(saga, 0, Fact::created, into(result));
    ASSERT_TRUE(run_until([&] { return all_set(results); }));
    EXPECT_GE(log.commits() - commits_before, 10U);
}

TEST_F(SqliteSagaLogTest, LiveOtherOwnerMakesTheGroupBusy) {
    SqliteSagaLog log(options());
    const SagaId held = started(log, "g", live_other);
    const auto [error, result] = begin_saga(log, "g", this_process());
    EXPECT_FALSE(error);
    EXPECT_EQ(result.kind, Kind::busy);
    // Another group is free.
    started(log, "h");
    EXPECT_FALSE(adopt(log, held, this_process()));
    EXPECT_EQ(find(log, held)->owner, live_other);
}

TEST_F(SqliteSagaLogTest, DeadOwnersOpenSagaNeedsRecoveryAndCanBeAdopted) {
    SqliteSagaLog log(options());
    const SagaId orphan = started(log, "g", dead_owner());
    auto [error, result] = begin_saga(log, "g", this_process());
    EXPECT_FALSE(error);
    EXPECT_EQ(result.kind, Kind::needs_recovery);
    EXPECT_EQ(result.saga, orphan);

    ASSERT_TRUE(adopt(log, orphan, this_process()));
    EXPECT_EQ(find(log, orphan)->owner, this_process());
    // Being recovered here now, it is running, not left behind.
    std::tie(error, result) = begin_saga(log, "g", this_process());
    EXPECT_EQ(result.kind, Kind::busy);

    EXPECT_FALSE(end(log, orphan, SagaOutcome::rolled_back));
    EXPECT_FALSE(adopt(log, orphan, this_process())) << "an ended saga has nothing to adopt";
    EXPECT_FALSE(adopt(log, orphan + 50, this_process()));
    EXPECT_NE(started(log, "g"), orphan);
}

TEST_F(SqliteSagaLogTest, EndedSagaFreesTheLease) {
    SqliteSagaLog log(options());
    const SagaId first = started(log, "g", live_other);
    EXPECT_FALSE(end(log, first, SagaOutcome::created));
    const SagaId second = started(log, "g");
    EXPECT_GT(second, first);
}

TEST_F(SqliteSagaLogTest, RunningSagaOfThisLogIsBusyAndLeftOpenOneNeedsRecovery) {
    SqliteSagaLog log(options());
    const SagaId saga = started(log, "g");
    EXPECT_EQ(begin_saga(log, "g", this_process()).second.kind, Kind::busy);

    EXPECT_FALSE(set_phase(log, saga, Phase::compensating));
    EXPECT_FALSE(end(log, saga, SagaOutcome::rollback_incomplete,
                     {HostState::rollback_failed, HostState::rolled_back, HostState::already_absent}));
    auto found = find(log, saga);
    EXPECT_TRUE(found->open);
    EXPECT_EQ(found->outcome, SagaOutcome::rollback_incomplete);
    EXPECT_EQ(ids_of(open_sagas(log)), std::vector<SagaId>{saga});

    // Our own process left it open: the caller recovers it before starting anew.
    const auto [error, result] = begin_saga(log, "g", this_process());
    EXPECT_EQ(result.kind, Kind::needs_recovery);
    EXPECT_EQ(result.saga, saga);
    // A live other process waits for us.
    EXPECT_EQ(begin_saga(log, "g", live_other).second.kind, Kind::busy);

    // Recovery records its facts, then ends the saga for good.
    EXPECT_FALSE(record(log, saga, 0, Fact::deleted));
    EXPECT_FALSE(end(log, saga, SagaOutcome::rolled_back,
                     {HostState::rolled_back, HostState::rolled_back, HostState::already_absent}));
    found = find(log, saga);
    EXPECT_FALSE(found->open);
    EXPECT_EQ(found->outcome, SagaOutcome::rolled_back);
    started(log, "g");
}

TEST_F(SqliteSagaLogTest, IncompleteEnsureStaysOpen) {
    SqliteSagaLog log(options());
    const SagaId saga = started(log, "g", this_process(), Operation::ensure);
    EXPECT_FALSE(
        end(log, saga, SagaOutcome::incomplete, {HostState::created, HostState::unknown, HostState::already_present}));
    EXPECT_TRUE(find(log, saga)->open);
    EXPECT_EQ(begin_saga(log, "g", this_process()).second.kind, Kind::needs_recovery);
}

TEST_F(SqliteSagaLogTest, ReopenedFileHasEverything) {
    SagaId open_saga = 0;
    SagaId ended_saga = 0;
    {
        SqliteSagaLog log(options());
        open_saga = started(log, "open");
        ended_saga = started(log, "ended");
        EXPECT_FALSE(record(log, open_saga, 1, Fact::absent_before));
        EXPECT_FALSE(set_phase(log, open_saga, Phase::compensating));
        EXPECT_FALSE(end(log, ended_saga, SagaOutcome::already_exists,
                         {HostState::already_present, HostState::already_present, HostState::already_present}));
    }
    const auto reopened = open_sqlite_saga_log(options());
    const auto open = open_sagas(*reopened);
    ASSERT_EQ(ids_of(open), std::vector<SagaId>{open_saga});
    EXPECT_EQ(open[0].phase, Phase::compensating);
    EXPECT_EQ(open[0].facts[1], std::vector<Fact>{Fact::absent_before});
    EXPECT_EQ(find(*reopened, ended_saga)->outcome, SagaOutcome::already_exists);
    // The lease outlives the log object: a saga this log did not begin needs recovery.
    EXPECT_EQ(begin_saga(*reopened, "open", this_process()).second.kind, Kind::needs_recovery);
    EXPECT_EQ(begin_saga(*reopened, "ended", this_process()).second.kind, Kind::started);
}

TEST_F(SqliteSagaLogTest, ReadsHostStatesWrittenUnderTheirOldNames) {
    // Earlier versions stored the host states already_present and already_absent of ended
    // sagas under the facts' names, present_before and absent_before.
    SagaId saga = 0;
    SagaId garbled = 0;
    {
        SqliteSagaLog log(options());
        saga = started(log, "old");
        garbled = started(log, "garbled");
        EXPECT_FALSE(end(log, saga, SagaOutcome::rolled_back,
                         {HostState::already_present, HostState::already_absent, HostState::rolled_back}));
        EXPECT_FALSE(end(log, garbled, SagaOutcome::rolled_back,
                         {HostState::rolled_back, HostState::rolled_back, HostState::rolled_back}));
    }
    EXPECT_EQ(execute_sql(options().path,
                          "UPDATE sagas SET host_states = "
                          "'[\"present_before\",\"absent_before\",\"rolled_back\"]' "
                          "WHERE id = " +
                              std::to_string(saga)),
              1);
    EXPECT_EQ(execute_sql(options().path,
                          "UPDATE sagas SET host_states = "
                          "'[\"present_after\",\"rolled_back\",\"rolled_back\"]' "
                          "WHERE id = " +
                              std::to_string(garbled)),
              1);

    const auto reopened = open_sqlite_saga_log(options());
    const auto found = find(*reopened, saga);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->host_states,
              (std::vector<HostState>{HostState::already_present, HostState::already_absent, HostState::rolled_back}));
    // Only those two old names are read: any other unknown name is still a damaged row.
    try {
        static_cast<void>(find(*reopened, garbled));
        ADD_FAILURE() << "a host state of no known name was read";
    } catch (const cluster_client::Error& error) {
        EXPECT_NE(std::string(error.what()).find("unknown host state 'present_after'"), std::string::npos)
            << error.what();
    }
}

TEST_F(SqliteSagaLogTest, DestructorCommitsEveryQueuedWriteAndCompletesItsHandler) {
    constexpr std::size_t writes = 300;
    std::vector<std::optional<error_code>> results(writes);
    SagaId saga = 0;
    {
        SqliteSagaLog log(options());
        saga = started(log, "g");
        for (auto& result : results) log.async_record(saga, 2, Fact::absent_before, into(result));
    }
    ASSERT_TRUE(run_until([&] { return all_set(results); }));
    for (const auto& result : results) EXPECT_FALSE(*result);
    SqliteSagaLog reopened(options());
    EXPECT_EQ(find(reopened, saga)->facts[2].size(), writes);
}

TEST_F(SqliteSagaLogTest, TwoLogsOnOneFileWriteConcurrently) {
    SqliteSagaLog first(options());
    SqliteSagaLog second(options());
    constexpr int per_log = 150;
    std::vector<std::optional<std::pair<error_code, BeginResult>>> begun(2 * per_log);
    for (int i = 0; i < per_log; ++i) {
        for (int which = 0; which < 2; ++which) {
            auto& slot = begun[static_cast<std::size_t>(2 * i + which)];
            const std::string group = "group-" + std::to_string(which) + "-" + std::to_string(i);
            (which == 0 ? first : second)
                .async_begin(Operation::create, group, three_hosts, this_process(),
                             asio::bind_executor(io_, [&slot](error_code e, BeginResult r) { slot.emplace(e, r); }));
        }
    }
    ASSERT_TRUE(run_until([&] { return all_set(begun); }));

    std::vector<std::optional<error_code>> recorded(begun.size());
    std::set<SagaId> ids;
    for (std::size_t i = 0; i < begun.size(); ++i) {
        ASSERT_FALSE(begun[i]->first) << begun[i]->first.message();
        ASSERT_EQ(begun[i]->second.kind, Kind::started);
        ids.insert(begun[i]->second.saga);
        (i % 2 == 0 ? first : second)
            .async_record(begun[i]->second.saga, i % 3, Fact::absent_before, into(recorded[i]));
    }
    EXPECT_EQ(ids.size(), begun.size()) << "ids must be unique across both logs";
    ASSERT_TRUE(run_until([&] { return all_set(recorded); }));
    for (const auto& result : recorded) EXPECT_FALSE(*result) << result->message();

    for (SqliteSagaLog* log : {&first, &second}) {
        const auto sagas = open_sagas(*log);
        EXPECT_EQ(sagas.size(), begun.size());
        for (const auto& saga : sagas) {
            std::size_t facts = 0;
            for (const auto& host : saga.facts) facts += host.size();
            EXPECT_EQ(facts, 1U) << saga.id;
        }
    }
    EXPECT_GT(first.commits(), 0U);
    EXPECT_GT(second.commits(), 0U);
}

TEST_F(SqliteSagaLogTest, RefusesRandomBytesAndLeavesThemAlone) {
    std::mt19937 random(42);
    std::string bytes(16384, '\0');
    for (char& byte : bytes) byte = static_cast<char>(random() & 0xffU);
    const fs::path path = options().path;
    write_bytes(path, bytes);

    const std::string message = config_error_of([&] { open_sqlite_saga_log(options()); });
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
    EXPECT_NE(message.find("corrupt or not a saga log"), std::string::npos) << message;
    EXPECT_EQ(read_bytes(path), bytes);
}

TEST_F(SqliteSagaLogTest, RefusesATruncatedLogAndLeavesItAlone) {
    {
        SqliteSagaLog log(options());
        for (int i = 0; i < 20; ++i) started(log, "g" + std::to_string(i));
    }
    const fs::path copy = options("truncated.db").path;
    fs::copy_file(options().path, copy);
    fs::resize_file(copy, fs::file_size(copy) / 2);
    const std::string bytes = read_bytes(copy);

    const std::string message = config_error_of([&] { SqliteSagaLog log(options("truncated.db")); });
    EXPECT_NE(message.find(copy.string()), std::string::npos) << message;
    EXPECT_NE(message.find("corrupt or not a saga log"), std::string::npos) << message;
    EXPECT_EQ(read_bytes(copy), bytes);
}

TEST_F(SqliteSagaLogTest, RefusesALogFromANewerVersion) {
    { SqliteSagaLog log(options()); }
    patch_header(options().path, 60, 3);  // user_version
    const std::string bytes = read_bytes(options().path);
    EXPECT_EQ(
        config_error_of([&] { SqliteSagaLog log(options()); }),
        "saga log " + options().path.string() + " was written by a newer version (schema 3, this program knows 2)");
    EXPECT_EQ(read_bytes(options().path), bytes);
}

TEST_F(SqliteSagaLogTest, RefusesAnotherProgramsDatabase) {
    { SqliteSagaLog log(options()); }
    patch_header(options().path, 68, 0x01020304);  // application_id
    const std::string bytes = read_bytes(options().path);
    const std::string message = config_error_of([&] { SqliteSagaLog log(options()); });
    EXPECT_NE(message.find("corrupt or not a saga log"), std::string::npos) << message;
    EXPECT_EQ(read_bytes(options().path), bytes);
}

TEST_F(SqliteSagaLogTest, RefusesAPathItCannotWrite) {
    write_bytes(dir_ / "plain-file", "not a directory");
    const SqliteLogOptions under_a_file{.path = dir_ / "plain-file" / "sagas.db"};
    const std::string message = config_error_of([&] { SqliteSagaLog log(under_a_file); });
    EXPECT_NE(message.find(under_a_file.path.string()), std::string::npos) << message;
    EXPECT_NE(message.find("cannot be opened for writing"), std::string::npos) << message;
}

TEST_F(SqliteSagaLogTest, RefusesAReadOnlyDirectoryOrFile) {
    if (::geteuid() == 0) GTEST_SKIP() << "permissions do not bind root";
    const fs::path locked = dir_ / "locked";
    fs::create_directory(locked);
    fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
    std::string message = config_error_of([&] { SqliteSagaLog log({.path = locked / "sagas.db"}); });
    EXPECT_NE(message.find((locked / "sagas.db").string()), std::string::npos) << message;

    { SqliteSagaLog log(options()); }
    fs::permissions(options().path, fs::perms::owner_read);
    message = config_error_of([&] { SqliteSagaLog log(options()); });
    EXPECT_NE(message.find(options().path.string()), std::string::npos) << message;
    EXPECT_NE(message.find("cannot be opened for writing"), std::string::npos) << message;
}

TEST_F(SqliteSagaLogTest, RefusesBadOptions) {
    SqliteLogOptions no_batch = options();
    no_batch.max_batch = 0;
    EXPECT_NE(config_error_of([&] { SqliteSagaLog log(no_batch); }), "no ConfigError");
    EXPECT_NE(config_error_of([&] { SqliteSagaLog log(SqliteLogOptions{}); }), "no ConfigError");
}

TEST_F(SqliteSagaLogTest, CommitHookRunsRightAfterEachCommit) {
    const pid_t child = ::fork();
    if (child == 0) {
        // The child opens its own log after fork, with a hook that stops the process at
        // commit 2: commit 1 begins the saga, commit 2 records a fact, a third never happens.
        sqlite::set_commit_hook([](std::uint64_t commits) {
            if (commits == 2) std::_Exit(86);
        });
        try {
            SqliteSagaLog log(options());
            const SagaId saga = started(log, "g");
            static_cast<void>(record(log, saga, 0, Fact::absent_before));
            static_cast<void>(record(log, saga, 0, Fact::created));
        } catch (...) {
            std::_Exit(2);
        }
        std::_Exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 86);

    SqliteSagaLog log(options());
    const auto sagas = open_sagas(log);
    ASSERT_EQ(sagas.size(), 1U);
    EXPECT_EQ(sagas[0].facts[0], std::vector<Fact>{Fact::absent_before});
    EXPECT_EQ(sagas[0].owner.pid, static_cast<std::int64_t>(child));
    // The child is gone: its saga waits for recovery.
    EXPECT_EQ(begin_saga(log, "g", this_process()).second.kind, Kind::needs_recovery);
}

class StateDirTest : public SqliteSagaLogTest {
protected:
    void SetUp() override {
        SqliteSagaLogTest::SetUp();
        for (const char* name : {"XDG_STATE_HOME", "HOME"}) {
            const char* value = std::getenv(name);
            saved_.emplace_back(name, value != nullptr ? std::optional<std::string>(value) : std::nullopt);
        }
    }
    void TearDown() override {
        for (const auto& [name, value] : saved_) {
            if (value) {
                ::setenv(name.c_str(), value->c_str(), 1);
            } else {
                ::unsetenv(name.c_str());
            }
        }
        SqliteSagaLogTest::TearDown();
    }

    std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

TEST_F(StateDirTest, DefaultFollowsXdgStateHomeThenHome) {
    ::setenv("XDG_STATE_HOME", "/xdg/state", 1);
    ::setenv("HOME", "/home/someone", 1);
    EXPECT_EQ(default_state_dir(), fs::path("/xdg/state/cluster-client"));
    ::setenv("XDG_STATE_HOME", "relative/state", 1);  // ignored, as the XDG rules say
    EXPECT_EQ(default_state_dir(), fs::path("/home/someone/.local/state/cluster-client"));
    ::unsetenv("XDG_STATE_HOME");
    EXPECT_EQ(default_state_dir(), fs::path("/home/someone/.local/state/cluster-client"));
    EXPECT_EQ(saga_log_path("/x"), fs::path("/x/sagas.db"));
}

TEST_F(StateDirTest, PrepareCreatesPrivateDirectoriesAndLeavesExistingOnesAlone) {
    const fs::path state = dir_ / "a" / "b" / "cluster-client";
    prepare_state_dir(state);
    for (const fs::path& made : {dir_ / "a", dir_ / "a" / "b", state}) {
        struct stat info {};
        ASSERT_EQ(::stat(made.c_str(), &info), 0) << made;
        EXPECT_EQ(info.st_mode & 0777U, 0700U) << made;
    }
    fs::permissions(dir_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec);
    prepare_state_dir(dir_);
    EXPECT_EQ(fs::status(dir_).permissions() & fs::perms::group_read, fs::perms::group_read);

    SqliteSagaLog log({.path = saga_log_path(state)});
    EXPECT_TRUE(fs::exists(state / "sagas.db"));

    write_bytes(dir_ / "file", "x");
    const std::string message = config_error_of([&] { prepare_state_dir(dir_ / "file" / "state"); });
    EXPECT_NE(message.find((dir_ / "file" / "state").string()), std::string::npos) << message;
    EXPECT_NE(config_error_of([&] { prepare_state_dir(dir_ / "file"); }), "no ConfigError");
}
