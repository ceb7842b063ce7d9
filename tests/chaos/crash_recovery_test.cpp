// SPDX-License-Identifier: MIT
// I4: kill the client at any instant, then `recover`: every saga ends all-or-none (I1) and
// never loses a copy that was there before (I3). The client is the real cluster-client
// process; the nodes are reference nodes in this process, so they outlive it.
#include <unistd.h>

#include <filesystem>
#include <map>
#include <thread>
#include <fstream>
#include <random>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "dead_port.hpp"
#include "local_cluster.hpp"
#include "program.hpp"

namespace cluster_client {
namespace {

using namespace std::chrono_literals;
using testing::LocalCluster;
using testing::ProgramOptions;
using testing::ProgramResult;

constexpr int crash_exit_status = 86;  // what the crash hook exits with

std::string join(const std::vector<std::string>& parts) {
    std::string joined;
    for (const auto& part : parts) joined += (joined.empty() ? "" : ",") + part;
    return joined;
}

class CrashRecovery : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
        state_home_ = std::filesystem::path(::testing::TempDir()) /
                      ("crash-" + std::to_string(::getpid()) + "-" + test->name());
        std::filesystem::remove_all(state_home_);
    }
    void TearDown() override { std::filesystem::remove_all(state_home_); }

    ProgramResult cli(std::vector<std::string> args, ProgramOptions options = {}) {
        options.env.emplace_back("HOSTS", std::nullopt);
        options.env.emplace_back("XDG_STATE_HOME", state_home_.string());
        const std::vector<std::string> fast{"--attempts", "3", "--initial-backoff", "1ms", "--max-backoff", "5ms",
                                            "--attempt-timeout", "100ms"};
        args.insert(args.begin(), fast.begin(), fast.end());
        return testing::run_program(CLUSTER_CLIENT_EXE, args, options);
    }

    // Recovers until nothing is left open; every round must be clean or leave work open.
    void recover_all() {
        for (int round = 0; round < 10; ++round) {
            const auto result = cli({"recover"});
            ASSERT_TRUE(result.exit_status == 0 || result.exit_status == 3) << result.out << result.err;
            if (result.exit_status == 0) return;
        }
        FAIL() << "sagas still open after 10 recoveries";
    }

    std::filesystem::path state_home_;
};

std::vector<int> holders(const LocalCluster& cluster, const std::string& id) { return cluster.nodes_with(id); }

std::vector<int> everyone(int count) {
    std::vector<int> nodes;
    for (int i = 0; i < count; ++i) nodes.push_back(i);
    return nodes;
}

// The crash hook ends the process right after its N-th log commit: every point between two
// log writes of one saga, for a create and a delete, with and without a node that is down
// (which makes the saga compensate, so the crash points cover compensation too).
TEST_F(CrashRecovery, CrashBetweenAnyTwoLogWritesIsRecovered) {
    LocalCluster cluster;
    const auto dead = testing::dead_node_url();
    int crashes = 0;
    for (const bool with_dead_node : {false, true}) {
        auto hosts = cluster.urls();
        if (with_dead_node) hosts.push_back(dead);
        for (const std::string operation : {"create", "delete"}) {
            for (int commits = 1; commits <= 12; ++commits) {
                const auto id = operation + "-" + std::to_string(with_dead_node) + "-" + std::to_string(commits);
                // Node 1 holds the group before a create (a copy that is not ours); every
                // node holds it before a delete.
                const auto before = operation == "create" ? std::vector<int>{1} : everyone(3);
                for (const int node : before) cluster.put(node, id);

                ProgramOptions crash;
                crash.env.emplace_back("CLUSTER_CLIENT_CRASH_AFTER_LOG_COMMITS", std::to_string(commits));
                const auto run = cli({"--hosts", join(hosts), operation, id}, crash);
                if (run.exit_status == crash_exit_status) ++crashes;
                ASSERT_TRUE(run.exit_status == crash_exit_status || run.exit_status <= 3) << run.err;
                recover_all();

                const auto now = holders(cluster, id);
                if (operation == "create") {
                    // A create on a node that had a copy is a conflict: it ends as before.
                    EXPECT_EQ(now, before) << id << " after a crash at commit " << commits;
                } else {
                    EXPECT_TRUE(now.empty() || now == before) << id << " after a crash at commit " << commits;
                }
            }
        }
    }
    EXPECT_GT(crashes, 20) << "the crash hook must actually have crashed the client";
}

// kill -9 at seeded random moments during batches against faulty nodes, then recover.
TEST_F(CrashRecovery, KilledBatchesAreRecoveredAllOrNone) {
    reference_node::NodeClusterOptions options;
    options.nodes = 5;
    options.faults.p_500_before = 0.03;
    options.faults.p_500_after = 0.03;
    options.faults.p_reset = 0.02;
    options.faults.latency = 1ms;
    LocalCluster cluster(options);
    std::mt19937_64 random(2026);
    const auto ids_file = state_home_.parent_path() / ("ids-" + std::to_string(::getpid()));

    int killed = 0;
    for (int round = 0; round < 8; ++round) {
        const bool creating = round % 2 == 0;
        std::map<std::string, std::vector<int>> before;
        {
            std::ofstream file(ids_file);
            for (int i = 0; i < 150; ++i) {
                const auto id = "r" + std::to_string(round) + "-" + std::to_string(i);
                file << id << '\n';
                std::vector<int> nodes;
                for (int node = 0; node < 5; ++node) {
                    // Creates: a few groups have a copy already. Deletes: most are everywhere.
                    const bool put = creating ? random() % 20 == 0 : random() % 10 != 0;
                    if (put) {
                        cluster.put(node, id);
                        nodes.push_back(node);
                    }
                }
                before[id] = nodes;
            }
        }
        cluster.set_faults(options.faults);
        ProgramOptions kill;
        kill.kill_after = std::chrono::milliseconds(50 + random() % 400);
        const auto run = cli({"--hosts", join(cluster.urls()), "--output", "json", creating ? "create" : "delete",
                              "--from-file", ids_file.string(), "--concurrency", "32"},
                             kill);
        if (run.exit_status == 137) ++killed;

        recover_all();
        // Recovery under faults may leave work open; a last pass on healthy nodes ends it.
        cluster.set_faults({});
        recover_all();

        for (const auto& [id, nodes] : before) {
            const auto now = holders(cluster, id);
            const bool all_or_none = now.empty() || now == everyone(5);
            EXPECT_TRUE(all_or_none || now == nodes) << id << ": partial after recovery";
            if (creating) {
                for (const int node : nodes) {
                    EXPECT_TRUE(cluster.has(node, id)) << id << ": a copy that was there before was lost";
                }
            }
        }
    }
    std::filesystem::remove(ids_file);
    EXPECT_GT(killed, 0) << "at least one batch must have been killed mid-way";
}

// Two processes sharing a saga log never interleave on one group: the outcomes are those
// of some serial order.
TEST_F(CrashRecovery, TwoProcessesOnOneGroupRunOneAfterTheOther) {
    reference_node::NodeClusterOptions options;
    options.faults.latency = 30ms;  // long enough for the two sagas to overlap
    LocalCluster cluster(options);
    const auto hosts = join(cluster.urls());
    for (int round = 0; round < 4; ++round) {
        const auto id = "shared-" + std::to_string(round);
        ProgramResult create_run;
        std::thread creator([&] { create_run = cli({"--hosts", hosts, "--output", "json", "create", id}); });
        std::this_thread::sleep_for(std::chrono::milliseconds(round * 15));
        const auto delete_run = cli({"--hosts", hosts, "--output", "json", "delete", id});
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
