// SPDX-License-Identifier: MIT
// Thousands of sagas against reference nodes that fail on purpose: 500 before and after
// applying, hangs before and after applying, resets, and with a saga log whole outages of one
// node. After every saga the nodes' real state must match what the saga reported (I2), be
// all-or-none unless the saga says something is left open (I1), and never lose a copy that
// was there before nor gain one a rollback invented (I3). With a saga log, the faults then
// stop and recover() runs in a fresh client on the same log, as after a restart, until nothing
// is left open: every saga must then be at rest, all or none, with nothing lost or invented
// against the state before it began. Each scenario is one way to configure the client
// (ownership, delete mode, log) or the nodes (what a DELETE of nothing answers). Seeds that
// ever found a bug stay in the list.
#include <unistd.h>

#include <filesystem>
#include <future>
#include <map>
#include <ostream>
#include <random>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <cluster_client/cluster_client.hpp>

#include "local_cluster.hpp"
#include "presence.hpp"
#include "time_scale.hpp"

namespace cluster_client {
namespace {

using namespace std::chrono_literals;
using testing::LocalCluster;

constexpr int node_count = 5;

reference_node::FaultOptions fault_mix(std::uint64_t seed) {
    reference_node::FaultOptions faults;
    faults.p_500_before = 0.05;
    faults.p_500_after = 0.05;
    faults.p_hang_before = 0.02;
    faults.p_hang_after = 0.02;
    faults.p_reset = 0.03;
    faults.seed = seed;
    return faults;
}

// Node `node` and the next answer every request with 500, half of them after applying it.
reference_node::FaultOptions outage(int node, std::uint64_t seed) {
    reference_node::FaultOptions faults;
    faults.p_500_before = 0.5;
    faults.p_500_after = 0.5;
    faults.faulty_nodes = {node, (node + 1) % node_count};
    faults.seed = seed;
    return faults;
}

ClientOptions chaos_client_options(const std::vector<std::string>& hosts) {
    ClientOptions options{.hosts = hosts};
    options.retry.attempt_timeout = testing::scaled(40ms);  // a hung request costs little
    options.retry.deadline = 3s;
    options.retry.max_attempts = 6;
    options.retry.initial_backoff = 1ms;
    options.retry.max_backoff = 8ms;
    return options;
}

/// One way of running sagas: the client's configuration, what the nodes answer to a DELETE
/// of a group they lack, and how many sagas of each operation run, in that order, how many
/// at a time.
struct Scenario {
    std::string name;
    std::uint64_t seed = 1;
    bool logged = true;
    /// With a log, 16: at 64 a debug build queues so long that sagas outlast the short saga
    /// deadline the outages need (see scenario_options) for want of CPU, not for faults.
    int concurrency = 16;
    Ownership ownership = Ownership::strict;
    DeleteMode delete_mode = DeleteMode::rollback;
    unsigned delete_missing_status = 404;
    int creates = 0;
    int ensures = 0;
    int deletes = 0;
};

void PrintTo(const Scenario& scenario, std::ostream* out) {
    *out << scenario.name << " (seed " << scenario.seed << ')';
}

/// A saga log of its own for each test, removed afterwards.
class StateDir {
public:
    StateDir() {
        auto name = std::string(::testing::UnitTest::GetInstance()->current_test_info()->name());
        for (auto& c : name) {
            if (c == '/') c = '-';
        }
        path_ = std::filesystem::path(::testing::TempDir()) / ("chaos-" + std::to_string(::getpid()) + "-" + name);
        std::filesystem::remove_all(path_);
    }
    ~StateDir() { std::filesystem::remove_all(path_); }
    StateDir(const StateDir&) = delete;
    StateDir& operator=(const StateDir&) = delete;

    std::string string() const { return path_.string(); }

private:
    std::filesystem::path path_;
};

ClientOptions scenario_options(const Scenario& scenario, const std::vector<std::string>& hosts,
                               const StateDir& state_dir) {
    auto options = chaos_client_options(hosts);
    options.ownership = scenario.ownership;
    options.delete_mode = scenario.delete_mode;
    if (scenario.logged) {
        options.saga_log.state_dir = state_dir.string();
        // Shorter than an outage (see weather), so that a saga caught by one cannot wait it
        // out: what it must undo on that node stays undone, and the saga stays open for
        // recovery. Without a log nothing could recover it, so the unlogged scenarios have no
        // outages and keep the long deadlines. An open breaker probes again soon after an
        // outage, so that the calm spells between them let sagas through.
        options.retry.deadline = testing::scaled(150ms);
        options.retry.saga_deadline = testing::scaled(300ms);
        options.retry.breaker_cooldown = testing::scaled(200ms);
    } else {
        // Long enough that a node slowed by a busy machine reads every request well before
        // the client gives up on it. A request the client timed out on and reset may still
        // be read and applied by the node afterwards, after the saga's resolving read on
        // another connection (docs/sagas.md): no client can settle that by reading, and
        // 40 ms on a loaded CI machine made it happen.
        options.retry.attempt_timeout = testing::scaled(250ms);
    }
    return options;
}

// The client after a restart: the same nodes, log and policies. The short saga deadline was
// for the outages; with the faults gone it gets the unlogged scenarios' step deadline. One
// round of recovery has one saga deadline for all it recovers and begins them one after
// another (each start reads and adopts its saga in the log), so the short one would end a
// round of hundreds after a few dozen.
ClientOptions restart_options(ClientOptions options) {
    options.retry.deadline = 3s;
    options.retry.saga_deadline = 3s;
    return options;
}

struct Tally {
    int ok = 0;
    int failed_cleanly = 0;
    int left_open = 0;
    int violations = 0;
};

/// What the checks need of one saga: the nodes that held its group before it (as the checks
/// count them, see counted_before) and its report.
struct SagaRecord {
    std::vector<bool> before;
    SagaReport report;
};
using SagaRecords = std::map<std::string, SagaRecord>;

// Fast ownership's documented limit (docs/sagas.md): after an ambiguous first POST on a node
// that already held the group, a fast create takes that copy for its own, so its rollback, or
// recovery, may delete it. The creates are pre-seeded in fast mode as in strict mode, and the
// checks account for exactly that case: such a copy counts as the saga's own (the node as
// empty before it) only where a fast create's report says it took it, that is any state but
// already_present and failed, the two in which it did not. Every other copy that was there
// before must survive, as in strict mode.
std::vector<bool> counted_before(std::vector<bool> before, const SagaReport& report, Ownership ownership, int& taken) {
    if (ownership != Ownership::fast || report.operation != Operation::create) return before;
    for (std::size_t i = 0; i < before.size(); ++i) {
        const auto state = report.hosts[i].state;
        if (before[i] && state != HostState::already_present && state != HostState::failed) {
            before[i] = false;
            ++taken;
        }
    }
    return before;
}

// The report and the nodes, host by host, for a failure message.
std::string describe(const LocalCluster& cluster, const SagaReport& report, const std::vector<bool>& before) {
    std::string text = "\n  " + std::string(to_string(report.operation)) + ' ' + report.group + " -> " +
                       std::string(to_string(report.outcome));
    for (int i = 0; i < node_count; ++i) {
        const auto& host = report.hosts[static_cast<std::size_t>(i)];
        text += "\n  node " + std::to_string(i) + ": " + std::string(to_string(host.state)) + ", " +
                std::to_string(host.attempts) + " attempts, before " +
                (before[static_cast<std::size_t>(i)] ? "had" : "lacked") + ", now " +
                (cluster.has(i, report.group) ? "has" : "lacks") +
                (host.last_error.empty() ? "" : ", last error: " + host.last_error);
    }
    return text;
}

// Checks one finished saga, or one run of recovery, against the nodes' state; returns a
// description of what broke. `before` is the state before the saga began; `before_run` the
// state before this run of it (the same, except for recovery), which is what a host where
// the run failed without writing must still show.
std::string check_saga(const LocalCluster& cluster, const SagaReport& report, const std::vector<bool>& before,
                       const std::vector<bool>& before_run) {
    std::string broken;
    std::size_t holders = 0;
    const bool adds = report.operation == Operation::create || report.operation == Operation::ensure;
    for (int i = 0; i < node_count; ++i) {
        const auto index = static_cast<std::size_t>(i);
        const bool has = cluster.has(i, report.group);
        holders += has ? 1 : 0;
        const auto expected = testing::reported_presence(report.hosts[index].state, before_run[index]);
        if (expected && *expected != has) {
            broken += " I2: node " + std::to_string(i) + " reported " +
                      std::string(to_string(report.hosts[index].state)) + " but " + (has ? "has" : "lacks") +
                      " the group;";
        }
        // Whatever the outcome, open or not: a create or an ensure never removes a copy that
        // was not its own, a delete never puts one where there was none.
        if (adds && before[index] && !has) {
            broken += " I3: node " + std::to_string(i) + " lost a copy that was there before;";
        }
        if (report.operation == Operation::delete_ && !before[index] && has) {
            broken += " I3: node " + std::to_string(i) + " has a copy where there was none before;";
        }
    }
    const bool on_all = holders == node_count;
    const bool on_none = holders == 0;
    switch (report.outcome) {
        case SagaOutcome::created:
        case SagaOutcome::already_exists:
            if (!on_all) broken += " I1: ended " + std::string(to_string(report.outcome)) + " but not on all nodes;";
            break;
        case SagaOutcome::deleted:
        case SagaOutcome::not_found:
            if (!on_none) broken += " I1: ended " + std::string(to_string(report.outcome)) + " but still on a node;";
            break;
        case SagaOutcome::rolled_back:
        case SagaOutcome::conflict:
            for (int i = 0; i < node_count; ++i) {
                if (cluster.has(i, report.group) != before[static_cast<std::size_t>(i)]) {
                    broken += " I1: node " + std::to_string(i) + " changed by a saga that rolled back;";
                }
            }
            break;
        default: break;
    }
    return broken;
}

std::vector<bool> holders_of(const LocalCluster& cluster, const std::string& id) {
    std::vector<bool> holders(node_count, false);
    for (int i = 0; i < node_count; ++i) holders[static_cast<std::size_t>(i)] = cluster.has(i, id);
    return holders;
}

// The spells of the weather below. An outage outlasts a saga (see scenario_options).
constexpr auto calm_spell = 300ms;
constexpr auto storm_spell = 350ms;

// The nodes' weather while a batch runs with a saga log: the usual fault mix, broken by
// outages in which two neighbouring nodes answer every request with 500, for longer than a
// saga may take. A saga that wrote on one of them just before and must undo it there runs out
// of time: it ends rollback_incomplete (a forward delete or an ensure ends incomplete) and
// stays open for recovery, whether its undo did not apply or applied unverified. Two nodes,
// not one, so that a saga done on one of them fails on the other. The outages move on by one
// node each time, from one drawn from `seed`, so that every node has sagas to recover.
boost::asio::awaitable<void> weather(LocalCluster& cluster, std::uint64_t seed, boost::asio::steady_timer& clock,
                                     const bool& done) {
    const auto first = std::mt19937_64(seed)();
    for (std::uint64_t spell = 0; !done; ++spell) {
        const bool calm = spell % 2 == 0;
        const auto storm = spell / 2;
        cluster.set_faults(calm ? fault_mix(seed + spell)
                                : outage(static_cast<int>((first + storm) % node_count), seed + spell));
        clock.expires_after(testing::scaled(calm ? calm_spell : storm_spell));
        co_await clock.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
}

// Runs `count` sagas of `operation`, the scenario's concurrency at a time, and checks each as
// it ends; `prepare(id)` seeds the nodes before a saga and returns which nodes held the group
// before it. Every saga goes into `records`. With a saga log, outages break the fault mix
// (see weather), and the sagas start spread evenly over an outage of every node: a saga an
// outage fails ends at once, and unpaced the batch would be spent in its first outage.
template <class Prepare>
Tally run_sagas(LocalCluster& cluster, const ClientOptions& options, const Scenario& scenario, Operation operation,
                int count, const std::string& prefix, Prepare prepare, SagaRecords& records, int& taken) {
    const int concurrency = scenario.concurrency;
    boost::asio::io_context io;
    ClusterClient client(io.get_executor(), options);
    boost::asio::steady_timer clock(io);
    bool done = false;
    int running = concurrency;
    const auto pace = scenario.logged
                          ? std::chrono::microseconds(testing::scaled(calm_spell + storm_spell)) * node_count / count
                          : std::chrono::microseconds(0);
    const auto started = std::chrono::steady_clock::now();
    Tally tally;
    int next = 0;
    auto worker = [&]() -> boost::asio::awaitable<void> {
        boost::asio::steady_timer due(io);
        while (next < count) {
            const int index = next++;
            if (pace.count() > 0) {
                due.expires_at(started + pace * index);
                co_await due.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
            }
            const auto id = prefix + std::to_string(index);
            const auto seeded = prepare(id);
            const auto report = co_await client.run(operation, id);
            const auto before = counted_before(seeded, report, options.ownership, taken);
            const auto broken = check_saga(cluster, report, before, before);
            if (!broken.empty()) {
                ++tally.violations;
                ADD_FAILURE() << broken << describe(cluster, report, before);
            }
            if (report.ok()) {
                ++tally.ok;
            } else if (report.left_open()) {
                ++tally.left_open;
            } else {
                ++tally.failed_cleanly;
            }
            records[id] = SagaRecord{before, report};
        }
        if (--running == 0) {
            done = true;
            clock.cancel();
        }
    };
    for (int i = 0; i < concurrency; ++i) boost::asio::co_spawn(io, worker(), boost::asio::detached);
    if (scenario.logged) {
        boost::asio::co_spawn(io, weather(cluster, scenario.seed + records.size(), clock, done), boost::asio::detached);
    }
    io.run();
    return tally;
}

/// A saga's last run of recovery: its report, and the nodes that held the group before it.
struct Recovered {
    SagaReport report;
    std::vector<bool> before_run;
};

// A restart after the faulty phase: the faults stop, and recover() runs in a fresh client on
// the same saga log, round after round, until a round finds nothing open (one round ends at
// the saga deadline and leaves what it had no time to begin to the next). Every recovery
// report is checked as it comes, against the state before its saga and before the round;
// returns the last run of each saga recovered.
std::map<std::string, Recovered> recover_until_closed(LocalCluster& cluster, const ClientOptions& options,
                                                      const SagaRecords& records, int& rounds, int& violations) {
    constexpr int max_rounds = 10;
    cluster.set_faults({});
    std::map<std::string, Recovered> recovered;
    for (rounds = 1; rounds <= max_rounds; ++rounds) {
        std::map<std::string, std::vector<bool>> before_round;
        for (const auto& [id, record] : records) {
            const auto last = recovered.find(id);
            if ((last == recovered.end() ? record.report : last->second.report).left_open()) {
                before_round[id] = holders_of(cluster, id);
            }
        }
        boost::asio::io_context io;
        ClusterClient client(io.get_executor(), options);
        auto reports = boost::asio::co_spawn(io, client.recover(), boost::asio::use_future);
        io.run();
        const auto round = reports.get();
        if (round.empty()) return recovered;
        for (const auto& report : round) {
            const auto record = records.find(report.group);
            const auto before_run = before_round.find(report.group);
            if (record == records.end() || before_run == before_round.end()) {
                ++violations;
                ADD_FAILURE() << "recovery round " << rounds << " took up a saga that was not open:"
                              << describe(cluster, report, holders_of(cluster, report.group));
                continue;
            }
            const auto broken = check_saga(cluster, report, record->second.before, before_run->second);
            if (!broken.empty()) {
                ++violations;
                ADD_FAILURE() << "recovery round " << rounds << ':' << broken
                              << describe(cluster, report, record->second.before) << "\n  the saga had ended:"
                              << describe(cluster, record->second.report, record->second.before);
            }
            recovered.insert_or_assign(report.group, Recovered{report, before_run->second});
        }
    }
    ++violations;
    ADD_FAILURE() << "sagas still open after " << max_rounds << " rounds of recovery without faults";
    return recovered;
}

// At rest after recovery: recovery took up exactly the sagas left open, none is open any
// more, and every saga's group is as its last report says (its recovery's, if it had one),
// all or none, with nothing lost or invented against the state before the saga.
int check_at_rest(const LocalCluster& cluster, const SagaRecords& records,
                  const std::map<std::string, Recovered>& recovered) {
    int violations = 0;
    for (const auto& [id, record] : records) {
        const auto recovery = recovered.find(id);
        const bool was_recovered = recovery != recovered.end();
        const auto& last = was_recovered ? recovery->second.report : record.report;
        std::string broken;
        if (record.report.left_open() && !was_recovered) broken += " left open but never recovered;";
        if (!record.report.left_open() && was_recovered) broken += " recovered although it had ended;";
        if (last.left_open()) broken += " still open at rest;";
        const auto& before_run = was_recovered ? recovery->second.before_run : record.before;
        broken += check_saga(cluster, last, record.before, before_run);
        if (!broken.empty()) {
            ++violations;
            ADD_FAILURE() << "at rest:" << broken << describe(cluster, last, record.before);
        }
    }
    return violations;
}

class SagaChaos : public ::testing::TestWithParam<Scenario> {};

TEST_P(SagaChaos, KeepsTheInvariants) {
    const Scenario& scenario = GetParam();
    reference_node::NodeClusterOptions cluster_options;
    cluster_options.nodes = node_count;
    cluster_options.faults = fault_mix(scenario.seed);
    cluster_options.delete_missing_status = scenario.delete_missing_status;
    LocalCluster cluster(cluster_options);
    const StateDir state_dir;
    const auto options = scenario_options(scenario, cluster.urls(), state_dir);
    std::mt19937_64 random(scenario.seed);

    // Creates and ensures: one group in five already has copies on some nodes (neither may
    // delete them, and a failed create must leave exactly them).
    auto some_copies = [&](const std::string& id) {
        std::vector<bool> before(node_count, false);
        if (random() % 5 == 0) {
            const auto copies = 1 + random() % 2;
            for (std::uint64_t c = 0; c < copies; ++c) {
                const auto node = static_cast<int>(random() % node_count);
                cluster.put(node, id);
                before[static_cast<std::size_t>(node)] = true;
            }
        }
        return before;
    };
    // Deletes: groups on every node, or on some.
    auto most_copies = [&](const std::string& id) {
        std::vector<bool> before(node_count, false);
        const bool partial = random() % 5 == 0;
        for (int node = 0; node < node_count; ++node) {
            if (partial && random() % 2 == 0) continue;
            cluster.put(node, id);
            before[static_cast<std::size_t>(node)] = true;
        }
        return before;
    };

    SagaRecords records;
    int taken = 0;
    std::vector<std::pair<std::string, Tally>> tallies;
    const auto batch = [&](const char* name, Operation operation, int count, const char* prefix, auto prepare) {
        if (count > 0) {
            tallies.emplace_back(
                name, run_sagas(cluster, options, scenario, operation, count, prefix, prepare, records, taken));
        }
    };
    batch("create", Operation::create, scenario.creates, "c", some_copies);
    batch("ensure", Operation::ensure, scenario.ensures, "e", some_copies);
    batch("delete", Operation::delete_, scenario.deletes, "d", most_copies);
    int left_open = 0;
    for (const auto& [name, tally] : tallies) {
        std::cout << name << ": ok " << tally.ok << ", failed cleanly " << tally.failed_cleanly << ", left open "
                  << tally.left_open << ", violations " << tally.violations << '\n';
        EXPECT_EQ(tally.violations, 0) << name;
        EXPECT_GT(tally.ok, 0) << name << ": no saga got through, so only failures were checked";
        left_open += tally.left_open;
    }
    if (scenario.ownership == Ownership::fast) {
        std::cout << "fast ownership took " << taken << " copies that were there before for its own\n";
    }
    if (!scenario.logged) return;

    EXPECT_GT(left_open, 0) << "no saga was left open: recovery would go untested";
    int rounds = 0;
    int violations = 0;
    const auto recovered = recover_until_closed(cluster, restart_options(options), records, rounds, violations);
    violations += check_at_rest(cluster, records, recovered);
    std::map<std::string, int> outcomes;
    for (const auto& [id, run] : recovered) ++outcomes[std::string(to_string(run.report.outcome))];
    std::cout << "recovery: " << recovered.size() << " sagas in " << rounds << " rounds (";
    for (const auto& [outcome, n] : outcomes) std::cout << ' ' << outcome << ' ' << n;
    std::cout << " ), violations " << violations << '\n';
    EXPECT_EQ(violations, 0);
}

std::string scenario_name(const ::testing::TestParamInfo<Scenario>& info) {
    return info.param.name;
}

// The unlogged scenarios were the first, with seeds 1 and 2. Add every seed that ever found a
// bug, as a scenario of its own.
INSTANTIATE_TEST_SUITE_P(
    Scenarios, SagaChaos,
    ::testing::Values(
        Scenario{.name = "UnloggedSeed1",
                 .seed = 1,
                 .logged = false,
                 .concurrency = 64,
                 .creates = 1000,
                 .deletes = 500},
        Scenario{.name = "UnloggedSeed2",
                 .seed = 2,
                 .logged = false,
                 .concurrency = 64,
                 .creates = 1000,
                 .deletes = 500},
        Scenario{.name = "LoggedSeed1", .seed = 1, .creates = 600, .deletes = 400},
        Scenario{.name = "LoggedSeed2", .seed = 2, .creates = 600, .deletes = 400},
        Scenario{.name = "FastCreate", .seed = 1, .ownership = Ownership::fast, .creates = 600},
        Scenario{.name = "Ensure", .seed = 1, .ensures = 600},
        Scenario{.name = "ForwardDelete", .seed = 1, .delete_mode = DeleteMode::forward, .deletes = 600},
        Scenario{.name = "DeleteMissing200", .seed = 1, .delete_missing_status = 200, .creates = 600, .deletes = 400},
        Scenario{.name = "DeleteMissing400", .seed = 1, .delete_missing_status = 400, .creates = 600, .deletes = 400}),
    scenario_name);

TEST(SagaChaosOneGroup, ConcurrentSagasOnOneGroupNeverInterleave) {
    reference_node::NodeClusterOptions options;
    options.nodes = node_count;
    options.faults = fault_mix(99);
    LocalCluster cluster(options);
    boost::asio::io_context io;
    auto client_options = chaos_client_options(cluster.urls());
    client_options.lock_wait = 60s;
    ClusterClient client(io.get_executor(), client_options);

    int violations = 0;
    int finished = 0;
    auto saga = [&](Operation operation) -> boost::asio::awaitable<void> {
        const auto report = co_await client.run(operation, "shared");
        ++finished;
        // The lock hands the group to the next saga only after this one ended, so the
        // state now is this saga's doing alone.
        int holders = 0;
        for (int i = 0; i < node_count; ++i) holders += cluster.has(i, "shared") ? 1 : 0;
        const bool consistent = report.left_open() || holders == 0 || holders == node_count;
        if (!consistent || (report.outcome == SagaOutcome::created && holders != node_count) ||
            (report.outcome == SagaOutcome::deleted && holders != 0)) {
            ++violations;
            ADD_FAILURE() << to_string(operation) << " ended " << to_string(report.outcome) << " with " << holders
                          << " holders";
        }
        if (report.outcome == SagaOutcome::rollback_incomplete) {
            // Leave a clean slate for the next saga, as recovery would.
            for (int i = 0; i < node_count; ++i) cluster.erase(i, "shared");
        }
    };
    for (int i = 0; i < 200; ++i) {
        boost::asio::co_spawn(io, saga(i % 2 == 0 ? Operation::create : Operation::delete_), boost::asio::detached);
    }
    io.run();
    EXPECT_EQ(finished, 200);
    EXPECT_EQ(violations, 0);
}

}  // namespace
}  // namespace cluster_client
