// SPDX-License-Identifier: MIT
// Invariants I1-I3 when the network itself fails. The reference nodes run in this process,
// inside a network namespace of its own, and the kernel drops packets (iptables): lost
// SYNs, lost segments that TCP retransmits, answers lost after the node applied the
// request, requests the kernel still holds after the client gave up on them. The client
// sees real timeouts and resets, not the node's injected faults.
//
// Every saga is checked twice against the nodes' real state: when it returns (I2: the
// report is true; I1: all or none, unless it says it is left open; I3: a copy that was
// there before is still there, and a rollback invents none), and again at rest, once the
// paths are healed, `recover` has ended what was left open and the kernel has delivered
// every byte it still held. A change between the two is a request of the saga that landed
// after the saga ended.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include <cluster_client/cluster_client.hpp>

#include "ci.hpp"
#include "local_cluster.hpp"
#include "packet_filter.hpp"
#include "presence.hpp"

namespace cluster_client {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using testing::LocalCluster;
using testing::PacketFilter;

constexpr int node_count = 5;

// Retries that fit a lossy network rather than a LAN. A lost SYN is sent again after 1 s
// (then 3 s), so an attempt lasts 1.5 s: one lost SYN costs a wait, not the attempt. Lost
// segments are retransmitted after 200 ms and more, so backoff matters less than time.
ClientOptions lossy_client_options(const std::vector<std::string>& hosts, const std::filesystem::path& state_dir) {
    ClientOptions options{.hosts = hosts};
    options.retry.max_attempts = 6;
    options.retry.initial_backoff = 50ms;
    options.retry.max_backoff = 1s;
    options.retry.attempt_timeout = 1500ms;
    options.retry.deadline = 10s;
    // With the log, a saga a cut leaves open can be ended by recover(), as in production.
    options.saga_log.state_dir = state_dir.string();
    return options;
}

using Presence = std::vector<bool>;

struct SagaPlan {
    Operation operation = Operation::create;
    std::string group;
    Presence before;  ///< the nodes that hold the group before the saga
};

struct SagaRun {
    SagaPlan plan;
    SagaReport report;
    std::optional<SagaReport> recovered;  ///< how recover() ended it, when it was left open
    bool broken_at_return = false;        ///< the check when it returned (or was recovered) failed
};

Presence presence_of(const LocalCluster& cluster, const std::string& group) {
    Presence presence;
    for (int node = 0; node < node_count; ++node) presence.push_back(cluster.has(node, group));
    return presence;
}

std::string text_of(const Presence& presence) {
    std::string text = "[";
    for (const bool held : presence) text += held ? '1' : '0';
    return text + "]";
}

std::string describe(const SagaReport& report) {
    std::ostringstream text;
    text << to_string(report.operation) << ' ' << report.group << " -> " << to_string(report.outcome) << " in "
         << report.duration.count() << "ms;";
    for (std::size_t i = 0; i < report.hosts.size(); ++i) {
        const auto& host = report.hosts[i];
        text << " node " << i << ' ' << to_string(host.state) << " (" << host.attempts << " requests"
             << (host.last_error.empty() ? "" : ", last error: " + host.last_error) << ");";
    }
    return text.str();
}

// What every node must hold once a saga ended this way; nullopt while it is left open.
std::optional<Presence> presence_at_rest(SagaOutcome outcome, const Presence& before) {
    switch (outcome) {
        case SagaOutcome::created:
        case SagaOutcome::already_exists: return Presence(node_count, true);
        case SagaOutcome::deleted:
        case SagaOutcome::not_found: return Presence(node_count, false);
        case SagaOutcome::rolled_back:
        case SagaOutcome::conflict: return before;
        default: return std::nullopt;
    }
}

// The invariants a saga that just returned must keep; empty when it keeps them all.
std::string broken_at_return(const LocalCluster& cluster, const SagaReport& report, const Presence& before) {
    std::string broken;
    const auto now = presence_of(cluster, report.group);
    for (std::size_t i = 0; i < now.size(); ++i) {
        const auto expected = testing::reported_presence(report.hosts[i].state, before[i]);
        if (expected && *expected != now[i]) {
            broken += " I2: node " + std::to_string(i) + " reported " + std::string(to_string(report.hosts[i].state)) +
                      " but " + (now[i] ? "holds" : "lacks") + " the group;";
        }
    }
    if (const auto expected = presence_at_rest(report.outcome, before); expected && *expected != now) {
        broken += " I1/I3: ended " + std::string(to_string(report.outcome)) + " with " + text_of(now) + ", expected " +
                  text_of(*expected) + ";";
    }
    return broken;
}

// How one batch of sagas went: the figures the CI log shows.
struct Figures {
    int sagas = 0;
    int ok = 0;
    int rolled_back = 0;
    std::map<std::string, int> other;  ///< outcome -> count, for every other outcome
    int left_open = 0;
    int closed_by_recover = 0;
    milliseconds max_duration{0};
    std::uint64_t requests = 0;        ///< requests the sagas sent, retries included
    std::uint64_t dropped = 0;         ///< packets the kernel dropped, requests and answers
    std::uint64_t dropped_before = 0;  ///< the filter's count when the batch began
    int violations_at_return = 0;
    int violations_at_rest = 0;

    void count(const SagaReport& report) {
        ++sagas;
        if (report.ok()) {
            ++ok;
        } else if (report.outcome == SagaOutcome::rolled_back) {
            ++rolled_back;
        } else {
            ++other[std::string(to_string(report.outcome))];
        }
        if (report.left_open()) ++left_open;
        max_duration = std::max(max_duration, report.duration);
        for (const auto& host : report.hosts) requests += static_cast<std::uint64_t>(host.attempts);
    }

    void print(const std::string& label) const {
        std::ostringstream line;
        line << "[netns] " << label << ": " << sagas << " sagas, ok " << ok << ", rolled_back " << rolled_back
             << ", other " << (sagas - ok - rolled_back);
        if (!other.empty()) {
            line << " (";
            for (auto it = other.begin(); it != other.end(); ++it) {
                line << (it == other.begin() ? "" : ", ") << it->first << ' ' << it->second;
            }
            line << ")";
        }
        line << "; left open " << left_open << ", closed by recover " << closed_by_recover << "; max saga "
             << max_duration.count() << " ms; " << requests << " requests, " << dropped
             << " packets dropped; violations at return " << violations_at_return << ", at rest " << violations_at_rest;
        std::cout << line.str() << std::endl;
    }
};

// Nodes, a client with its saga log and the packet filter, for one test. Skips the test
// where iptables rules would reach beyond a namespace of its own (fails it under CI).
class NetnsCluster : public ::testing::Test {
protected:
    void SetUp() override {
        if (const auto problem = testing::private_namespace_problem()) CLUSTER_CLIENT_CANNOT_RUN(*problem);
        static int serial = 0;
        state_dir_ = std::filesystem::temp_directory_path() /
                     ("netns-sagas-" + std::to_string(::getpid()) + "-" + std::to_string(++serial));
        std::filesystem::create_directories(state_dir_);
        reference_node::NodeClusterOptions options;
        options.nodes = node_count;
        cluster_ = std::make_unique<LocalCluster>(options);
        filter_ = std::make_unique<PacketFilter>();
        use_client(lossy_client_options(cluster_->urls(), state_dir_));
    }

    void TearDown() override {
        client_.reset();
        filter_.reset();  // heals every path before the nodes stop
        cluster_.reset();
        if (!state_dir_.empty()) std::filesystem::remove_all(state_dir_);
    }

    void use_client(ClientOptions options) {
        client_.reset();
        client_ = std::make_unique<ClusterClient>(io_.get_executor(), std::move(options));
    }

    // Opens a keep-alive connection to every node, so that a later fault catches requests
    // on established connections (segments retransmitted into it) and not only SYNs.
    void warm_up() {
        const auto report = run_to_end(client_->run(Operation::verify, "warm-up"));
        ASSERT_EQ(report.outcome, SagaOutcome::absent) << describe(report);
    }

    std::uint16_t port(int node) const { return cluster_->cluster().ports().at(static_cast<std::size_t>(node)); }
    std::vector<std::uint16_t> ports() const { return cluster_->cluster().ports(); }

    template <class T>
    T run_to_end(boost::asio::awaitable<T> operation) {
        std::optional<T> result;
        std::exception_ptr failure;
        boost::asio::co_spawn(io_, std::move(operation), [&](std::exception_ptr error, T value) {
            failure = error;
            if (!error) result = std::move(value);
        });
        io_.restart();
        io_.run();
        if (failure) std::rethrow_exception(failure);
        return std::move(*result);
    }

    // Puts each plan's copies on the nodes, runs the sagas `concurrency` at a time and
    // checks each one the moment it returns.
    std::vector<SagaRun> run_sagas(const std::vector<SagaPlan>& plans, int concurrency, Figures& figures) {
        figures.dropped_before = filter_->dropped();
        for (const auto& plan : plans) {
            for (int node = 0; node < node_count; ++node) {
                if (plan.before[static_cast<std::size_t>(node)]) cluster_->put(node, plan.group);
            }
        }
        std::vector<SagaRun> runs(plans.size());
        std::size_t next = 0;
        auto worker = [&]() -> boost::asio::awaitable<void> {
            while (next < plans.size()) {
                const auto index = next++;
                auto& run = runs[index];
                run.plan = plans[index];
                run.report = co_await client_->run(run.plan.operation, run.plan.group);
                figures.count(run.report);
                if (const auto broken = broken_at_return(*cluster_, run.report, run.plan.before); !broken.empty()) {
                    ++figures.violations_at_return;
                    run.broken_at_return = true;
                    ADD_FAILURE() << "at return:" << broken << "\n  before " << text_of(run.plan.before) << "; "
                                  << describe(run.report);
                }
            }
        };
        for (int i = 0; i < concurrency; ++i) boost::asio::co_spawn(io_, worker(), boost::asio::detached);
        io_.restart();
        io_.run();
        return runs;
    }

    // Heals every path, lets recover() end what was left open (as an operator would, as
    // soon as the nodes answer), waits until the kernel delivered every byte it held, then
    // checks every saga against the nodes' state at rest.
    void settle(std::vector<SagaRun>& runs, Figures& figures) {
        filter_->heal_all();
        figures.dropped = filter_->dropped() - figures.dropped_before;
        const auto recovered = run_to_end(client_->recover());
        for (const auto& report : recovered) {
            const auto run = std::find_if(runs.begin(), runs.end(), [&](const SagaRun& candidate) {
                return candidate.plan.group == report.group && candidate.report.left_open() && !candidate.recovered;
            });
            if (run == runs.end()) {
                ADD_FAILURE() << "recover ended a saga this test did not leave open: " << describe(report);
                continue;
            }
            run->recovered = report;
            if (report.left_open()) {
                ADD_FAILURE() << "recover left a saga open although every path is healed: " << describe(report);
            } else {
                ++figures.closed_by_recover;
            }
            if (const auto broken = broken_at_return(*cluster_, report, run->plan.before); !broken.empty()) {
                ++figures.violations_at_return;
                run->broken_at_return = true;
                ADD_FAILURE() << "after recover:" << broken << "\n  before " << text_of(run->plan.before) << "; "
                              << describe(report);
            }
        }
        EXPECT_TRUE(testing::wait_until_delivered(ports(), 30s))
            << "the kernel still holds request bytes 30 s after every path healed; the state is not at rest";
        for (const auto& run : runs) {
            const auto& last = run.recovered ? *run.recovered : run.report;
            const auto now = presence_of(*cluster_, run.plan.group);
            const auto expected = presence_at_rest(last.outcome, run.plan.before);
            if (!expected) {
                ++figures.violations_at_rest;
                ADD_FAILURE() << "I1 at rest: still " << to_string(last.outcome) << " after recover; now "
                              << text_of(now) << "\n  " << describe(run.report);
            } else if (*expected != now) {
                ++figures.violations_at_rest;
                ADD_FAILURE() << "I1 at rest: " << to_string(last.operation) << ' ' << run.plan.group << " ended "
                              << to_string(last.outcome) << ", so the nodes must hold " << text_of(*expected)
                              << ", but they hold " << text_of(now) << " (before the saga: " << text_of(run.plan.before)
                              << ")."
                              << (run.broken_at_return ? ""
                                                       : " The check when it returned passed: a request of this saga "
                                                         "landed after it ended.")
                              << "\n  " << describe(run.report)
                              << (run.recovered ? "\n  recovered: " + describe(*run.recovered) : "");
            }
        }
    }

    std::filesystem::path state_dir_;
    std::unique_ptr<LocalCluster> cluster_;
    std::unique_ptr<PacketFilter> filter_;
    boost::asio::io_context io_;
    std::unique_ptr<ClusterClient> client_;
};

// `count` creates, one in four of a group some nodes already hold (I3: a create never
// deletes those copies), and `count` deletes, one in five of a group only some nodes
// hold, interleaved. Seeded: the same plan every run; only the losses differ.
std::vector<SagaPlan> mixed_plans(const std::string& prefix, int count, std::uint64_t seed) {
    std::mt19937_64 random(seed);
    std::vector<SagaPlan> plans;
    for (int i = 0; i < count; ++i) {
        SagaPlan create{Operation::create, prefix + "-c" + std::to_string(i), Presence(node_count, false)};
        if (i % 4 == 3) {
            const auto copies = 1 + random() % 2;
            for (std::uint64_t c = 0; c < copies; ++c) create.before[random() % node_count] = true;
        }
        SagaPlan remove{Operation::delete_, prefix + "-d" + std::to_string(i), Presence(node_count, true)};
        if (i % 5 == 4) {
            for (std::size_t node = 0; node < node_count; ++node) remove.before[node] = random() % 2 == 0;
        }
        plans.push_back(std::move(create));
        plans.push_back(std::move(remove));
    }
    return plans;
}

// One loss rate on every node; `short_deadline` gives the client retries too short for it
// (3 attempts of 700 ms, a 2 s deadline: a lost SYN costs an attempt), so that some sagas
// fail and their compensations, and the reads that settle ambiguous writes, run under the
// same loss.
struct LossCase {
    double loss = 0.0;
    bool short_deadline = false;
};

std::string name_of(const LossCase& loss_case);

// Names the case in GoogleTest's messages instead of dumping its bytes.
void PrintTo(const LossCase& loss_case, std::ostream* out) {
    *out << name_of(loss_case);
}

std::string name_of(const LossCase& loss_case) {
    return std::to_string(static_cast<int>(loss_case.loss * 100 + 0.5)) + "Percent" +
           (loss_case.short_deadline ? "ShortDeadline" : "");
}

class PacketLoss : public NetnsCluster, public ::testing::WithParamInterface<LossCase> {};

// Every node loses the same share of its packets, requests and answers alike.
TEST_P(PacketLoss, SagasKeepTheInvariants) {
    const auto [loss, short_deadline] = GetParam();
    if (short_deadline) {
        auto options = lossy_client_options(cluster_->urls(), state_dir_);
        options.retry.max_attempts = 3;
        options.retry.attempt_timeout = 700ms;
        options.retry.deadline = 2s;
        use_client(options);
    }
    for (const auto node_port : ports()) filter_->lose(node_port, loss);

    Figures figures;
    auto runs = run_sagas(mixed_plans(name_of(GetParam()), 40, 7), 16, figures);
    settle(runs, figures);
    figures.print(std::to_string(static_cast<int>(loss * 100 + 0.5)) + "% loss" +
                  (short_deadline ? ", 2 s deadline" : ""));

    EXPECT_EQ(figures.violations_at_return, 0);
    EXPECT_EQ(figures.violations_at_rest, 0);
    EXPECT_EQ(figures.left_open, figures.closed_by_recover) << "recover must end every saga left open";
    // Liveness, loosely: with retries that fit the loss, TCP and the retries must carry
    // most sagas through.
    if (!short_deadline && loss <= 0.05) {
        EXPECT_GE(figures.ok, figures.sagas * 3 / 4);
    }
    if (!short_deadline) {
        EXPECT_GT(figures.ok, 0);
    }
}

INSTANTIATE_TEST_SUITE_P(Rates, PacketLoss,
                         ::testing::Values(LossCase{0.01}, LossCase{0.05}, LossCase{0.20}, LossCase{0.20, true}),
                         [](const ::testing::TestParamInfo<LossCase>& rate) { return name_of(rate.param); });

// A few creates, two of them of groups one node already holds, and a few deletes, one of a
// group only some nodes hold.
std::vector<SagaPlan> small_plans(const std::string& prefix) {
    std::vector<SagaPlan> plans;
    for (int i = 0; i < 6; ++i) {
        SagaPlan create{Operation::create, prefix + "-c" + std::to_string(i), Presence(node_count, false)};
        if (i < 2) create.before[static_cast<std::size_t>(i)] = true;
        plans.push_back(std::move(create));
    }
    for (int i = 0; i < 4; ++i) {
        SagaPlan remove{Operation::delete_, prefix + "-d" + std::to_string(i), Presence(node_count, true)};
        if (i == 0) remove.before = {true, false, true, false, true};
        plans.push_back(std::move(remove));
    }
    return plans;
}

// One node answers nothing for longer than the deadline: every saga fails on it and must
// undo exactly its own writes on the others, leaving nothing partial; once healed, the
// same sagas pass.
TEST_F(NetnsCluster, ANodeCutOffRollsEverySagaBackAndTheyPassOnceHealed) {
    warm_up();
    constexpr int cut_node = node_count - 1;
    filter_->cut(port(cut_node));

    Figures cut_figures;
    const auto plans = small_plans("cut");
    auto cut_runs = run_sagas(plans, static_cast<int>(plans.size()), cut_figures);
    for (const auto& run : cut_runs) {
        EXPECT_EQ(run.report.outcome, SagaOutcome::rolled_back) << describe(run.report);
        // Nothing reached the cut node, so nothing there is ours to undo.
        EXPECT_EQ(run.report.hosts[cut_node].state, HostState::failed) << describe(run.report);
        EXPECT_EQ(presence_of(*cluster_, run.plan.group), run.plan.before) << describe(run.report);
    }

    // Heals the cut, and checks the cut sagas at rest before new ones touch their groups.
    settle(cut_runs, cut_figures);
    // The cut node's breaker opened; after its cool-down one read is the probe that closes
    // it, as the first saga after an outage would be.
    std::this_thread::sleep_for(ClientOptions{}.retry.breaker_cooldown + 100ms);
    EXPECT_EQ(run_to_end(client_->run(Operation::verify, "probe")).hosts[cut_node].state, HostState::absent);
    Figures healed_figures;
    // Each group is where it was before the cut, so the same plans apply again.
    auto healed_runs = run_sagas(plans, static_cast<int>(plans.size()), healed_figures);
    for (const auto& run : healed_runs) {
        const bool seeded = std::count(run.plan.before.begin(), run.plan.before.end(), true) > 0;
        const auto expected = run.plan.operation == Operation::delete_ ? SagaOutcome::deleted
                              : seeded                                 ? SagaOutcome::conflict
                                                                       : SagaOutcome::created;
        EXPECT_EQ(run.report.outcome, expected) << describe(run.report);
    }

    settle(healed_runs, healed_figures);
    cut_figures.print("one node cut off");
    healed_figures.print("the same sagas, healed");
    EXPECT_EQ(cut_figures.violations_at_return + cut_figures.violations_at_rest, 0);
    EXPECT_EQ(healed_figures.violations_at_return + healed_figures.violations_at_rest, 0);
}

// A node is cut when the sagas start and healed from another thread while they run; the
// cut is far shorter than the deadline, so every saga must end ok (conflict, for a group
// one node already held). The first round runs on a cold pool (its SYNs are lost), the
// second on a warm one (its requests on open connections are lost).
TEST_F(NetnsCluster, ACutHealedMidSagaEndsOk) {
    constexpr int cut_node = 2;
    for (const auto& [round, heal_after] : {std::pair{"cold", 500ms}, std::pair{"warm", 1000ms}}) {
        filter_->cut(port(cut_node));
        // Joined on every way out of the scope, a failed assertion included.
        std::jthread healer([this, delay = heal_after] {
            std::this_thread::sleep_for(delay);
            filter_->heal(port(cut_node));
        });
        Figures figures;
        const auto plans = small_plans(std::string("heal-") + round);
        auto runs = run_sagas(plans, static_cast<int>(plans.size()), figures);
        healer.join();
        for (const auto& run : runs) {
            EXPECT_TRUE(run.report.ok() || run.report.outcome == SagaOutcome::conflict)
                << "a " << heal_after.count() << " ms cut is far inside the deadline: " << describe(run.report);
        }
        settle(runs, figures);
        figures.print(std::string("cut healed after ") + std::to_string(heal_after.count()) + " ms (" + round +
                      " pool)");
        EXPECT_EQ(figures.violations_at_return + figures.violations_at_rest, 0);
    }
}

// One node loses every POST and nothing else, until it heals: each create gives up on that
// node, deletes what it wrote elsewhere, finds nothing of its own there (its reads pass)
// and ends rolled_back with the group on no node. The POSTs it timed out on were written
// to sockets it then closed; the kernel keeps retransmitting a closed socket's unsent
// bytes, so once the path heals they may still reach the node, after the saga ended.
TEST_F(NetnsCluster, AWriteLostInTransitNeverLandsAfterTheSagaEnds) {
    auto options = lossy_client_options(cluster_->urls(), state_dir_);
    options.retry.attempt_timeout = 1s;
    options.retry.deadline = 4s;
    use_client(options);
    warm_up();
    constexpr int lossy_node = 2;
    filter_->lose_requests_with(port(lossy_node), "POST /");

    Figures figures;
    std::vector<SagaPlan> plans;
    for (int i = 0; i < 3; ++i) {
        plans.push_back({Operation::create, "lost-post-" + std::to_string(i), Presence(node_count, false)});
    }
    auto runs = run_sagas(plans, static_cast<int>(plans.size()), figures);
    for (const auto& run : runs) {
        EXPECT_EQ(run.report.outcome, SagaOutcome::rolled_back) << describe(run.report);
        EXPECT_EQ(presence_of(*cluster_, run.plan.group), Presence(node_count, false)) << describe(run.report);
    }
    const auto returned = std::chrono::steady_clock::now();

    // Heals the path and watches the node until the kernel holds no request for it: when a
    // group shows up there, the log says how long after the saga returned.
    filter_->heal_all();
    const auto healed = std::chrono::steady_clock::now();
    std::vector<bool> landed(runs.size(), false);
    for (int quiet = 0; quiet < 2 && std::chrono::steady_clock::now() < healed + 30s;) {
        quiet = testing::requests_in_flight(ports()) ? 0 : quiet + 1;
        std::this_thread::sleep_for(20ms);
        for (std::size_t i = 0; i < runs.size(); ++i) {
            if (landed[i] || !cluster_->has(lossy_node, runs[i].plan.group)) continue;
            landed[i] = true;
            const auto now = std::chrono::steady_clock::now();
            std::cout << "[netns] " << runs[i].plan.group << " appeared on node " << lossy_node << ' '
                      << std::chrono::duration_cast<milliseconds>(now - returned).count()
                      << " ms after its saga returned rolled_back, "
                      << std::chrono::duration_cast<milliseconds>(now - healed).count() << " ms after the path healed"
                      << std::endl;
        }
    }
    settle(runs, figures);
    figures.print("every POST to one node lost, then healed");
    EXPECT_EQ(figures.violations_at_return + figures.violations_at_rest, 0);
}

}  // namespace
}  // namespace cluster_client
