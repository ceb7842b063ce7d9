// SPDX-License-Identifier: MIT
// Coordinators sharing one saga log on a real PostgreSQL server, as users run them: several
// cluster-client processes against faulty nodes, one killed, one paused past its lease,
// the database restarted and stopped for longer than a lease. The invariants are checked on
// the nodes' real state and the log's rows.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "client_program.hpp"
#include "hooked_node.hpp"
#include "local_cluster.hpp"
#include "postgres_server.hpp"
#include "program.hpp"
#include "time_scale.hpp"

namespace cluster_client {
namespace {

using namespace std::chrono_literals;
using testing::cli;
using testing::ProgramOptions;
using testing::ProgramResult;

std::vector<std::string> ids(const std::string& prefix, int count) {
    std::vector<std::string> out;
    for (int i = 0; i < count; ++i) out.push_back(prefix + std::to_string(i));
    return out;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) lines.push_back(line);
    }
    return lines;
}

class FleetTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { server_ = new testing::PostgresServer(); }
    static void TearDownTestSuite() {
        delete server_;
        server_ = nullptr;
    }

    // cluster-client on the shared log, with short timeouts and a short lease, so that a
    // takeover happens within seconds.
    ProgramResult client(const std::string& hosts, std::vector<std::string> args, ProgramOptions options = {}) const {
        std::vector<std::string> all{"--hosts",           hosts,  "--saga-log",          server_->url(),
                                     "--output",          "json", "--attempt-timeout",   "300ms",
                                     "--deadline",        "2s",   "--saga-deadline",     "4s",
                                     "--lease-ttl",       "3s",   "--recovery-interval", "500ms",
                                     "--initial-backoff", "5ms",  "--max-backoff",       "50ms"};
        all.insert(all.end(), args.begin(), args.end());
        if (options.timeout == std::chrono::milliseconds(60s)) options.timeout = testing::scaled(120s);
        return cli(all, std::move(options));
    }

    // A batch creating `count` groups named prefix0, prefix1, ..., run in the background.
    std::future<ProgramResult> create_batch(const std::string& hosts, const std::string& prefix, int count,
                                            int concurrency, ProgramOptions options = {}) const {
        std::vector<std::string> command{"create", "--concurrency", std::to_string(concurrency)};
        const auto more = ids(prefix, count);
        command.insert(command.end(), more.begin(), more.end());
        return std::async(std::launch::async,
                          [this, hosts, command, options] { return client(hosts, command, options); });
    }

    static std::string sql(const std::string& statement) { return server_->sql(statement); }
    static int open_sagas(const std::string& group_pattern) {
        return std::stoi(
            sql("SELECT count(*) FROM cluster_client.sagas WHERE is_open AND group_id LIKE '" + group_pattern + "'"));
    }

    // I1 at rest, on the nodes' real state: every group on all nodes or on none.
    static std::vector<std::string> partial_groups(const testing::LocalCluster& cluster) {
        std::map<std::string, int> nodes_with;
        for (int node = 0; node < cluster.size(); ++node) {
            for (const auto& group : cluster.groups(node)) ++nodes_with[group];
        }
        std::vector<std::string> partial;
        for (const auto& [group, count] : nodes_with) {
            if (count != cluster.size()) partial.push_back(group);
        }
        return partial;
    }

    static std::set<std::string> open_groups(const std::string& group_pattern) {
        const auto groups = lines_of(
            sql("SELECT group_id FROM cluster_client.sagas WHERE is_open AND group_id LIKE '" + group_pattern + "'"));
        return {groups.begin(), groups.end()};
    }

    // Stops the coordinator `pid` (SIGSTOP) once `done` of its sagas on groups like
    // `group_pattern` have closed, at a moment when some are open, and returns their groups.
    // A transaction it had already sent ends on the server before they are read. A stop that
    // finds none open (its sagas can all be waiting for their first write at once, between
    // one round of sagas and the next) is undone (SIGCONT) and tried again.
    static std::set<std::string> stop_with_sagas_open(const std::atomic<int>& pid, const std::string& group_pattern,
                                                      int done) {
        const auto under_way = [&] {
            try {
                return pid != 0 && open_sagas(group_pattern) > 0 &&
                       std::stoi(sql("SELECT count(*) FROM cluster_client.sagas WHERE NOT is_open AND group_id LIKE '" +
                                     group_pattern + "'")) >= done;
            } catch (const std::runtime_error&) {
                return false;  // the schema is there once the coordinator has started
            }
        };
        const auto deadline = std::chrono::steady_clock::now() + testing::scaled(20s);
        while (std::chrono::steady_clock::now() < deadline) {
            if (!under_way()) {
                std::this_thread::sleep_for(20ms);
                continue;
            }
            if (::kill(pid, SIGSTOP) != 0) break;
            std::this_thread::sleep_for(200ms);
            auto open = open_groups(group_pattern);
            if (!open.empty()) return open;
            ::kill(pid, SIGCONT);
        }
        ADD_FAILURE() << "no moment with " << done << " sagas closed and some open";
        return {};
    }

    // Recovers until the log holds no open saga (the nodes answer by then; a lease left by a
    // coordinator that could not give it up expires within 3 s).
    void recover_all(const std::string& hosts) const {
        for (int round = 0; round < 10 && open_sagas("%") > 0; ++round) {
            client(hosts, {"recover"});
            if (open_sagas("%") > 0) std::this_thread::sleep_for(500ms);
        }
        EXPECT_EQ(open_sagas("%"), 0) << sql("SELECT id, group_id, outcome FROM cluster_client.sagas WHERE is_open");
    }

    static testing::PostgresServer* server_;
};

testing::PostgresServer* FleetTest::server_ = nullptr;

std::string joined(const testing::LocalCluster& cluster) {
    return testing::host_list(cluster.urls());
}

// Three coordinators at once: two create the same groups a third deletes, each also has
// groups of its own, and some groups were there before (another writer's). Faults on every
// node. At rest every group is whole or absent (I1), every report matches the nodes (I2),
// the other writer's groups are untouched (I3), and the log never held two open sagas on
// one group at a time (I5).
TEST_F(FleetTest, ThreeCoordinatorsKeepEveryGroupWholeOnFaultyNodes) {
    reference_node::NodeClusterOptions options;
    options.nodes = 5;
    options.faults.p_500_before = 0.02;
    options.faults.p_500_after = 0.02;
    options.faults.p_reset = 0.02;
    options.faults.p_hang_after = 0.005;
    options.faults.latency = 1ms;
    options.faults.seed = 7;
    testing::LocalCluster cluster(options);
    const auto hosts = joined(cluster);
    const auto foreign = ids("foreign-", 10);
    for (int node = 0; node < 5; ++node) {
        for (const auto& group : foreign) cluster.put(node, group);
    }
    auto batch = [&](std::vector<std::string> command) {
        return std::async(std::launch::async, [this, hosts, command] { return client(hosts, command); });
    };
    auto with = [](std::vector<std::string> command, const std::vector<std::string>& more) {
        command.insert(command.end(), more.begin(), more.end());
        return command;
    };
    const auto shared = ids("shared-", 40);
    auto first = batch(with(with(with({"create", "--concurrency", "8"}, ids("one-", 80)), shared), foreign));
    auto second = batch(with(with({"ensure", "--concurrency", "8"}, shared), ids("two-", 80)));
    auto third = batch(with(with({"delete", "--concurrency", "8"}, shared), ids("three-", 20)));
    std::vector<ProgramResult> results{first.get(), second.get(), third.get()};
    for (const auto& result : results) {
        EXPECT_TRUE(result.exit_status == 0 || result.exit_status == 1 || result.exit_status == 3)
            << result.exit_status << result.err;
    }
    cluster.set_faults({});
    recover_all(hosts);

    EXPECT_EQ(partial_groups(cluster), std::vector<std::string>{});
    for (const auto& group : foreign) EXPECT_EQ(cluster.nodes_with(group).size(), 5u) << "I3: " << group;
    // I2: a coordinator's own groups are as its report said (a saga left open was finished
    // by recover, which the listing shows).
    int reported = 0;
    for (const auto& line : lines_of(results[0].out)) {
        const auto saga = boost::json::parse(line).as_object();
        const std::string group(saga.at("group").as_string());
        const std::string outcome(saga.at("outcome").as_string());
        if (!group.starts_with("one-")) continue;
        ++reported;
        if (outcome == "created") {
            EXPECT_EQ(cluster.nodes_with(group).size(), 5u) << group;
        } else if (outcome == "rolled_back" || outcome == "failed") {
            EXPECT_TRUE(cluster.nodes_with(group).empty()) << group;
        }
    }
    EXPECT_EQ(reported, 80) << results[0].err;
    // I5 in the log: no saga began on a group before the one before it had closed.
    EXPECT_EQ(sql("SELECT count(*) FROM cluster_client.sagas a JOIN cluster_client.sagas b "
                  "ON a.group_id = b.group_id AND a.id < b.id WHERE b.started_at < a.updated_at"),
              "0");
    EXPECT_GT(std::stoi(sql("SELECT count(*) FROM cluster_client.sagas WHERE group_id LIKE 'shared-%'")), 80)
        << "the shared groups saw sagas from several coordinators";
    EXPECT_GT(std::stoi(sql("SELECT count(DISTINCT lease) FROM cluster_client.sagas")), 2);
}

// kill -9 of one coordinator mid-batch: the others, still running, take its open sagas over
// once its lease has expired, within the lease plus the recovery interval (and the time the
// sagas take), and no group is left partial.
TEST_F(FleetTest, AKilledCoordinatorsSagasAreTakenOverByTheOthers) {
    reference_node::NodeClusterOptions options;
    options.nodes = 3;
    options.faults.latency = 20ms;
    testing::LocalCluster cluster(options);
    const auto hosts = joined(cluster);
    auto b = create_batch(hosts, "b-", 400, 2);
    auto c = create_batch(hosts, "c-", 400, 2);
    // Killed mid-batch: once it has finished 20 sagas, with more under way.
    std::atomic<int> pid{0};
    ProgramOptions killed;
    killed.started_pid = &pid;
    auto a = create_batch(hosts, "a-", 2000, 16, killed);
    const int left = static_cast<int>(stop_with_sagas_open(pid, "a-%", 20).size());
    ASSERT_GT(left, 0) << "nothing to take over";
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    const auto result = a.get();
    ASSERT_EQ(result.exit_status, 137) << result.err;
    const auto killed_at = std::chrono::steady_clock::now();
    while (open_sagas("a-%") > 0 && std::chrono::steady_clock::now() - killed_at < testing::scaled(20s)) {
        std::this_thread::sleep_for(100ms);
    }
    const auto took = std::chrono::steady_clock::now() - killed_at;
    EXPECT_EQ(open_sagas("a-%"), 0);
    // The lease (3 s) and the recovery interval (0.5 s), plus the sagas' own time.
    EXPECT_LT(took, testing::scaled(std::chrono::milliseconds(6500))) << left << " sagas";
    const auto rb = b.get();
    const auto rc = c.get();
    EXPECT_EQ(rb.exit_status, 0) << rb.err;
    EXPECT_EQ(rc.exit_status, 0) << rc.err;
    EXPECT_TRUE(rb.err.find("took over saga") != std::string::npos ||
                rc.err.find("took over saga") != std::string::npos)
        << "neither survivor said it took a saga over:\n"
        << rb.err << rc.err;
    EXPECT_EQ(open_sagas("%"), 0);
    EXPECT_EQ(partial_groups(cluster), std::vector<std::string>{});
}

// SIGSTOP a coordinator past its lease; another takes its sagas over; SIGCONT: it sends no
// further request for them (the node's request log), its writes for them are refused, and
// it says so.
TEST_F(FleetTest, APausedCoordinatorIsFencedAfterItsLease) {
    reference_node::NodeClusterOptions options;
    options.nodes = 2;
    options.faults.latency = 30ms;
    testing::LocalCluster cluster(options);
    testing::HookedNode watched;
    const auto hosts = joined(cluster) + "," + watched.url();

    std::atomic<int> pid{0};
    ProgramOptions paused;
    paused.started_pid = &pid;
    auto a = create_batch(hosts, "p-", 600, 8, paused);
    const auto lost = stop_with_sagas_open(pid, "p-%", 8);
    ASSERT_FALSE(lost.empty()) << "no saga was open when it stopped";
    std::this_thread::sleep_for(3500ms);  // past the 3 s lease

    const auto taken = client(hosts, {"recover"});
    EXPECT_EQ(taken.exit_status, 0) << taken.err;
    EXPECT_EQ(lines_of(taken.out).size(), lost.size()) << taken.out;
    const auto seen = watched.requests().size();
    ASSERT_EQ(::kill(pid, SIGCONT), 0);
    const auto result = a.get();

    EXPECT_EQ(result.exit_status, 3) << result.err;
    EXPECT_NE(result.err.find("lease"), std::string::npos) << result.err;
    const auto requests = watched.requests();
    for (std::size_t i = seen; i < requests.size(); ++i) {
        EXPECT_FALSE(lost.contains(requests[i].group)) << "request for lost saga " << requests[i].group;
    }
    recover_all(hosts);
    std::map<std::string, int> on;
    for (const auto& group : cluster.groups(0)) ++on[group];
    for (const auto& group : cluster.groups(1)) ++on[group];
    for (const auto& [group, count] : on) {
        EXPECT_EQ(count == 2, watched.has(group)) << "I1: " << group;
        EXPECT_EQ(count, 2) << "I1: " << group;
    }
}

// The database restarted mid-batch, then stopped for longer than the lease: the sagas in
// flight pause (their writes fail, they stay open), the batch stops starting sagas and says
// so (exit 3), and once the database is back every saga is closed, none compensated twice.
TEST_F(FleetTest, TheDatabaseGoingAwayLosesNoSaga) {
    reference_node::NodeClusterOptions options;
    options.nodes = 3;
    options.faults.latency = 10ms;
    testing::LocalCluster cluster(options);
    const auto hosts = joined(cluster);
    for (const auto& [name, down_for] :
         std::vector<std::pair<std::string, std::chrono::milliseconds>>{{"restart-", 0ms}, {"outage-", 4000ms}}) {
        auto a = std::async(std::launch::async, [&, name = name] {
            std::vector<std::string> command{"create", "--concurrency", "8"};
            const auto more = ids(name, 3000);
            command.insert(command.end(), more.begin(), more.end());
            return client(hosts, command);
        });
        std::this_thread::sleep_for(1500ms);
        server_->down();
        std::this_thread::sleep_for(down_for);
        server_->up();
        const auto result = a.get();
        EXPECT_EQ(result.exit_status, 3) << name << result.err;
        EXPECT_NE(result.err.find("saga log"), std::string::npos) << result.err;
        recover_all(hosts);
    }
    EXPECT_EQ(partial_groups(cluster), std::vector<std::string>{});
    // Nothing compensated twice: no host of any saga has two deletions of ours.
    EXPECT_EQ(sql("SELECT count(*) FROM (SELECT saga, host FROM cluster_client.facts WHERE fact = 'deleted' "
                  "GROUP BY saga, host HAVING count(*) > 1) twice"),
              "0");
    EXPECT_GT(std::stoi(sql("SELECT count(*) FROM cluster_client.sagas")), 0);
}

// Bad saga log URLs: a malformed one exits 2 before anything is opened, an unusable one
// exits 3 before anything is sent; each names the URL and never its password. `config`
// hides the password too, and `sagas` lists the shared log.
TEST_F(FleetTest, BadLogUrlsAreRefusedNamingTheUrlButNotThePassword) {
    testing::HookedNode node;
    const std::string secret = "topsecret-word";
    const auto port = std::to_string(server_->port());
    struct Case {
        std::string url;
        int exit_status;
        std::string says;
    };
    const std::vector<Case> cases{
        {"postgresql://u:" + secret + "@[::1/db", 2, "saga_log postgresql://u:***@"},
        {"mysql://u:" + secret + "@127.0.0.1/db", 2, "postgresql://"},
        {"sqlite://relative/sagas.db", 2, "three slashes"},
        {"postgresql://postgres:" + secret + "@127.0.0.1:" + port + "/postgres", 3, "password authentication failed"},
        {"postgresql://postgres@127.0.0.1:" + port + "/no_such_database", 3, "does not exist"},
        {"postgresql://postgres@127.0.0.1:1/postgres", 3, "127.0.0.1"},
    };
    for (const auto& c : cases) {
        const auto result = cli({"--hosts", node.url(), "--saga-log", c.url, "create", "g"});
        EXPECT_EQ(result.exit_status, c.exit_status) << c.url << ": " << result.err;
        EXPECT_NE(result.err.find(c.says), std::string::npos) << result.err;
        EXPECT_EQ(result.err.find(secret), std::string::npos) << "the password was shown: " << result.err;
        EXPECT_TRUE(result.out.empty()) << result.out;
    }
    EXPECT_TRUE(node.requests().empty()) << "a request was sent";

    server_->sql(
        "CREATE SCHEMA newer; CREATE TABLE newer.meta (key text PRIMARY KEY, value text NOT NULL); "
        "INSERT INTO newer.meta VALUES ('schema_version', '99')");
    const auto newer = cli({"--hosts", node.url(), "--saga-log", server_->url(), "--schema", "newer", "create", "g"});
    EXPECT_EQ(newer.exit_status, 3) << newer.err;
    EXPECT_NE(newer.err.find("newer version"), std::string::npos) << newer.err;
    EXPECT_TRUE(node.requests().empty());

    const auto shown = cli({"--saga-log", "postgresql://u:" + secret + "@db.example/sagas", "config"});
    EXPECT_EQ(shown.exit_status, 0) << shown.err;
    EXPECT_NE(shown.out.find("postgresql://u:***@db.example/sagas"), std::string::npos) << shown.out;
    EXPECT_EQ(shown.out.find(secret), std::string::npos) << shown.out;

    const auto made = client(node.url(), {"create", "listed-1", "listed-2"});
    EXPECT_EQ(made.exit_status, 0) << made.err;
    const auto listed = cli({"--saga-log", server_->url(), "sagas"});
    EXPECT_EQ(listed.exit_status, 0) << listed.err;
    EXPECT_NE(listed.out.find("create listed-1"), std::string::npos) << listed.out;
    EXPECT_NE(listed.out.find("create listed-2"), std::string::npos) << listed.out;
}

}  // namespace
}  // namespace cluster_client
