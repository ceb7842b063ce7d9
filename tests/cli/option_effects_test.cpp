// SPDX-License-Identifier: MIT
// What each option of cluster-client does, seen where it shows: on the nodes' real state,
// in the requests they received, in the saga log's files, in the syscalls the program makes,
// and in its output and exit code. Option parsing and bad values are tested elsewhere
// (option_table_cli_test.cpp, cluster_client_cli_test.cpp); these tests change an option and
// watch the behaviour change.
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "ci.hpp"
#include "client_program.hpp"
#include "dead_port.hpp"
#include "hooked_node.hpp"
#include "local_cluster.hpp"
#include "test_certificates.hpp"
#include "time_scale.hpp"

namespace cluster_client {
namespace {

using namespace std::chrono_literals;
using testing::cli;
using testing::client_state_home;
using testing::HookedNode;
using testing::host_list;
using testing::json_lines;
using testing::LocalCluster;
using testing::ProgramResult;
using testing::with_env;

// cluster-client on `hosts` with retries quick enough that a dead node costs milliseconds.
ProgramResult quick(const std::string& hosts, std::vector<std::string> rest, testing::ProgramOptions options = {}) {
    std::vector<std::string> args{"--hosts",           hosts, "--attempts",    "2",
                                  "--initial-backoff", "1ms", "--max-backoff", "2ms"};
    args.insert(args.end(), rest.begin(), rest.end());
    return cli(args, std::move(options));
}

std::uint16_t port_of(const std::string& url) {
    return static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
}

// A one-node cluster on the port of `url`, where nothing listened so far: a node that was
// down comes back.
std::unique_ptr<LocalCluster> node_back_on(const std::string& url) {
    reference_node::NodeClusterOptions options;
    options.nodes = 1;
    options.base_port = port_of(url);
    return std::make_unique<LocalCluster>(options);
}

// The number of sagas `sagas` printed (text: one "saga N:" line each).
std::size_t sagas_listed(const std::string& out) {
    std::size_t count = 0;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);)
        if (line.starts_with("saga ")) ++count;
    return count;
}

std::string in_ms(std::chrono::milliseconds duration) {
    return std::to_string(testing::scaled(duration).count()) + "ms";
}

// The files in `dir`, recursively ("" when it does not exist).
std::vector<std::string> files_in(const std::filesystem::path& dir) {
    std::vector<std::string> files;
    std::error_code error;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, error)) {
        files.push_back(entry.path().string());
    }
    return files;
}

TEST(OptionEffects, NoSagaLogWritesNoLogAndTheCommandsStillWork) {
    LocalCluster cluster;
    const auto hosts = host_list(cluster.urls());
    const auto state = std::filesystem::path(client_state_home()) / "cluster-client";

    const auto created = cli({"--hosts", hosts, "--no-saga-log", "create", "g1"});
    EXPECT_EQ(created.exit_status, 0) << created.err;
    EXPECT_EQ(cluster.nodes_with("g1"), (std::vector<int>{0, 1, 2}));
    const auto left = quick(hosts + "," + testing::dead_node_url(), {"--no-saga-log", "ensure", "g2"});
    EXPECT_EQ(left.exit_status, 3) << "incomplete, with nothing to recover it from: " << left.err;
    EXPECT_EQ(cluster.nodes_with("g2").size(), 3u);
    const auto deleted = cli({"--hosts", hosts, "--no-saga-log", "delete", "g1", "g2"});
    EXPECT_EQ(deleted.exit_status, 0) << deleted.err;
    EXPECT_TRUE(cluster.nodes_with("g1").empty() && cluster.nodes_with("g2").empty());
    EXPECT_EQ(files_in(client_state_home()), std::vector<std::string>{}) << "no log, nor its directory";

    const auto recover = cli({"--no-saga-log", "recover"});
    EXPECT_EQ(recover.exit_status, 2);
    EXPECT_NE(recover.err.find("recover: needs the saga log (drop --no-saga-log)"), std::string::npos) << recover.err;

    // The same command without the flag writes the log where the test looked for it.
    EXPECT_EQ(cli({"--hosts", hosts, "create", "g3"}).exit_status, 0);
    EXPECT_TRUE(std::filesystem::is_regular_file(state / "sagas.db")) << state;
    const auto listed = cli({"sagas"});
    EXPECT_EQ(sagas_listed(listed.out), 1u) << "only the logged saga: " << listed.out;
}

// An ensure that a down node leaves open; the node comes back; a run with --no-recover
// leaves the saga open and sends nothing for it, and the next run without it closes it.
TEST(OptionEffects, NoRecoverLeavesAnEarlierRunsOpenSagaAlone) {
    LocalCluster cluster;
    const auto hosts = host_list(cluster.urls());
    const auto down = testing::dead_node_url();
    ASSERT_EQ(quick(hosts + "," + down, {"ensure", "g"}).exit_status, 3);
    const auto back = node_back_on(down);

    const auto skipped = quick(hosts, {"--no-recover", "create", "other"});
    EXPECT_EQ(skipped.exit_status, 0) << skipped.err;
    EXPECT_EQ(skipped.err.find("earlier run"), std::string::npos) << skipped.err;
    EXPECT_EQ(cluster.nodes_with("other").size(), 3u);
    EXPECT_EQ(back->requests(0), 0u) << "the open saga's node got requests: it was recovered";
    EXPECT_FALSE(back->has(0, "g"));
    EXPECT_NE(cli({"sagas"}).out.find("1 open saga(s)"), std::string::npos);

    const auto recovered = quick(hosts, {"create", "another"});
    EXPECT_EQ(recovered.exit_status, 0) << recovered.err;
    EXPECT_NE(recovered.err.find("closed a saga an earlier run left open: ensure g -> created"), std::string::npos)
        << recovered.err;
    EXPECT_TRUE(back->has(0, "g"));
    EXPECT_EQ(cluster.nodes_with("g").size(), 3u);
    EXPECT_NE(cli({"sagas"}).out.find("0 open saga(s)"), std::string::npos);
}

// The path of `name` on PATH, or "" when there is none.
std::string on_path(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::istringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
    for (std::string dir; std::getline(dirs, dir, ':');) {
        const auto candidate = std::filesystem::path(dir) / name;
        if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
    return {};
}

// `--durability machine` is SQLite's synchronous=FULL: an fsync per commit, so the syncs grow
// with the sagas; `process` (synchronous=NORMAL in WAL mode) syncs at checkpoints only, so a
// run of 20 sagas syncs no more than a run of 2. Counted by strace, on a fresh log each run.
TEST(OptionEffects, DurabilityMachineSyncsEveryCommitAndProcessDoesNot) {
    const auto strace = on_path("strace");
    if (strace.empty()) CLUSTER_CLIENT_CANNOT_RUN("strace is not installed (scripts/install-deps.sh installs it)");
    LocalCluster cluster;
    const auto hosts = host_list(cluster.urls());
    const auto syncs = [&](const std::string& durability, int sagas) {
        const auto name = durability + "-" + std::to_string(sagas);
        const auto counts = client_state_home() + "-strace-" + name;
        std::vector<std::string> args{"-f",
                                      "-c",
                                      "-e",
                                      "trace=fsync,fdatasync",
                                      "-o",
                                      counts,
                                      CLUSTER_CLIENT_EXE,
                                      "--hosts",
                                      hosts,
                                      "--state-dir",
                                      client_state_home() + "-" + name,
                                      "--durability",
                                      durability,
                                      "--concurrency",
                                      "1",
                                      "create"};
        for (int i = 0; i < sagas; ++i) args.push_back(name + "-" + std::to_string(i));
        testing::ProgramOptions options;
        options.env = {{"HOSTS", std::nullopt}, {"XDG_CONFIG_HOME", testing::client_config_home()}};
        const auto result = testing::run_program(strace, args, options);
        EXPECT_EQ(result.exit_status, 0) << name << ": " << result.err;
        // strace -c: "% time  seconds  usecs/call  calls  [errors]  syscall", one row per call.
        std::ifstream table(counts);
        int total = -1;
        for (std::string line; std::getline(table, line);) {
            std::istringstream words(line);
            std::vector<std::string> columns;
            for (std::string word; words >> word;) columns.push_back(word);
            if (columns.size() >= 5 && (columns.back() == "fsync" || columns.back() == "fdatasync")) {
                total = std::max(total, 0) + std::stoi(columns[3]);
            }
        }
        return std::max(total, 0);
    };
    const int process_2 = syncs("process", 2);
    const int process_20 = syncs("process", 20);
    const int machine_2 = syncs("machine", 2);
    const int machine_20 = syncs("machine", 20);
    if (process_2 + process_20 + machine_2 + machine_20 == 0) {
        CLUSTER_CLIENT_CANNOT_RUN("strace counted no sync at all: it cannot trace here");
    }
    EXPECT_GE(machine_20 - machine_2, 18)
        << "machine: at least one sync per saga (" << machine_2 << " for 2 sagas, " << machine_20 << " for 20)";
    EXPECT_LE(process_20 - process_2, 2) << "process: syncs do not grow with the sagas (" << process_2
                                         << " for 2 sagas, " << process_20 << " for 20)";
    EXPECT_GT(machine_20, process_20 + 18);
}

// A delete that cannot reach one node: rollback (the default) puts the group back wherever
// it deleted it; forward keeps it deleted and leaves the saga open, and a recovery run with
// --delete-mode forward keeps it so while the node is down, then finishes once it is back.
TEST(OptionEffects, DeleteModeRollbackRestoresAndForwardKeepsWhatItDeleted) {
    LocalCluster cluster;
    const auto hosts = host_list(cluster.urls());
    const auto down = testing::dead_node_url();
    ASSERT_EQ(cli({"--hosts", hosts, "create", "r", "f"}).exit_status, 0);

    const auto rolled_back = quick(hosts + "," + down, {"--output", "json", "delete", "r"});
    EXPECT_EQ(rolled_back.exit_status, 1) << rolled_back.err;
    ASSERT_EQ(json_lines(rolled_back.out).size(), 1u) << rolled_back.out;
    const auto rollback = json_lines(rolled_back.out)[0];
    EXPECT_EQ(rollback.at("outcome").as_string(), "rolled_back");
    for (const auto& host : rollback.at("hosts").as_array()) {
        const auto& entry = host.as_object();
        EXPECT_EQ(entry.at("state").as_string(), entry.at("host").as_string() == down ? "failed" : "restored");
    }
    EXPECT_EQ(cluster.nodes_with("r"), (std::vector<int>{0, 1, 2})) << "every copy is back";

    const auto forward = quick(hosts + "," + down, {"--delete-mode", "forward", "--output", "json", "delete", "f"});
    EXPECT_EQ(forward.exit_status, 3) << forward.err;
    ASSERT_EQ(json_lines(forward.out).size(), 1u) << forward.out;
    const auto kept = json_lines(forward.out)[0];
    EXPECT_EQ(kept.at("outcome").as_string(), "incomplete");
    EXPECT_EQ(boost::json::serialize(kept.at("next_step")),
              boost::json::serialize(boost::json::value("run `cluster-client recover` once " + down + " answers")));
    EXPECT_TRUE(cluster.nodes_with("f").empty()) << "what was deleted stays deleted";

    // A delete that went forward stays forward (docs/operations.md): a later run in the
    // default delete mode recovers it first and, with the node still down, keeps the saga
    // open and the copies deleted; it never puts them back.
    const auto unrelated = quick(hosts, {"verify", "other"});
    EXPECT_EQ(unrelated.exit_status, 1) << unrelated.out << unrelated.err;
    EXPECT_NE(unrelated.err.find("still open: delete f (incomplete)"), std::string::npos) << unrelated.err;
    EXPECT_TRUE(cluster.nodes_with("f").empty()) << "a run in the default mode undid the forward delete";
    const auto again = quick(hosts, {"recover"});
    EXPECT_EQ(again.exit_status, 3) << again.out << again.err;
    EXPECT_TRUE(cluster.nodes_with("f").empty());
    const auto back = node_back_on(down);
    back->put(0, "f");
    const auto finished = quick(hosts, {"recover"});
    EXPECT_EQ(finished.exit_status, 0) << finished.out << finished.err;
    EXPECT_FALSE(back->has(0, "f")) << "driven forward on the node that came back";
    EXPECT_TRUE(cluster.nodes_with("f").empty());
}

// strict reads each node before its create (3 requests a node: read, create, verify); fast
// saves that read (2). Deletes read first either way.
TEST(OptionEffects, OwnershipFastSkipsTheReadBeforeACreate) {
    LocalCluster cluster;
    const auto hosts = host_list(cluster.urls());
    const auto strict = cli({"--hosts", hosts, "--output", "json", "create", "s"});
    ASSERT_EQ(strict.exit_status, 0) << strict.err;
    for (int node = 0; node < 3; ++node) EXPECT_EQ(cluster.requests(node), 3u) << "strict, node " << node;
    const auto strict_lines = json_lines(strict.out);
    ASSERT_EQ(strict_lines.size(), 1u) << strict.out;
    for (const auto& host : strict_lines[0].at("hosts").as_array()) {
        EXPECT_EQ(host.at("attempts").as_int64(), 3);
    }

    cluster.clear();
    const auto fast = cli({"--hosts", hosts, "--ownership", "fast", "--output", "json", "create", "f"});
    ASSERT_EQ(fast.exit_status, 0) << fast.err;
    EXPECT_EQ(cluster.nodes_with("f"), (std::vector<int>{0, 1, 2}));
    for (int node = 0; node < 3; ++node) EXPECT_EQ(cluster.requests(node), 2u) << "fast, node " << node;
    const auto fast_lines = json_lines(fast.out);
    ASSERT_EQ(fast_lines.size(), 1u) << fast.out;
    for (const auto& host : fast_lines[0].at("hosts").as_array()) {
        EXPECT_EQ(host.at("attempts").as_int64(), 2);
    }

    cluster.clear();
    cluster.put(0, "d");
    const auto deleted = cli({"--hosts", hosts, "--ownership", "fast", "delete", "d"});
    EXPECT_EQ(deleted.exit_status, 0) << deleted.err;
    EXPECT_EQ(cluster.requests(1), 1u) << "a delete reads first, and a node without the group gets no DELETE";
    EXPECT_TRUE(cluster.nodes_with("d").empty());
}

// `sagas` prints every open saga and the --limit most recent ones, newest first.
TEST(OptionEffects, SagasLimitPrintsTheMostRecentOnes) {
    LocalCluster cluster;
    const auto hosts = host_list(cluster.urls());
    for (int i = 1; i <= 5; ++i) {
        ASSERT_EQ(cli({"--hosts", hosts, "create", "s" + std::to_string(i)}).exit_status, 0);
    }
    const auto two = cli({"sagas", "--limit", "2"});
    EXPECT_EQ(two.exit_status, 0) << two.err;
    EXPECT_EQ(sagas_listed(two.out), 2u) << two.out;
    EXPECT_NE(two.out.find("create s5  closed"), std::string::npos) << two.out;
    EXPECT_NE(two.out.find("create s4  closed"), std::string::npos) << two.out;
    EXPECT_LT(two.out.find("create s5"), two.out.find("create s4")) << "newest first: " << two.out;
    EXPECT_EQ(json_lines(cli({"--output", "json", "sagas", "--limit", "3"}).out).size(), 3u);
    EXPECT_EQ(sagas_listed(cli({"sagas"}).out), 5u) << "the default, 20, shows them all";

    // An open saga is listed whatever the limit.
    ASSERT_EQ(quick(hosts + "," + testing::dead_node_url(), {"ensure", "open"}).exit_status, 3);
    // Without recovering it first, which would make it the most recent saga.
    ASSERT_EQ(cli({"--hosts", hosts, "--no-recover", "create", "s6"}).exit_status, 0);
    const auto zero = cli({"sagas", "--limit", "0"});
    EXPECT_EQ(sagas_listed(zero.out), 1u) << zero.out;
    EXPECT_NE(zero.out.find("ensure open  OPEN"), std::string::npos) << zero.out;
    const auto one = cli({"sagas", "--limit", "1"});
    EXPECT_EQ(sagas_listed(one.out), 2u) << one.out;
    EXPECT_NE(one.out.find("create s6"), std::string::npos) << one.out;
}

// --cert and --key present a client certificate to nodes that require one (mutual TLS).
TEST(OptionEffects, CertAndKeyAreWhatNodesRequiringMutualTlsAccept) {
    const testing::TestCertificates certificates;
    reference_node::NodeClusterOptions options;
    options.tls_cert_file = certificates.node_cert();
    options.tls_key_file = certificates.node_key();
    options.tls_client_ca_file = certificates.ca();
    LocalCluster cluster(options);
    const auto hosts = host_list(cluster.urls());

    const auto anonymous = quick(hosts, {"--ca-file", certificates.ca(), "create", "g"});
    EXPECT_EQ(anonymous.exit_status, 1) << anonymous.out << anonymous.err;
    EXPECT_TRUE(cluster.nodes_with("g").empty());
    for (int node = 0; node < 3; ++node) EXPECT_EQ(cluster.requests(node), 0u) << "node " << node;

    const auto identified = quick(hosts, {"--ca-file", certificates.ca(), "--cert", certificates.client_cert(), "--key",
                                          certificates.client_key(), "create", "g"});
    EXPECT_EQ(identified.exit_status, 0) << identified.out << identified.err;
    EXPECT_EQ(cluster.nodes_with("g"), (std::vector<int>{0, 1, 2}));
    // From the environment as well.
    const auto by_env = quick(hosts, {"delete", "g"},
                              with_env({{"CLUSTER_CLIENT_CA_FILE", certificates.ca()},
                                        {"CLUSTER_CLIENT_CERT", certificates.client_cert()},
                                        {"CLUSTER_CLIENT_KEY", certificates.client_key()}}));
    EXPECT_EQ(by_env.exit_status, 0) << by_env.out << by_env.err;
    EXPECT_TRUE(cluster.nodes_with("g").empty());
}

// Nodes that answer 401 to any request without the right bearer token: the token of
// --token-file or CLUSTER_CLIENT_TOKEN gets through, no token or another one does not.
TEST(OptionEffects, TheTokenIsWhatNodesRequiringOneAccept) {
    const std::string token = "s3cret-Token_1";
    std::vector<std::unique_ptr<HookedNode>> nodes;
    std::vector<std::string> urls;
    for (int i = 0; i < 3; ++i) {
        nodes.push_back(std::make_unique<HookedNode>());
        nodes.back()->set_hook(
            [token](const HookedNode::Request& request, HookedNode&) -> std::optional<HookedNode::Override> {
                if (request.authorization == "Bearer " + token) return std::nullopt;
                return HookedNode::Override{.status = 401};
            });
        urls.push_back(nodes.back()->url());
    }
    const auto hosts = host_list(urls);
    const auto on_none = [&](const std::string& group) {
        for (const auto& node : nodes) {
            if (node->has(group)) return false;
        }
        return true;
    };
    const auto on_all = [&](const std::string& group) {
        for (const auto& node : nodes) {
            if (!node->has(group)) return false;
        }
        return true;
    };

    const auto without = quick(hosts, {"create", "g"});
    EXPECT_EQ(without.exit_status, 1) << without.out << without.err;
    EXPECT_TRUE(on_none("g"));
    const auto wrong = quick(hosts, {"create", "g"}, with_env("CLUSTER_CLIENT_TOKEN", "not-" + token));
    EXPECT_EQ(wrong.exit_status, 1) << wrong.out << wrong.err;
    EXPECT_TRUE(on_none("g"));
    for (const auto& node : nodes) {
        for (const auto& request : node->requests()) {
            EXPECT_NE(request.authorization, "Bearer " + token) << "no run so far had the token";
        }
    }

    const auto token_file = client_state_home() + "-token";
    std::ofstream(token_file) << token << "\n";
    const auto from_file = quick(hosts, {"--token-file", token_file, "create", "g"});
    EXPECT_EQ(from_file.exit_status, 0) << from_file.out << from_file.err;
    EXPECT_TRUE(on_all("g"));
    const auto from_env = quick(hosts, {"delete", "g"}, with_env("CLUSTER_CLIENT_TOKEN", token));
    EXPECT_EQ(from_env.exit_status, 0) << from_env.out << from_env.err;
    EXPECT_TRUE(on_none("g"));
    std::filesystem::remove(token_file);
}

// `demo --nodes N --group G` runs its sagas on a local cluster of N nodes, on group G.
TEST(OptionEffects, DemoUsesTheNodesAndTheGroupItIsGiven) {
    const auto text = cli({"demo", "--no-faults", "--nodes", "5", "--group", "my-team"});
    EXPECT_EQ(text.exit_status, 0) << text.err;
    EXPECT_NE(text.out.find("Local cluster of 5 nodes: http://127.0.0.1:"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("create my-team: created (5/5 hosts"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("node 4 has it\n"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("delete my-team: deleted (5/5 hosts"), std::string::npos) << text.out;
    EXPECT_EQ(text.out.find("node 5 "), std::string::npos) << text.out;
    EXPECT_EQ(text.out.find("demo-group"), std::string::npos) << text.out;

    const auto json = cli({"demo", "--no-faults", "--nodes", "2", "--group", "pair", "--output", "json"});
    EXPECT_EQ(json.exit_status, 0) << json.err;
    const auto lines = json_lines(json.out);
    ASSERT_EQ(lines.size(), 4u) << json.out;
    for (const auto& line : lines) {
        EXPECT_EQ(line.at("group").as_string(), "pair");
        EXPECT_EQ(line.at("hosts").as_array().size(), 2u);
    }
}

// A node whose POST of one group waits until the test lets it go: the saga creating that
// group holds it (and its lease in the saga log) meanwhile.
class HeldCreate {
public:
    HeldCreate() {
        node_.set_hook([this](const HookedNode::Request& request, HookedNode&) -> std::optional<HookedNode::Override> {
            if (request.method == HookedNode::Method::post && request.group == "held") {
                {
                    const std::lock_guard lock(mutex_);
                    if (!reached_set_) {
                        reached_set_ = true;
                        reached_.set_value();
                    }
                }
                released_.wait();
            }
            return std::nullopt;
        });
    }
    ~HeldCreate() { release(); }
    HeldCreate(const HeldCreate&) = delete;
    HeldCreate& operator=(const HeldCreate&) = delete;

    std::string url() const { return node_.url(); }
    bool has(const std::string& group) const { return node_.has(group); }
    /// The reads of the held group the node received.
    int reads() const { return node_.count(HookedNode::Method::get, "held"); }
    bool reached(std::chrono::milliseconds timeout) {
        return reached_future_.wait_for(timeout) == std::future_status::ready;
    }
    void release() {
        const std::lock_guard lock(mutex_);
        if (!released_set_) {
            released_set_ = true;
            release_.set_value();
        }
    }

private:
    std::mutex mutex_;
    std::promise<void> reached_;
    std::future<void> reached_future_ = reached_.get_future();
    bool reached_set_ = false;
    std::promise<void> release_;
    std::shared_future<void> released_ = release_.get_future().share();
    bool released_set_ = false;
    HookedNode node_;  // last: destroyed first, while the promises it waits on still exist
};

// A second process's saga on a group another process holds waits up to --lock-wait: with a
// short wait it ends busy having sent nothing; with a longer one it runs once the first ends.
TEST(OptionEffects, LockWaitIsHowLongASecondProcessWaitsForTheGroup) {
    LocalCluster cluster;
    HeldCreate held;
    const auto hosts = host_list(cluster.urls()) + "," + held.url();
    // Long enough that the held POST does not time out while the test holds it.
    const std::vector<std::string> timing{"--attempt-timeout", in_ms(30s),        "--deadline",
                                          in_ms(30s),          "--saga-deadline", in_ms(60s)};
    const auto run = [&](std::vector<std::string> rest) {
        std::vector<std::string> args{"--hosts", hosts, "--output", "json"};
        args.insert(args.end(), timing.begin(), timing.end());
        args.insert(args.end(), rest.begin(), rest.end());
        return cli(args);
    };

    auto first = std::async(std::launch::async, [&] { return run({"create", "held"}); });
    ASSERT_TRUE(held.reached(testing::scaled(std::chrono::milliseconds(20s)))) << "the create never reached the node";

    const auto started = std::chrono::steady_clock::now();
    const auto impatient = run({"--lock-wait", "300ms", "delete", "held"});
    const auto waited = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(impatient.exit_status, 1) << impatient.out << impatient.err;
    const auto busy = json_lines(impatient.out);
    ASSERT_EQ(busy.size(), 1u) << impatient.out;
    EXPECT_EQ(busy[0].at("outcome").as_string(), "busy");
    EXPECT_GE(waited, 300ms) << "it gave up before its lock wait";
    EXPECT_EQ(held.reads(), 1) << "the busy delete sent nothing (a delete reads first; this is the create's read)";

    auto patient = std::async(std::launch::async, [&] { return run({"--lock-wait", in_ms(60s), "delete", "held"}); });
    // The delete starts while the create holds the group; let it wait a moment, then let the
    // create end. Whenever the delete got to the group, it cannot have run before the create.
    std::this_thread::sleep_for(500ms);
    EXPECT_EQ(held.reads(), 1) << "the patient delete ran while the create held the group";
    held.release();
    const auto created = first.get();
    EXPECT_EQ(created.exit_status, 0) << created.out << created.err;
    const auto deleted = patient.get();
    EXPECT_EQ(deleted.exit_status, 0) << deleted.out << deleted.err;
    ASSERT_EQ(json_lines(deleted.out).size(), 1u) << deleted.out;
    EXPECT_EQ(json_lines(deleted.out)[0].at("outcome").as_string(), "deleted");
    EXPECT_TRUE(cluster.nodes_with("held").empty());
    EXPECT_FALSE(held.has("held"));
}

}  // namespace
}  // namespace cluster_client
