// SPDX-License-Identifier: MIT
// I4: kill the client at any instant, then `recover`: every saga ends all-or-none (I1),
// never loses a copy that was there before nor gains one a rollback invented (I3), and
// every report it printed before it died still holds (I2). The client is the real
// cluster-client process; the nodes are reference nodes in this process, so they outlive it.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <thread>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <cluster_client/report.hpp>

#include "dead_port.hpp"
#include "local_cluster.hpp"
#include "presence.hpp"
#include "program.hpp"
#include "test_directory.hpp"
#include "time_scale.hpp"

namespace cluster_client {
namespace {

using namespace std::chrono_literals;
using testing::LocalCluster;
using testing::ProgramOptions;
using testing::ProgramResult;

constexpr int crash_exit_status = 86;  // what the crash hook exits with
constexpr int sigkill_exit_status = 128 + 9;

std::string join(const std::vector<std::string>& parts) {
    std::string joined;
    for (const auto& part : parts) joined += (joined.empty() ? "" : ",") + part;
    return joined;
}

/// Which nodes hold a group: entry i for node i.
using Presence = std::vector<bool>;

Presence presence_of(const LocalCluster& cluster, const std::string& id) {
    Presence presence;
    for (int node = 0; node < cluster.size(); ++node) presence.push_back(cluster.has(node, id));
    return presence;
}

Presence presence_on(int count, const std::vector<int>& nodes) {
    Presence presence(static_cast<std::size_t>(count), false);
    for (const int node : nodes) presence.at(static_cast<std::size_t>(node)) = true;
    return presence;
}

std::string text_of(const Presence& presence) {
    std::string text = "[";
    for (const bool held : presence) text += held ? '1' : '0';
    return text + "]";
}

// I1 and I3 once every saga is closed, for a group that was on `before` when a create or a
// delete of it began. All or none of the saga's writes: a create leaves the group on every
// node or as it was, a delete on no node or as it was. I3: a create never deletes a copy it
// did not make; a delete's rollback never creates one where there was none. `may_finish` is
// false when the saga cannot have succeeded (a node it needs is down): then only "as it
// was" is left. Empty when nothing is broken.
std::string broken_invariants(bool creating, const Presence& before, const Presence& now, bool may_finish = true) {
    std::string broken;
    const Presence finished(now.size(), creating);
    if (now != before && !(may_finish && now == finished)) {
        broken += " I1: " + text_of(now) + " is neither as before (" + text_of(before) + ")" +
                  (may_finish ? std::string(" nor on ") + (creating ? "every" : "no") + " node" : std::string()) + ";";
    }
    for (std::size_t node = 0; node < now.size(); ++node) {
        if (creating && before[node] && !now[node]) {
            broken += " I3: node " + std::to_string(node) + " lost a copy that was there before the create;";
        }
        if (!creating && !before[node] && now[node]) {
            broken += " I3: node " + std::to_string(node) + " gained a copy it lacked before the delete;";
        }
    }
    return broken;
}

// The reports a run printed: its complete lines only, since a kill may cut the last one.
std::vector<boost::json::object> printed_reports(const std::string& out) {
    std::vector<boost::json::object> reports;
    std::size_t start = 0;
    for (auto end = out.find('\n'); end != std::string::npos; end = out.find('\n', start)) {
        reports.push_back(boost::json::parse(out.substr(start, end - start)).as_object());
        start = end + 1;
    }
    return reports;
}

std::optional<HostState> host_state_named(std::string_view name) {
    using enum HostState;
    for (const auto state : {unknown, already_present, already_absent, created, deleted, present, absent, failed,
                             rolled_back, restored, rollback_failed}) {
        if (to_string(state) == name) return state;
    }
    return std::nullopt;
}

// What every node holds once a saga ended with `outcome` and nothing reopened it; nullopt
// for an outcome that leaves work for recovery.
std::optional<Presence> presence_after(std::string_view outcome, const Presence& before) {
    if (outcome == "created" || outcome == "already_exists") return Presence(before.size(), true);
    if (outcome == "deleted" || outcome == "not_found") return Presence(before.size(), false);
    // A conflict and a rollback undo every write of ours; busy sent nothing.
    if (outcome == "rolled_back" || outcome == "conflict" || outcome == "busy") return before;
    return std::nullopt;
}

// I2: a report the client printed against what the saga's hosts (`urls`, in order) hold now.
// A saga that printed its report is closed, so recovery never touched its group again: the
// outcome and every host's state must still be true. A report that left work open only
// claims what recovery must finish, which broken_invariants checks. Empty when it holds.
std::string untrue_report(const boost::json::object& report, const std::vector<std::string>& urls,
                          const Presence& before, const Presence& now) {
    const std::string outcome(report.at("outcome").as_string());
    std::string broken;
    const auto expected = presence_after(outcome, before);
    if (expected && *expected != now) {
        broken += " outcome " + outcome + " but the nodes hold " + text_of(now) + ", expected " + text_of(*expected) +
                  " (before " + text_of(before) + ");";
    }
    if (outcome == "rollback_incomplete" || outcome == "incomplete") return broken;
    const auto& hosts = report.at("hosts").as_array();
    if (hosts.size() != now.size()) return broken + " " + std::to_string(hosts.size()) + " hosts reported;";
    for (std::size_t node = 0; node < hosts.size(); ++node) {
        const auto& host = hosts[node].as_object();
        const std::string url(host.at("host").as_string());
        const std::string state_name(host.at("state").as_string());
        if (url != urls.at(node)) {
            broken += " host " + std::to_string(node) + " is " + url + ", not " + urls.at(node) + ";";
            continue;
        }
        const auto state = host_state_named(state_name);
        if (!state) {
            broken += " node " + std::to_string(node) + " has an unknown state " + state_name + ";";
            continue;
        }
        const auto held = testing::reported_presence(*state, before[node]);
        if (held && *held != now[node]) {
            broken += " node " + std::to_string(node) + " reported " + state_name + " but " +
                      (now[node] ? "holds" : "lacks") + " the group;";
        }
    }
    return broken;
}

std::vector<int> holders(const LocalCluster& cluster, const std::string& id) {
    return cluster.nodes_with(id);
}

std::vector<int> everyone(int count) {
    std::vector<int> nodes;
    for (int i = 0; i < count; ++i) nodes.push_back(i);
    return nodes;
}

// What the nodes do around a crash in CrashRecovery::crash_at_every_commit.
enum class NodeTrouble {
    none,
    down_throughout,             ///< a fourth host is down: the saga must compensate
    unreadable_during_recovery,  ///< node 1 answers 500 to all of the first recovery
};

class CrashRecovery : public ::testing::Test {
protected:
    ProgramResult cli(std::vector<std::string> args, ProgramOptions options = {}) {
        options.env.emplace_back("HOSTS", std::nullopt);
        options.env.emplace_back("XDG_STATE_HOME", state_home_.path().string());
        options.timeout = testing::scaled(options.timeout);
        // A compensation keeps trying until the saga deadline: short ones keep a node that
        // stays down from costing each case the default 30 s.
        const std::vector<std::string> fast{"--attempts",    "3",   "--initial-backoff", "1ms",
                                            "--max-backoff", "5ms", "--attempt-timeout", "100ms",
                                            "--deadline",    "1s",  "--saga-deadline",   "2s"};
        args.insert(args.begin(), fast.begin(), fast.end());
        return testing::run_program(CLUSTER_CLIENT_EXE, args, options);
    }

    // One `recover`, which must be clean or leave work open. Returns the reports of the
    // sagas it closed, by group; `open` says whether it left some open.
    std::map<std::string, boost::json::object> recover_once(bool* open = nullptr) {
        std::map<std::string, boost::json::object> closed;
        const auto result = cli({"--output", "json", "recover"});
        EXPECT_TRUE(result.exit_status == 0 || result.exit_status == 3) << result.out << result.err;
        for (auto& report : printed_reports(result.out)) {
            const std::string outcome(report.at("outcome").as_string());
            if (outcome == "rollback_incomplete" || outcome == "incomplete") continue;
            closed[std::string(report.at("group").as_string())] = std::move(report);
        }
        if (open != nullptr) *open = result.exit_status == 3;
        return closed;
    }

    // Recovers until nothing is left open. Returns the reports of the sagas it closed.
    std::map<std::string, boost::json::object> recover_all() {
        std::map<std::string, boost::json::object> closed;
        for (int round = 0; round < 10; ++round) {
            bool open = false;
            closed.merge(recover_once(&open));
            if (!open) return closed;
        }
        ADD_FAILURE() << "sagas still open after 10 recoveries";
        return closed;
    }

    void crash_at_every_commit(NodeTrouble trouble);
    void kill_batches_mid_way(const std::string& ownership);

    testing::TestDirectory state_home_{"crash"};
};

// The crash hook ends the process right after its N-th log commit. For N from 1 up past a
// saga's last commit, runs one saga with the hook, recovers, and checks the nodes (I1, I3)
// and every report printed, by the run or by recovery (I2), for each path a saga can take:
// a plain create, a create over a copy that is not ours (a conflict), a plain delete, and a
// delete of a group some node lacks.
void CrashRecovery::crash_at_every_commit(NodeTrouble trouble) {
    struct Case {
        std::string name;
        std::string operation;
        std::vector<int> before;  ///< the nodes holding the group before the saga
    };
    const std::vector<Case> cases{
        {"plain-create", "create", {}},
        {"create-over-a-copy", "create", {1}},
        {"plain-delete", "delete", {0, 1, 2}},
        {"delete-of-a-partial-group", "delete", {0, 2}},
    };
    constexpr int max_commits = 16;
    LocalCluster cluster;
    auto hosts = cluster.urls();
    const bool with_dead_node = trouble == NodeTrouble::down_throughout;
    if (with_dead_node) hosts.push_back(testing::dead_node_url());
    const std::string trouble_text = trouble == NodeTrouble::down_throughout ? " with a node down"
                                     : trouble == NodeTrouble::unreadable_during_recovery
                                         ? " with node 1 failing during the first recovery"
                                         : "";
    for (const auto& c : cases) {
        const bool creating = c.operation == "create";
        const auto before = presence_on(cluster.size(), c.before);
        const std::string where = c.name + trouble_text;
        int crashes = 0;
        int recoveries = 0;
        int finished_runs = 0;
        for (int commits = 1; commits <= max_commits; ++commits) {
            const auto id = c.name + "-" + std::to_string(static_cast<int>(trouble)) + "-" + std::to_string(commits);
            for (const int node : c.before) cluster.put(node, id);

            ProgramOptions crash;
            crash.env.emplace_back("CLUSTER_CLIENT_CRASH_AFTER_LOG_COMMITS", std::to_string(commits));
            const auto run = cli({"--hosts", join(hosts), "--output", "json", c.operation, id}, crash);
            ASSERT_TRUE(run.exit_status == crash_exit_status || run.exit_status <= 3) << run.err;
            if (run.exit_status == crash_exit_status) {
                ++crashes;
            } else {
                ++finished_runs;
            }
            const auto reports = printed_reports(run.out);
            ASSERT_LE(reports.size(), 1u) << run.out;
            std::map<std::string, boost::json::object> recovered;
            if (trouble == NodeTrouble::unreadable_during_recovery) {
                cluster.set_faults({.p_500_before = 1.0, .faulty_nodes = {1}});
                recovered = recover_once();
                cluster.set_faults({});
            }
            recovered.merge(recover_all());

            const auto now = presence_of(cluster, id);
            // A conflict always ends as before, and so does any saga that needs the node that
            // is down: only those without either may end on every node (create) or on none
            // (delete).
            const bool may_finish = !with_dead_node && c.name != "create-over-a-copy";
            EXPECT_EQ(broken_invariants(creating, before, now, may_finish), "")
                << where << ": " << id << " after a crash at commit " << commits;
            // What the run printed, if it got that far, and what recovery printed when it
            // closed the saga, must both be true. The node that is down holds nothing.
            auto before_on_hosts = before;
            auto now_on_hosts = now;
            if (with_dead_node) {
                before_on_hosts.push_back(false);
                now_on_hosts.push_back(false);
            }
            if (!reports.empty()) {
                EXPECT_EQ(untrue_report(reports.front(), hosts, before_on_hosts, now_on_hosts), "")
                    << where << ": " << id << " printed " << boost::json::serialize(reports.front());
            }
            if (const auto it = recovered.find(id); it != recovered.end()) {
                ++recoveries;
                EXPECT_EQ(untrue_report(it->second, hosts, before_on_hosts, now_on_hosts), "")
                    << where << ": " << id << " crashed at commit " << commits << ", recovery printed "
                    << boost::json::serialize(it->second);
            }
        }
        std::cout << "[crash] " << where << ": crashed after each of its first " << crashes
                  << " log commits, recovery closed " << recoveries << " of those sagas" << std::endl;
        // Crashes at the first commits, and a run past the saga's last commit, so that every
        // point between two of its log writes was crashed at.
        EXPECT_GE(crashes, 3) << where << ": the crash hook must actually have crashed the client";
        EXPECT_GE(recoveries, 1) << where << ": some crash must have left a saga for recovery to close";
        EXPECT_GE(finished_runs, 1) << where << ": a saga with more than " << max_commits
                                    << " commits is not crashed at its last ones";
    }
}

// Every crash point, on healthy nodes and with a node that is down (which makes the saga
// compensate, so the crash points cover compensation too).
TEST_F(CrashRecovery, CrashBetweenAnyTwoLogWritesIsRecovered) {
    crash_at_every_commit(NodeTrouble::none);
    crash_at_every_commit(NodeTrouble::down_throughout);
}

// Every crash point, then a recovery during which node 1 cannot be read: recovery cannot
// know what that node holds, so it must leave the saga open rather than close it on a
// guess; the next recovery, on healthy nodes, ends it.
TEST_F(CrashRecovery, ANodeFailingDuringRecoveryLeavesTheSagaOpenUntilItAnswers) {
    crash_at_every_commit(NodeTrouble::unreadable_during_recovery);
}

// kill -9 in the middle of batches against faulty nodes, then recover. Before each batch the
// test knows which nodes hold each group; after recovery every group must keep I1 and I3
// against that, and every report printed, before the kill or by recovery, must still be
// true of the nodes (I2). With ownership strict some groups are on a few nodes before the
// batch (a create of them is a conflict, a delete leaves the others alone); with fast, whose
// rollback may take a copy that was there before for its own (docs/sagas.md), every group is
// where the batch expects it: on no node before a create, on every node before a delete.
void CrashRecovery::kill_batches_mid_way(const std::string& ownership) {
    constexpr int node_count = 5;
    constexpr std::size_t batch = 240;
    constexpr int concurrency = 16;
    reference_node::NodeClusterOptions options;
    options.nodes = node_count;
    options.faults.p_500_before = 0.03;
    options.faults.p_500_after = 0.03;
    options.faults.p_reset = 0.02;
    // Every request waits this long, so that a batch lasts: once the kill's line is printed,
    // the sagas still to run take about a second, and the kill lands among them.
    options.faults.latency = 10ms;
    LocalCluster cluster(options);
    std::mt19937_64 random(2026);
    const bool strict = ownership == "strict";
    const auto ids_file = state_home_.path().parent_path() / ("ids-" + std::to_string(::getpid()));

    std::size_t printed_total = 0;
    std::size_t recovered_total = 0;
    std::map<std::string, int> outcomes_printed;
    for (int round = 0; round < 8; ++round) {
        const bool creating = round % 2 == 0;
        std::map<std::string, Presence> before;
        cluster.set_faults({});
        {
            std::ofstream file(ids_file);
            for (std::size_t i = 0; i < batch; ++i) {
                const auto id = ownership + "-r" + std::to_string(round) + "-" + std::to_string(i);
                file << id << '\n';
                // Strict creates: most groups on no node, some on a few, some on all. Strict
                // deletes: most on all, some on a few, some on none.
                const auto kind = random() % 20;
                Presence presence(node_count, false);
                if (strict && kind < 5) {
                    while (true) {
                        for (auto&& held : presence) held = random() % 2 == 0;
                        const auto holders = std::count(presence.begin(), presence.end(), true);
                        if (holders > 0 && holders < node_count) break;
                    }
                } else {
                    const bool usual = !strict || kind < 17;
                    presence.assign(node_count, creating ? !usual : usual);
                }
                for (int node = 0; node < node_count; ++node) {
                    if (presence[static_cast<std::size_t>(node)]) cluster.put(node, id);
                }
                before[id] = presence;
            }
        }
        cluster.set_faults(options.faults);
        ProgramOptions kill;
        kill.kill_after_lines = 1 + random() % (batch * 3 / 4);
        const auto run = cli({"--ownership", ownership, "--hosts", join(cluster.urls()), "--output", "json",
                              creating ? "create" : "delete", "--from-file", ids_file.string(), "--concurrency",
                              std::to_string(concurrency)},
                             kill);
        const auto reports = printed_reports(run.out);
        // Still running when killed: it died by the SIGKILL, with reports left to print and
        // (checked after recovery) sagas open in its log.
        ASSERT_EQ(run.exit_status, sigkill_exit_status)
            << "round " << round << ": the batch ended before the kill (" << reports.size() << " reports): " << run.err;
        ASSERT_GE(reports.size(), *kill.kill_after_lines);
        ASSERT_LT(reports.size(), batch) << "round " << round << ": every saga had ended before the kill";
        printed_total += reports.size();
        // A request the client sent just before it died still lands (after the node's
        // latency); no recovery can read what has not landed yet, so let it land first.
        std::this_thread::sleep_for(testing::scaled(200ms));

        auto recovered = recover_all();
        // Recovery under faults may leave work open; a last pass on healthy nodes ends it.
        cluster.set_faults({});
        recovered.merge(recover_all());
        recovered_total += recovered.size();
        // Every worker has a saga open while ids are left, so a kill mid-batch leaves some;
        // none means the sagas had all ended and only their printing was cut short.
        EXPECT_FALSE(recovered.empty()) << "round " << round << ": no saga was open when the kill landed";

        const std::string batch_text = ownership + " " + (creating ? "create" : "delete") + " batch";
        for (const auto& [id, held_before] : before) {
            EXPECT_EQ(broken_invariants(creating, held_before, presence_of(cluster, id)), "")
                << id << " after a killed " << batch_text << " and recovery";
        }
        for (const auto& report : reports) {
            const std::string group(report.at("group").as_string());
            const std::string outcome(report.at("outcome").as_string());
            ++outcomes_printed[outcome];
            ASSERT_TRUE(before.contains(group)) << boost::json::serialize(report);
            EXPECT_EQ(untrue_report(report, cluster.urls(), before.at(group), presence_of(cluster, group)), "")
                << "round " << round << " (" << batch_text << ") printed " << boost::json::serialize(report);
            if (outcome != "rollback_incomplete" && outcome != "incomplete") {
                EXPECT_FALSE(recovered.contains(group))
                    << group << ": it printed " << outcome << ", which closes a saga, yet recovery closed it";
            }
        }
        for (const auto& [group, report] : recovered) {
            ASSERT_TRUE(before.contains(group)) << boost::json::serialize(report);
            EXPECT_EQ(untrue_report(report, cluster.urls(), before.at(group), presence_of(cluster, group)), "")
                << "round " << round << " (" << batch_text << "), recovery printed " << boost::json::serialize(report);
        }
    }
    std::filesystem::remove(ids_file);
    std::string tally;
    for (const auto& [outcome, count] : outcomes_printed) tally += " " + outcome + " " + std::to_string(count);
    std::cout << "[crash] " << ownership << ": " << printed_total << " reports printed before the kills:" << tally
              << "; " << recovered_total << " sagas closed by recovery" << std::endl;
    EXPECT_GT(printed_total, 0u);
}

TEST_F(CrashRecovery, KilledBatchesAreRecoveredAllOrNone) {
    kill_batches_mid_way("strict");
}

TEST_F(CrashRecovery, KilledFastOwnershipBatchesAreRecoveredAllOrNone) {
    kill_batches_mid_way("fast");
}

// Two processes sharing a saga log never interleave on one group: the outcomes are those
// of some serial order.
TEST_F(CrashRecovery, TwoProcessesOnOneGroupRunOneAfterTheOther) {
    reference_node::NodeClusterOptions options;
    options.faults.latency = 30ms;  // long enough for the two sagas to overlap
    LocalCluster cluster(options);
    const auto hosts = join(cluster.urls());
    // The default timeouts, stretched as a sanitizer slows the nodes down: under one, with
    // another test beside it, a request could outlast the default 2 s and fail a saga that
    // has nothing to do with what this test checks.
    auto in_ms = [](std::chrono::milliseconds duration) {
        return std::to_string(testing::scaled(duration).count()) + "ms";
    };
    const std::vector<std::string> common{"--hosts",           hosts,      "--output",    "json",
                                          "--attempt-timeout", in_ms(2s),  "--deadline",  in_ms(15s),
                                          "--saga-deadline",   in_ms(30s), "--lock-wait", in_ms(10s)};
    auto run = [&](const std::string& command, const std::string& id) {
        auto args = common;
        args.insert(args.end(), {command, id});
        return cli(args);
    };
    for (int round = 0; round < 4; ++round) {
        const auto id = "shared-" + std::to_string(round);
        ProgramResult create_run;
        std::thread creator([&] { create_run = run("create", id); });
        std::this_thread::sleep_for(std::chrono::milliseconds(round * 15));
        const auto delete_run = run("delete", id);
        creator.join();

        ASSERT_FALSE(create_run.out.empty()) << "create exited " << create_run.exit_status << ": " << create_run.err;
        ASSERT_FALSE(delete_run.out.empty()) << "delete exited " << delete_run.exit_status << ": " << delete_run.err;
        const auto created = boost::json::parse(create_run.out).as_object().at("outcome").as_string();
        const auto deleted = boost::json::parse(delete_run.out).as_object().at("outcome").as_string();
        const auto now = holders(cluster, id);
        const bool create_then_delete = created == "created" && deleted == "deleted" && now.empty();
        const bool delete_then_create = created == "created" && deleted == "not_found" && now == everyone(3);
        EXPECT_TRUE(create_then_delete || delete_then_create)
            << "create " << created << ", delete " << deleted << ", " << now.size() << " holders";
    }
}

}  // namespace
}  // namespace cluster_client
