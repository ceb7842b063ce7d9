// SPDX-License-Identifier: MIT
// The PostgreSQL saga log on a real server: round trips, one saga per group across
// coordinators, leases, takeover and fencing, the server going away and coming back, the
// schema's version, and every way a URL can be unusable.
#include "log/postgres/postgres_saga_log.hpp"
#include "log/postgres/writer.hpp"
#include "log/saga_log_url.hpp"
#include "saga/owner.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <future>
#include <tuple>

#include <gtest/gtest.h>

#include <cluster_client/errors.hpp>

#include "dead_port.hpp"
#include "hostile_server.hpp"
#include "postgres_server.hpp"

namespace {

namespace asio = boost::asio;
using namespace cluster_client::log;
using namespace cluster_client::saga;
using namespace std::chrono_literals;
using boost::system::error_code;
using cluster_client::ConfigError;
using cluster_client::HostState;
using cluster_client::Operation;
using cluster_client::SagaLogUnavailable;
using cluster_client::SagaOutcome;
using Kind = BeginResult::Kind;
using cluster_client::log::postgres::LogErrc;

// A handler that fulfils a promise with its arguments; it runs wherever the log posts it.
template <class... Values>
class Promised {
public:
    auto handler() {
        return [promise = promise_](Values... values) { promise->set_value({std::move(values)...}); };
    }
    std::tuple<Values...> get() { return future_.get(); }

private:
    std::shared_ptr<std::promise<std::tuple<Values...>>> promise_ =
        std::make_shared<std::promise<std::tuple<Values...>>>();
    std::future<std::tuple<Values...>> future_ = promise_->get_future();
};

const std::vector<std::string> three_hosts = {"http://a:1", "http://b:2", "http://c:3"};

class PostgresSagaLogTest : public testing::Test {
protected:
    static void SetUpTestSuite() { server_ = new cluster_client::testing::PostgresServer(); }
    static void TearDownTestSuite() {
        delete server_;
        server_ = nullptr;
    }

    void SetUp() override {
        thread_ = std::thread([this] { io_.run(); });
        // A schema per test: the tests share one server and never see each other's sagas.
        std::string name = testing::UnitTest::GetInstance()->current_test_info()->name();
        schema_ = "t_";
        for (const char c : name) schema_ += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    void TearDown() override {
        work_.reset();
        thread_.join();
    }

    PostgresLogOptions options(std::chrono::milliseconds ttl = 10s) const {
        return {.url = server_->url(), .schema = schema_, .lease_ttl = ttl};
    }
    std::unique_ptr<PostgresSagaLog> open(std::chrono::milliseconds ttl = 10s) const {
        return std::make_unique<PostgresSagaLog>(options(ttl));
    }

    static std::pair<error_code, BeginResult> begin(SagaLog& log, const std::string& group) {
        Promised<error_code, BeginResult> begun;
        log.async_begin(Operation::create, group, three_hosts, this_process(), begun.handler());
        auto [error, result] = begun.get();
        return {error, result};
    }
    static SagaId started(SagaLog& log, const std::string& group) {
        const auto [error, result] = begin(log, group);
        EXPECT_FALSE(error) << error.message();
        EXPECT_EQ(result.kind, Kind::started) << group;
        return result.saga;
    }
    static error_code record(SagaLog& log, SagaId saga, std::size_t host, Fact fact) {
        Promised<error_code> written;
        log.async_record(saga, host, fact, written.handler());
        return std::get<0>(written.get());
    }
    static error_code end(SagaLog& log, SagaId saga, SagaOutcome outcome) {
        const std::vector<HostState> states(3, HostState::present);
        Promised<error_code> written;
        log.async_end(saga, outcome, states, written.handler());
        return std::get<0>(written.get());
    }
    static std::optional<SagaRecord> find(SagaLog& log, SagaId saga) {
        return log.async_find(saga, asio::use_future).get();
    }
    static bool adopt(SagaLog& log, SagaId saga) {
        return log.async_adopt(saga, this_process(), asio::use_future).get();
    }

    // Ends the lease that holds `saga` now, by the database's clock: what a coordinator
    // paused past its lease looks like to the others.
    void expire_lease_of(SagaId saga) const {
        server_->sql("UPDATE " + schema_ +
                     ".leases SET expires_at = now() - interval '1s' WHERE id = (SELECT lease FROM " + schema_ +
                     ".sagas WHERE id = " + std::to_string(saga) + ")");
    }

    static cluster_client::testing::PostgresServer* server_;
    std::string schema_;
    asio::io_context io_;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{io_.get_executor()};
    std::thread thread_;
};

cluster_client::testing::PostgresServer* PostgresSagaLogTest::server_ = nullptr;

TEST_F(PostgresSagaLogTest, RecordsASagaAndReadsItBack) {
    const auto log = open();
    const SagaId saga = started(*log, "g1");
    EXPECT_FALSE(record(*log, saga, 0, Fact::absent_before));
    EXPECT_FALSE(record(*log, saga, 0, Fact::created));
    EXPECT_FALSE(record(*log, saga, 2, Fact::present_before));
    EXPECT_EQ(record(*log, saga, 3, Fact::created), boost::system::errc::invalid_argument) << "no host 3";
    Promised<error_code> phase;
    log->async_set_phase(saga, Phase::compensating, phase.handler());
    EXPECT_FALSE(std::get<0>(phase.get()));

    auto found = find(*log, saga);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->group, "g1");
    EXPECT_EQ(found->hosts, three_hosts);
    EXPECT_TRUE(found->open);
    EXPECT_FALSE(found->held_elsewhere) << "our own saga";
    EXPECT_EQ(found->phase, Phase::compensating);
    EXPECT_EQ(found->facts[0], (std::vector<Fact>{Fact::absent_before, Fact::created}));
    EXPECT_EQ(found->facts[2], (std::vector<Fact>{Fact::present_before}));
    EXPECT_EQ(found->owner.pid, this_process().pid);
    EXPECT_EQ(log->async_open_sagas(asio::use_future).get().size(), 1u);

    EXPECT_FALSE(end(*log, saga, SagaOutcome::created));
    found = find(*log, saga);
    EXPECT_FALSE(found->open);
    EXPECT_EQ(found->outcome, SagaOutcome::created);
    EXPECT_EQ(found->host_states, std::vector<HostState>(3, HostState::present));
    EXPECT_TRUE(log->async_open_sagas(asio::use_future).get().empty());
    EXPECT_EQ(log->async_recent_sagas(5, asio::use_future).get().size(), 1u);
    EXPECT_EQ(record(*log, saga, 0, Fact::created), boost::system::errc::invalid_argument) << "an ended saga";
    EXPECT_EQ(server_->sql("SELECT value FROM " + schema_ + ".meta WHERE key = 'schema_version'"), "1");
}

TEST_F(PostgresSagaLogTest, ConcurrentWritesShareTransactions) {
    const auto log = open();
    std::vector<SagaId> sagas;
    for (int i = 0; i < 20; ++i) sagas.push_back(started(*log, "g" + std::to_string(i)));
    const auto before = log->commits();
    std::vector<Promised<error_code>> writes(sagas.size() * 3);
    for (std::size_t i = 0; i < sagas.size(); ++i) {
        for (std::size_t host = 0; host < 3; ++host) {
            log->async_record(sagas[i], host, Fact::created, writes[i * 3 + host].handler());
        }
    }
    for (auto& write : writes) EXPECT_FALSE(std::get<0>(write.get()));
    EXPECT_LT(log->commits() - before, 60u) << "60 writes, each in a transaction of its own";
    for (const SagaId saga : sagas) EXPECT_EQ(find(*log, saga)->facts[1], std::vector<Fact>{Fact::created});
}

// A transaction waits for more writes only while a saga it runs may still write.
TEST_F(PostgresSagaLogTest, ABatchWaitsUntilEverySagaRunningHasAWriteQueued) {
    auto slow = options();
    slow.commit_window = 2s;
    PostgresSagaLog log(slow);
    const SagaId first = started(log, "first");
    const SagaId second = started(log, "second");
    // Sends facts for (saga, host) at once; returns how long they took to be durable.
    const auto record_together = [&log](const std::vector<std::pair<SagaId, std::size_t>>& writes) {
        const auto sent = std::chrono::steady_clock::now();
        std::vector<Promised<error_code>> written(writes.size());
        for (std::size_t i = 0; i < writes.size(); ++i) {
            log.async_record(writes[i].first, writes[i].second, Fact::absent_before, written[i].handler());
        }
        for (auto& write : written) EXPECT_FALSE(std::get<0>(write.get()));
        return std::chrono::steady_clock::now() - sent;
    };

    EXPECT_LT(record_together({{first, 0}, {second, 0}}), 1s) << "both sagas wait for it: nothing more can come";
    // Two writes, both of the first saga, as its steps on two nodes make them.
    EXPECT_GE(record_together({{first, 1}, {first, 2}}), 1500ms) << "the second saga might have written too";
}

// Coordinators share the server's commits: each waits longer to fill its transactions the
// more of them hold a live lease, up to four times the commit window.
TEST_F(PostgresSagaLogTest, TheCommitWindowGrowsWithTheCoordinatorsSharingTheLog) {
    const auto learned = [](const PostgresSagaLog& log, std::chrono::microseconds window) {
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (log.commit_window() != window && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(20ms);
        }
        return log.commit_window() == window;
    };
    const auto first = open(600ms);  // renewed every 200 ms
    EXPECT_EQ(first->commit_window(), 3ms);
    auto second = open(600ms);
    EXPECT_EQ(second->commit_window(), 6ms) << "it counts the first as it takes its lease";
    EXPECT_TRUE(learned(*first, 6ms)) << "the first counts the second at a renewal";

    std::vector<std::unique_ptr<PostgresSagaLog>> more;
    for (int i = 0; i < 4; ++i) more.push_back(open(600ms));
    EXPECT_EQ(more.back()->commit_window(), 12ms) << "six coordinators, and at most four times the window";
    EXPECT_TRUE(learned(*first, 12ms));

    more.clear();
    second.reset();
    EXPECT_TRUE(learned(*first, 3ms)) << "alone again once the others gave their leases up";
}

TEST_F(PostgresSagaLogTest, OneSagaPerGroupAcrossCoordinators) {
    const auto first = open();
    const auto second = open();
    const SagaId saga = started(*first, "shared");
    EXPECT_EQ(begin(*second, "shared").second.kind, Kind::busy) << "a live coordinator holds it";
    EXPECT_EQ(begin(*first, "shared").second.kind, Kind::busy) << "it runs here";
    auto listed = second->async_open_sagas(asio::use_future).get();
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_TRUE(listed[0].held_elsewhere);
    EXPECT_FALSE(adopt(*second, saga)) << "the first coordinator's lease is live";

    EXPECT_FALSE(end(*first, saga, SagaOutcome::created));
    const auto [error, result] = begin(*second, "shared");
    EXPECT_FALSE(error);
    EXPECT_EQ(result.kind, Kind::started) << "an ended saga frees its group";
}

TEST_F(PostgresSagaLogTest, ASagaLeftOpenNeedsRecoveryAndIsAdopted) {
    const auto log = open();
    const SagaId saga = started(*log, "left");
    EXPECT_FALSE(end(*log, saga, SagaOutcome::rollback_incomplete));
    EXPECT_TRUE(find(*log, saga)->open);
    const auto [error, result] = begin(*log, "left");
    EXPECT_EQ(result.kind, Kind::needs_recovery);
    EXPECT_EQ(result.saga, saga);
    EXPECT_TRUE(adopt(*log, saga));
    EXPECT_FALSE(end(*log, saga, SagaOutcome::rolled_back));
    EXPECT_FALSE(find(*log, saga)->open);
}

// A coordinator paused past its lease: another takes its saga over, and from then on the
// first can neither write for it nor send a node request for it.
TEST_F(PostgresSagaLogTest, AnExpiredCoordinatorIsFencedOnceAnotherTakesOver) {
    const auto paused = open();
    const auto other = open();
    const SagaId saga = started(*paused, "fenced");
    EXPECT_FALSE(record(*paused, saga, 0, Fact::absent_before));
    EXPECT_TRUE(paused->may_send(saga, std::chrono::steady_clock::now() + 1s));
    EXPECT_FALSE(paused->may_send(saga + 1000, std::chrono::steady_clock::now() + 1s)) << "not its saga";
    EXPECT_FALSE(paused->may_send(saga, std::chrono::steady_clock::now() + 10s)) << "past its lease";

    expire_lease_of(saga);
    auto [error, result] = begin(*other, "fenced");
    EXPECT_FALSE(error) << error.message();
    EXPECT_EQ(result.kind, Kind::needs_recovery) << "the holder's lease has expired";
    const auto listed = other->async_open_sagas(asio::use_future).get();
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_FALSE(listed[0].held_elsewhere);
    ASSERT_TRUE(adopt(*other, saga));
    EXPECT_EQ(find(*other, saga)->facts[0], std::vector<Fact>{Fact::absent_before}) << "the facts came along";

    const auto refused = record(*paused, saga, 1, Fact::created);
    EXPECT_TRUE(refused == LogErrc::lease_expired || refused == boost::system::errc::invalid_argument)
        << refused.message();
    EXPECT_FALSE(paused->may_send(saga, std::chrono::steady_clock::now() + 1ms));
    EXPECT_TRUE(find(*other, saga)->facts[1].empty()) << "the stale write changed nothing";
    // The new owner finishes it; the fenced coordinator goes on with a new lease.
    EXPECT_FALSE(record(*other, saga, 1, Fact::created));
    EXPECT_FALSE(end(*other, saga, SagaOutcome::created));
    EXPECT_EQ(begin(*paused, "after").second.kind, Kind::started);
}

// A batch of the old owner that passed its lease check just before the lease expired is
// still in flight: the takeover must wait for it, or the new owner would read the facts
// before that batch's writes land.
TEST_F(PostgresSagaLogTest, ATakeoverWaitsForTheOldOwnersBatchInFlight) {
    const auto paused = open();
    const auto other = open();
    const SagaId saga = started(*paused, "in-flight");
    const std::string lease =
        server_->sql("SELECT lease FROM " + schema_ + ".sagas WHERE id = " + std::to_string(saga));
    cluster_client::log::postgres::Connection batch(server_->url());
    batch.exec("BEGIN");
    batch.query("SELECT " + schema_ + ".hold_lease($1)", {lease.c_str()});
    expire_lease_of(saga);

    auto adopted = std::async(std::launch::async, [&] { return adopt(*other, saga); });
    EXPECT_EQ(adopted.wait_for(500ms), std::future_status::timeout) << "the takeover did not wait for the batch";
    batch.query("INSERT INTO " + schema_ + ".facts (saga, host, fact) VALUES ($1, 2, 'created')",
                {std::to_string(saga).c_str()});
    batch.exec("COMMIT");
    ASSERT_TRUE(adopted.get());
    EXPECT_EQ(find(*other, saga)->facts[2], std::vector<Fact>{Fact::created}) << "the new owner reads the last batch";
}

TEST_F(PostgresSagaLogTest, TheServerGoingAwayPausesWritesUntilItIsBack) {
    const auto log = open();
    const SagaId saga = started(*log, "paused");
    server_->down();
    EXPECT_EQ(record(*log, saga, 0, Fact::created), LogErrc::unreachable);
    EXPECT_THROW(log->async_open_sagas(asio::use_future).get(), cluster_client::Error);
    server_->up();
    EXPECT_FALSE(record(*log, saga, 0, Fact::created)) << "reconnected, and the lease is still live";
    EXPECT_EQ(find(*log, saga)->facts[0], std::vector<Fact>{Fact::created}) << "the failed write was not kept";
    EXPECT_FALSE(end(*log, saga, SagaOutcome::created));
}

TEST_F(PostgresSagaLogTest, ClosingGivesTheLeaseUp) {
    SagaId saga = 0;
    {
        const auto log = open();
        saga = started(*log, "handed");
    }
    const auto other = open();
    EXPECT_EQ(begin(*other, "handed").second.kind, Kind::needs_recovery) << "no need to wait out the lease";
    EXPECT_TRUE(adopt(*other, saga));
}

TEST_F(PostgresSagaLogTest, ASchemaOfANewerVersionIsRefused) {
    { open(); }
    server_->sql("UPDATE " + schema_ + ".meta SET value = '99' WHERE key = 'schema_version'");
    try {
        open();
        ADD_FAILURE() << "a newer schema was used";
    } catch (const SagaLogUnavailable& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find("newer version"), std::string::npos) << message;
        EXPECT_NE(message.find(server_->url()), std::string::npos) << message;
    }
    EXPECT_EQ(server_->sql("SELECT value FROM " + schema_ + ".meta WHERE key = 'schema_version'"), "99");
}

// What open_saga_log says for each unusable URL: the URL named, its password never.
std::string unavailable(const std::string& url) {
    try {
        cluster_client::SagaLogOptions options;
        options.url = url;
        open_saga_log(options, cluster_client::RetryOptions{}, cluster_client::default_logger());
    } catch (const SagaLogUnavailable& error) {
        return error.what();
    }
    return "no SagaLogUnavailable";
}

TEST_F(PostgresSagaLogTest, UnusableServersAreRefusedNamingTheUrl) {
    const auto port = std::to_string(server_->port());
    const std::string secret = "s3cret-word";
    struct Case {
        std::string url;
        std::string says;
    };
    const auto dead = cluster_client::testing::dead_node_url();
    const auto dead_port = dead.substr(dead.rfind(':') + 1);
    // An HTTP server, as a mistyped port finds one: it answers before it is asked.
    cluster_client::testing::HostileServer http([](cluster_client::testing::HostileConnection& connection) {
        connection.send("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    });
    const auto http_port = http.url().substr(http.url().rfind(':') + 1);
    const std::vector<Case> cases{
        {"postgresql://postgres@127.0.0.1:" + dead_port + "/postgres", "refused"},
        {"postgresql://postgres:" + secret + "@127.0.0.1:" + port + "/postgres", "password authentication failed"},
        {"postgresql://postgres@127.0.0.1:" + port + "/postgres?password=" + secret, "password authentication failed"},
        {"postgresql://postgres@127.0.0.1:" + port + "/no_such_database", "does not exist"},
        {"postgresql://postgres@127.0.0.1:" + http_port + "/postgres", ""},
    };
    for (const auto& c : cases) {
        const auto message = unavailable(c.url);
        EXPECT_NE(message, "no SagaLogUnavailable") << c.url;
        EXPECT_NE(message.find(c.says), std::string::npos) << message;
        EXPECT_EQ(message.find(secret), std::string::npos) << "the password was shown: " << message;
        EXPECT_NE(message.find("127.0.0.1"), std::string::npos) << "the URL is not named: " << message;
    }
}

TEST_F(PostgresSagaLogTest, MalformedOptionsAreRefusedBeforeAnythingIsSent) {
    auto refusal = [](const std::string& url, const std::string& schema = "cluster_client",
                      std::chrono::milliseconds ttl = 10s) {
        cluster_client::SagaLogOptions options;
        options.url = url;
        options.schema = schema;
        options.lease_ttl = ttl;
        try {
            check_saga_log_options(options, cluster_client::RetryOptions{});
        } catch (const ConfigError& error) {
            return std::string(error.what());
        }
        return std::string("accepted");
    };
    for (const std::string url : {"postgresql://u:pw@[::1/db", "postgresql://u:pw@host/db?no_such_parameter=1"}) {
        const auto message = refusal(url);
        EXPECT_NE(message.find("saga_log postgresql://u:***@"), std::string::npos) << message;
        EXPECT_EQ(message.find("pw"), std::string::npos) << message;
    }
    EXPECT_NE(refusal("mysql://host/db").find("postgresql://"), std::string::npos);
    EXPECT_NE(refusal("sqlite://relative.db").find("three slashes"), std::string::npos);
    EXPECT_NE(refusal("", "Bad-Name").find("schema"), std::string::npos);
    EXPECT_NE(refusal("postgresql://h/db", "cluster_client", 1s).find("lease_ttl"), std::string::npos);
    EXPECT_EQ(refusal("", "cluster_client", 1s), "accepted") << "the lease binds only a shared log";
    EXPECT_EQ(refusal("sqlite:///var/lib/x/sagas.db", "cluster_client", 1s), "accepted");
    EXPECT_EQ(refusal("postgresql://postgres@127.0.0.1:5432/db?sslmode=disable"), "accepted");
    EXPECT_EQ(refusal("sqlite:///var/lib/x/sagas.db"), "accepted");
}

// Pruning deletes the oldest closed sagas first, with their facts, and never an open one.
TEST_F(PostgresSagaLogTest, PruneDeletesOnlyTheSagasThatEndedBeforeTheCutOff) {
    const auto log = open();
    const SagaId first = started(*log, "first");
    ASSERT_FALSE(record(*log, first, 0, Fact::absent_before));
    ASSERT_FALSE(end(*log, first, SagaOutcome::created));
    const SagaId second = started(*log, "second");
    ASSERT_FALSE(end(*log, second, SagaOutcome::rolled_back));
    const SagaId left_open = started(*log, "left-open");
    ASSERT_FALSE(record(*log, left_open, 1, Fact::created));
    ASSERT_FALSE(end(*log, left_open, SagaOutcome::rollback_incomplete));

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
    ASSERT_TRUE(find(*log, left_open));
    EXPECT_EQ(find(*log, left_open)->facts.at(1), std::vector<Fact>{Fact::created});
    EXPECT_EQ(server_->sql("SELECT count(*) FROM " + schema_ + ".facts"), "1") << "the facts went with their saga";
}

}  // namespace
