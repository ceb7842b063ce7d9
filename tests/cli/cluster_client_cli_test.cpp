// SPDX-License-Identifier: MIT
// cluster-client run as a process against reference nodes: exit codes, printed output, and
// the nodes' real state.
#include <filesystem>
#include <fstream>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <cluster_client/version.hpp>

#include "client_program.hpp"
#include "dead_port.hpp"
#include "local_cluster.hpp"
#include "test_certificates.hpp"

namespace cluster_client {
namespace {

using testing::cli;
using testing::client_config_home;
using testing::client_state_home;
using testing::host_list;
using testing::json_lines;
using testing::LocalCluster;
using testing::ProgramResult;
using testing::with_env;

TEST(Cli, CreatesVerifiesAndDeletesOnThreeNodes) {
    LocalCluster cluster;
    const auto hosts = host_list(cluster.urls());

    auto created = cli({"--hosts", hosts, "create", "g1"});
    EXPECT_EQ(created.exit_status, 0) << created.err;
    EXPECT_NE(created.out.find("create g1: created (3/3 hosts"), std::string::npos) << created.out;
    EXPECT_EQ(cluster.nodes_with("g1"), (std::vector<int>{0, 1, 2}));

    auto verified = cli({"--hosts", hosts, "verify", "g1"});
    EXPECT_EQ(verified.exit_status, 0) << verified.err;
    EXPECT_NE(verified.out.find("HOST"), std::string::npos) << "a per-host table";
    EXPECT_NE(verified.out.find(cluster.url(2) + "  present"), std::string::npos) << verified.out;

    auto deleted = cli({"--hosts", hosts, "delete", "g1"});
    EXPECT_EQ(deleted.exit_status, 0) << deleted.err;
    EXPECT_TRUE(cluster.nodes_with("g1").empty());
}

TEST(Cli, TheLibrarysLogsFollowTheLogLevelAndNeverReachStdout) {
    LocalCluster cluster;
    const auto hosts = host_list(cluster.urls());

    // warn, the default: a saga that goes well logs nothing, and stdout holds the result only.
    const auto quiet = cli({"--hosts", hosts, "create", "g1"});
    EXPECT_EQ(quiet.exit_status, 0) << quiet.err;
    EXPECT_EQ(quiet.out.find("saga create"), std::string::npos) << quiet.out;
    EXPECT_EQ(quiet.err.find("saga create"), std::string::npos) << quiet.err;

    // info: the library's line per saga goes to stderr, through the program's logger.
    const auto told = cli({"--hosts", hosts, "--log-level", "info", "delete", "g1"});
    EXPECT_EQ(told.exit_status, 0) << told.err;
    EXPECT_EQ(told.out.find("saga delete"), std::string::npos) << told.out;
    EXPECT_NE(told.err.find("saga delete g1: deleted"), std::string::npos) << told.err;
}

TEST(Cli, JsonLinesHaveTheDocumentedFields) {
    LocalCluster cluster;
    auto result = cli({"--hosts", host_list(cluster.urls()), "--output", "json", "create", "a", "b"});
    ASSERT_EQ(result.exit_status, 0) << result.err;
    const auto lines = json_lines(result.out);
    ASSERT_EQ(lines.size(), 2u);
    for (const auto& line : lines) {
        for (const char* key : {"group", "operation", "outcome", "ok", "hosts", "duration_ms"}) {
            EXPECT_TRUE(line.contains(key)) << key;
        }
        EXPECT_EQ(line.at("operation").as_string(), "create");
        EXPECT_EQ(line.at("outcome").as_string(), "created");
        EXPECT_TRUE(line.at("ok").as_bool());
        const auto& hosts = line.at("hosts").as_array();
        ASSERT_EQ(hosts.size(), 3u);
        const auto& host = hosts[0].as_object();
        for (const char* key : {"host", "state", "attempts", "error"}) EXPECT_TRUE(host.contains(key)) << key;
        EXPECT_EQ(host.at("state").as_string(), "created");
        EXPECT_EQ(host.at("attempts").as_int64(), 3);
        EXPECT_TRUE(host.at("error").is_null());
    }
}

TEST(Cli, HostsComeFromTheEnvironment) {
    LocalCluster cluster;
    testing::ProgramOptions options;
    options.env.emplace_back("HOSTS", host_list(cluster.urls()));
    options.env.emplace_back("XDG_STATE_HOME", client_state_home());
    auto result = testing::run_program(CLUSTER_CLIENT_EXE, {"create", "from-env"}, options);
    EXPECT_EQ(result.exit_status, 0) << result.err;
    EXPECT_EQ(cluster.nodes_with("from-env").size(), 3u);
}

TEST(Cli, EmptyIdIsAUsageErrorNamingTheRule) {
    LocalCluster cluster;
    auto result = cli({"--hosts", host_list(cluster.urls()), "create", ""});
    EXPECT_EQ(result.exit_status, 2);
    EXPECT_NE(result.err.find("group id must be 1 to 255 bytes"), std::string::npos) << result.err;
    for (int i = 0; i < 3; ++i) EXPECT_EQ(cluster.requests(i), 0u) << "nothing is sent";
}

TEST(Cli, BadInputIsExitTwoBeforeAnyRequest) {
    LocalCluster cluster;
    const auto hosts = host_list(cluster.urls());
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
        {{"--hosts", hosts, "create", std::string(256, 'x')}, "1 to 255 bytes"},
        {{"--hosts", hosts, "create", "ok", "bad\x01id"}, "control character"},
        {{"--hosts", hosts, "create", "\xC3("}, "UTF-8"},
        {{"--hosts", "ftp://127.0.0.1:1", "create", "g"}, "scheme"},
        {{"--hosts", "127.0.0.1:99999", "create", "g"}, "port"},
        {{"--hosts", cluster.url(0) + "," + cluster.url(0), "create", "g"}, "same node"},
        {{"create", "g"}, "no hosts"},
        {{"--hosts", hosts, "--deadline", "5", "create", "g"}, "unit"},
        {{"--hosts", hosts, "--attempt-timeout", "-1s", "create", "g"}, "attempt-timeout"},
        {{"--hosts", hosts, "--attempts", "0", "create", "g"}, "--attempts"},
        {{"--hosts", hosts, "--output", "xml", "create", "g"}, "--output"},
        {{"--hosts", hosts, "create"}, "give group ids"},
        {{"--hosts", hosts, "frobnicate", "g"}, "frobnicate"},
        {{"--hosts", hosts, "create", "--from-file", "/nonexistent/ids.txt"}, "cannot open"},
        {{"--hosts", hosts, "create", "ok", std::string(300, 'y')}, "1 to 255 bytes"},
        {{"--hosts", hosts, "create", "tab\there"}, "control character"},
        {{"--hosts", hosts, "create", "\xFF\xFE"}, "UTF-8"},
        {{"--hosts", hosts, "create", "over\xC0\xAFlong"}, "UTF-8"},
        {{"--hosts", "http://", "create", "g"}, "host name is empty"},
        {{"--hosts", "http://:8080", "create", "g"}, "host name is empty"},
        {{"--hosts", "127.0.0.1:abc", "create", "g"}, "port must be a number"},
        {{"--hosts", "127.0.0.1:0", "create", "g"}, "port must be 1 to 65535"},
        {{"--hosts", "http://127.0.0.1:1,HTTP://127.0.0.1:1/", "create", "g"}, "same node"},
        {{"--hosts", hosts, "--deadline", "5parsecs", "create", "g"}, "unknown unit \"parsecs\""},
        {{"--hosts", hosts, "--lock-wait", "99999999999999h", "create", "g"}, "too large"},
        {{"--hosts", hosts, "--deadline", "0s", "create", "g"}, "--deadline: retry: deadline must be positive"},
        {{"--hosts", hosts, "--breaker-cooldown", "0ms", "create", "g"},
         "--breaker-cooldown: retry: breaker_cooldown must be positive"},
        {{"--hosts", hosts, "--saga-deadline", "10s", "create", "g"},
         "--saga-deadline: retry: saga_deadline must be at least deadline"},
        {{"--hosts", hosts, "--attempts", "abc", "create", "g"}, "--attempts: must be a whole number"},
        {{"--hosts", hosts, "--attempts", "99999999999", "create", "g"},
         "--attempts: must be a whole number from 0 to 2147483647"},
        {{"--hosts", hosts, "--retry-budget", "0", "create", "g"},
         "--retry-budget: retry: budget_tokens must be at least 1"},
        {{"--hosts", hosts, "--breaker-failures", "-1", "create", "g"}, "--breaker-failures: must be a whole number"},
        {{"--hosts", hosts, "create", "--concurrency", "lots", "g"}, "--concurrency: must be a whole number"},
        {{"--hosts", hosts, "create", "--concurrency", "0", "g"}, "--concurrency: must be from 1 to 100000"},
        {{"--hosts", hosts, "--config", "/", "create", "g"}, "not a readable file"},
    };
    for (const auto& [args, message] : cases) {
        auto result = cli(args);
        EXPECT_EQ(result.exit_status, 2) << args.back() << ": " << result.err;
        EXPECT_NE(result.err.find(message), std::string::npos) << "expected '" << message << "' in: " << result.err;
    }
    for (int i = 0; i < 3; ++i) EXPECT_EQ(cluster.requests(i), 0u) << "nothing is sent";
}

TEST(Cli, DotSegmentIdsAreRefusedBeforeAnyRequest) {
    // As the GET's path segment, /v1/group/../ is /v1/ to a normalising server or proxy: the
    // read would name another resource than the write, so these ids never reach a node.
    LocalCluster cluster;
    const auto hosts = host_list(cluster.urls());
    for (const std::string command : {"create", "delete", "ensure", "verify"}) {
        for (const std::string id : {".", ".."}) {
            auto result = cli({"--hosts", hosts, command, "fine", id});
            EXPECT_EQ(result.exit_status, 2) << command << " " << id << ": " << result.err;
            EXPECT_NE(result.err.find("group id must not be '.' or '..' (dot-segments in a URL path)"),
                      std::string::npos)
                << command << " " << id << ": " << result.err;
            EXPECT_EQ(result.out, "") << command << " " << id;
        }
    }
    const std::string path = ::testing::TempDir() + "cli_dot_ids.txt";
    {
        std::FILE* file = std::fopen(path.c_str(), "w");
        ASSERT_NE(file, nullptr);
        std::fputs("fine\n...\n..\n", file);
        std::fclose(file);
    }
    auto from_file = cli({"--hosts", hosts, "create", "--from-file", path});
    EXPECT_EQ(from_file.exit_status, 2) << from_file.err;
    EXPECT_NE(from_file.err.find("line 3"), std::string::npos) << from_file.err;
    EXPECT_NE(from_file.err.find("dot-segments"), std::string::npos) << from_file.err;
    std::remove(path.c_str());
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(cluster.requests(i), 0u) << "nothing is sent";
        EXPECT_TRUE(cluster.groups(i).empty());
    }

    // Only the two dot-segments are refused: other ids with dots are plain segment text.
    auto dotted = cli({"--hosts", hosts, "create", "...", ".a"});
    EXPECT_EQ(dotted.exit_status, 0) << dotted.out << dotted.err;
    EXPECT_EQ(cluster.nodes_with("...").size(), 3u);
    EXPECT_EQ(cluster.nodes_with(".a").size(), 3u);
    auto verified = cli({"--hosts", hosts, "verify", "...", ".a"});
    EXPECT_EQ(verified.exit_status, 0) << verified.out << verified.err;
}

// cluster-client on `hosts` with retries quick enough that a dead node costs milliseconds.
testing::ProgramResult quick(const std::string& hosts, std::vector<std::string> rest) {
    std::vector<std::string> args{"--hosts",           hosts, "--attempts",    "2",
                                  "--initial-backoff", "1ms", "--max-backoff", "2ms"};
    args.insert(args.end(), rest.begin(), rest.end());
    return cli(args);
}

TEST(Cli, ExitCodesFollowTheOutcome) {
    LocalCluster cluster;
    auto hosts = cluster.urls();
    const auto healthy = host_list(hosts);
    hosts.push_back(testing::dead_node_url());
    const auto with_dead = host_list(hosts);
    const auto with = quick;

    EXPECT_EQ(with(healthy, {"delete", "missing"}).exit_status, 1) << "not_found";
    EXPECT_EQ(with(healthy, {"delete", "--ignore-not-found", "missing"}).exit_status, 0) << "not_found, ignored";
    const auto not_for_create = with(healthy, {"create", "--ignore-not-found", "g"});
    EXPECT_EQ(not_for_create.exit_status, 2) << "only delete takes it";
    EXPECT_TRUE(cluster.nodes_with("g").empty());
    EXPECT_EQ(with(with_dead, {"create", "g"}).exit_status, 1) << "rolled_back";
    EXPECT_TRUE(cluster.nodes_with("g").empty());
    EXPECT_EQ(with(healthy, {"create", "g"}).exit_status, 0) << "created";
    EXPECT_EQ(with(healthy, {"create", "g"}).exit_status, 0) << "already_exists is success";
    EXPECT_EQ(with(with_dead, {"ensure", "h"}).exit_status, 3) << "incomplete: left open";
    EXPECT_EQ(cluster.nodes_with("h").size(), 3u);
}

TEST(Cli, AnOpenSagaHoldsItsGroupUntilRecovered) {
    LocalCluster cluster;
    const auto down = testing::dead_node_url();
    const auto hosts = host_list(cluster.urls()) + "," + down;
    auto with = [&](std::vector<std::string> rest) { return quick(hosts, std::move(rest)); };

    const auto left = with({"ensure", "g"});
    EXPECT_EQ(left.exit_status, 3) << "a node is down: left open";
    const auto step = "run `cluster-client recover` once " + down + " answers";
    EXPECT_NE(left.out.find("  next: " + step + "\n"), std::string::npos) << left.out;
    const auto too_soon = cli({"recover"});
    EXPECT_EQ(too_soon.exit_status, 3) << too_soon.err;
    EXPECT_NE(too_soon.err.find("ensure g is still open; " + step), std::string::npos) << too_soon.err;
    auto blocked = with({"delete", "g"});
    EXPECT_EQ(blocked.exit_status, 1) << "busy: the open saga could undo what a new one does";
    EXPECT_NE(blocked.out.find("run recover"), std::string::npos) << blocked.out;
    auto listed = cli({"sagas"});
    EXPECT_NE(listed.out.find("1 open saga"), std::string::npos) << listed.out;

    // The node comes back on its port; recovery drives the ensure to its end.
    const auto port = static_cast<std::uint16_t>(std::stoi(down.substr(down.rfind(':') + 1)));
    reference_node::NodeClusterOptions options;
    options.nodes = 1;
    options.base_port = port;
    LocalCluster back(options);
    auto recovered = cli({"recover"});
    EXPECT_EQ(recovered.exit_status, 0) << recovered.out << recovered.err;
    EXPECT_TRUE(back.has(0, "g"));
    EXPECT_EQ(cluster.nodes_with("g").size(), 3u);
    EXPECT_NE(cli({"sagas"}).out.find("0 open saga"), std::string::npos);
    EXPECT_EQ(with({"delete", "g"}).exit_status, 0) << "the group is free again";
}

// `prune` deletes the sagas that ended long enough ago and never an open one; --retention
// does the same after each saga command, so the log stops growing.
TEST(Cli, PruneAndRetentionDeleteOnlyEndedSagas) {
    LocalCluster cluster;
    const auto down = testing::dead_node_url();
    const auto hosts = host_list(cluster.urls());
    const auto with = quick;
    const auto saga_lines = [&] {
        const auto listed = cli({"sagas", "--limit", "100"});
        std::size_t count = 0;
        for (std::size_t at = listed.out.find("saga "); at != std::string::npos;
             at = listed.out.find("\nsaga ", at + 1)) {
            ++count;
        }
        return std::pair{count, listed.out};
    };

    EXPECT_EQ(with(hosts, {"create", "p1", "p2", "p3"}).exit_status, 0);
    EXPECT_EQ(with(hosts + "," + down, {"ensure", "stays-open"}).exit_status, 3);
    EXPECT_EQ(saga_lines().first, 4u) << saga_lines().second << "the default retention (30d) keeps them";

    const auto kept = cli({"prune", "--older-than", "1h"});
    EXPECT_EQ(kept.exit_status, 0) << kept.err;
    EXPECT_NE(kept.out.find("pruned 0 saga(s) that ended before "), std::string::npos) << kept.out;

    const auto pruned = cli({"--output", "json", "prune", "--older-than", "0s"});
    EXPECT_EQ(pruned.exit_status, 0) << pruned.err;
    const auto lines = json_lines(pruned.out);
    ASSERT_EQ(lines.size(), 1u) << pruned.out;
    EXPECT_EQ(lines[0].at("pruned").to_number<int>(), 3);
    const auto [left, listing] = saga_lines();
    EXPECT_EQ(left, 1u) << listing;
    EXPECT_NE(listing.find("ensure stays-open  OPEN"), std::string::npos) << listing;

    // Retention after a saga command: the sagas that ended before it are gone; the open one stays.
    EXPECT_EQ(with(hosts, {"delete", "p1", "p2"}).exit_status, 0);
    EXPECT_EQ(saga_lines().first, 3u);
    EXPECT_EQ(with(hosts, {"--retention", "1ms", "delete", "p3"}).exit_status, 0);
    const auto [after, after_listing] = saga_lines();
    EXPECT_LE(after, 2u) << after_listing;
    EXPECT_EQ(after_listing.find("delete p1"), std::string::npos) << after_listing;
    EXPECT_NE(after_listing.find("ensure stays-open  OPEN"), std::string::npos) << after_listing;
    EXPECT_TRUE(cluster.nodes_with("p1").empty() && cluster.nodes_with("p3").empty());

    // Bad input names the rule, and deletes nothing.
    const auto missing = cli({"prune"});
    EXPECT_EQ(missing.exit_status, 2);
    EXPECT_NE(missing.err.find("--older-than is required"), std::string::npos) << missing.err;
    const auto unit = cli({"prune", "--older-than", "7x"});
    EXPECT_EQ(unit.exit_status, 2);
    EXPECT_NE(unit.err.find("--older-than: "), std::string::npos) << unit.err;
    const auto retention = with(hosts, {"--retention", "soon", "create", "p4"});
    EXPECT_EQ(retention.exit_status, 2);
    EXPECT_NE(retention.err.find("--retention"), std::string::npos) << retention.err;
    EXPECT_TRUE(cluster.nodes_with("p4").empty());
    const auto [final_count, final_listing] = saga_lines();
    EXPECT_NE(final_listing.find("ensure stays-open  OPEN"), std::string::npos) << final_listing;
    EXPECT_GE(final_count, 1u);
}

// A saga command's options may come before its name too; a mistyped option gets the nearest
// real one; colour follows --color and NO_COLOR; --quiet keeps stderr for errors.
TEST(Cli, OptionsEitherSideTyposColourAndQuiet) {
    LocalCluster cluster;
    const auto hosts = host_list(cluster.urls());
    const auto before = cli({"--hosts", hosts, "--concurrency", "4", "--output", "json", "create", "b1", "b2"});
    EXPECT_EQ(before.exit_status, 0) << before.err;
    EXPECT_EQ(cluster.nodes_with("b2").size(), 3u);
    const auto elsewhere = cli({"--concurrency", "4", "sagas"});
    EXPECT_EQ(elsewhere.exit_status, 2);
    EXPECT_NE(elsewhere.err.find("--concurrency: only create, delete, ensure and verify take it, not sagas"),
              std::string::npos)
        << elsewhere.err;

    const auto requests = cluster.requests(0);
    const auto typo = cli({"--hosts", hosts, "--atempts", "3", "create", "t1"});
    EXPECT_EQ(typo.exit_status, 2);
    EXPECT_NE(typo.err.find("unknown option --atempts (did you mean --attempts?)"), std::string::npos) << typo.err;
    const auto after = cli({"--hosts", hosts, "create", "--form-file", "ids"});
    EXPECT_NE(after.err.find("unknown option --form-file (did you mean --from-file?)"), std::string::npos) << after.err;
    const auto far = cli({"--hosts", hosts, "--zzzzzzzz", "create", "t1"});
    EXPECT_NE(far.err.find("unknown option --zzzzzzzz\n"), std::string::npos) << far.err;
    EXPECT_EQ(cluster.requests(0), requests) << "nothing was sent";

    const std::string escape = "\033[";
    const auto coloured =
        cli({"--hosts", hosts, "--log-level", "info", "--color", "always", "verify", "b1"}, with_env("NO_COLOR", "1"));
    EXPECT_NE(coloured.err.find(escape), std::string::npos) << "always wins over NO_COLOR: " << coloured.err;
    EXPECT_NE(coloured.err.find("saga verify b1: present"), std::string::npos) << coloured.err;
    for (const auto& [color, no_color] :
         std::vector<std::pair<std::string, std::string>>{{"never", ""}, {"auto", ""}, {"auto", "1"}}) {
        const auto plain = cli({"--hosts", hosts, "--log-level", "info", "--color", color, "verify", "b1"},
                               with_env("NO_COLOR", no_color));
        EXPECT_NE(plain.err.find("saga verify b1: present"), std::string::npos) << plain.err;
        EXPECT_EQ(plain.err.find(escape), std::string::npos) << color << " NO_COLOR=" << no_color << ": " << plain.err;
    }

    // An earlier saga left open: a note on stderr, none with --quiet.
    const auto down = testing::dead_node_url();
    EXPECT_EQ(quick(hosts + "," + down, {"ensure", "open-one"}).exit_status, 3);
    const auto noted = quick(hosts + "," + down, {"verify", "b1"});
    EXPECT_NE(noted.err.find("still open: ensure open-one"), std::string::npos) << noted.err;
    const auto quiet = quick(hosts + "," + down, {"--quiet", "verify", "b1"});
    EXPECT_EQ(quiet.err, "");
    EXPECT_NE(quiet.out.find("verify b1: "), std::string::npos) << "results still print: " << quiet.out;
}

TEST(Cli, BatchFromFileStreamsOneLinePerSaga) {
    LocalCluster cluster;
    const std::string path = ::testing::TempDir() + "cli_batch_ids.txt";
    {
        std::FILE* file = std::fopen(path.c_str(), "w");
        ASSERT_NE(file, nullptr);
        for (int i = 0; i < 200; ++i) std::fprintf(file, "batch-%d\n%s", i, i % 50 == 0 ? "\n" : "");
        std::fclose(file);
    }
    auto result = cli({"--hosts", host_list(cluster.urls()), "--output", "json", "create", "--from-file", path,
                       "--concurrency", "32"});
    EXPECT_EQ(result.exit_status, 0) << result.err;
    EXPECT_EQ(json_lines(result.out).size(), 200u);
    for (int node = 0; node < 3; ++node) EXPECT_EQ(cluster.groups(node).size(), 200u);
    std::remove(path.c_str());
}

TEST(Cli, BadLineInAFileStopsTheBatchBeforeAnyRequest) {
    LocalCluster cluster;
    const std::string path = ::testing::TempDir() + "cli_bad_ids.txt";
    {
        std::FILE* file = std::fopen(path.c_str(), "w");
        ASSERT_NE(file, nullptr);
        std::fputs("good-1\ngood-2\nbad\x7fid\n", file);
        std::fclose(file);
    }
    auto result = cli({"--hosts", host_list(cluster.urls()), "create", "--from-file", path});
    EXPECT_EQ(result.exit_status, 2);
    EXPECT_NE(result.err.find("line 3"), std::string::npos) << result.err;
    for (int i = 0; i < 3; ++i) EXPECT_EQ(cluster.requests(i), 0u);
    std::remove(path.c_str());
}

TEST(Cli, BatchFromStdin) {
    LocalCluster cluster;
    testing::ProgramOptions options;
    options.input = "s1\ns2\ns3\n";
    auto result =
        cli({"--hosts", host_list(cluster.urls()), "--output", "json", "ensure", "--from-file", "-"}, options);
    EXPECT_EQ(result.exit_status, 0) << result.err;
    EXPECT_EQ(json_lines(result.out).size(), 3u);
    EXPECT_EQ(cluster.groups(1), (std::vector<std::string>{"s1", "s2", "s3"}));
}

TEST(Cli, DemoRunsItsOwnClusterAndSucceeds) {
    auto result = cli({"demo", "--no-faults"});
    EXPECT_EQ(result.exit_status, 0) << result.err;
    EXPECT_NE(result.out.find("create demo-group: created (3/3 hosts"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("delete demo-group: deleted"), std::string::npos) << result.out;
}

TEST(Cli, DemoWithFaultsStillEndsAllOrNone) {
    auto result = cli({"demo", "--output", "json"});
    EXPECT_EQ(result.exit_status, 0) << result.out << result.err;
    const auto lines = json_lines(result.out);
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(lines[0].at("outcome").as_string(), "created");
    EXPECT_EQ(lines[2].at("outcome").as_string(), "deleted");
}

TEST(Cli, ACorruptSagaLogIsAUsageErrorAndStaysUntouched) {
    LocalCluster cluster;
    const auto dir = client_state_home() + "/cluster-client";
    std::filesystem::create_directories(dir);
    const std::string garbage = "this is not a saga log, and it must not be replaced by one";
    {
        std::ofstream file(dir + "/sagas.db", std::ios::binary);
        file << garbage;
    }
    auto result = cli({"--hosts", host_list(cluster.urls()), "create", "g"});
    EXPECT_EQ(result.exit_status, 2);
    EXPECT_NE(result.err.find("corrupt or not a saga log"), std::string::npos) << result.err;
    for (int i = 0; i < 3; ++i) EXPECT_EQ(cluster.requests(i), 0u) << "nothing is sent";
    std::ifstream file(dir + "/sagas.db", std::ios::binary);
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(file), {}), garbage);
    EXPECT_EQ(cli({"sagas"}).exit_status, 2);
    EXPECT_EQ(cli({"recover"}).exit_status, 2);
}

TEST(Cli, HelpExitsZero) {
    auto result = cli({"--help"});
    EXPECT_EQ(result.exit_status, 0);
    EXPECT_NE(result.out.find("create"), std::string::npos);
    EXPECT_NE(result.out.find("--hosts"), std::string::npos);
    // The exit codes and the environment, as the man page has them.
    for (const char* text : {"Exit status: 0 every operation succeeded", "3 something left open",
                             "CLUSTER_CLIENT_<OPTION> for every option", "CLUSTER_CLIENT_TOKEN", "NO_COLOR"}) {
        EXPECT_NE(result.out.find(text), std::string::npos) << text;
    }
}

TEST(Cli, EveryProgramPrintsItsVersion) {
    const std::vector<std::pair<const char*, std::string>> programs = {{CLUSTER_CLIENT_EXE, "cluster-client"},
                                                                       {CLUSTER_NODE_EXE, "cluster-node"},
                                                                       {CLUSTER_BENCH_EXE, "cluster-bench"}};
    for (const auto& [program, name] : programs) {
        const auto result = testing::run_program(program, {"--version"});
        EXPECT_EQ(result.exit_status, 0) << name;
        EXPECT_EQ(result.out, name + " " + std::string(cluster_client::version) + "\n") << name;
    }
}

TEST(Cli, TheBearerTokenIsUsedAndNeverPrinted) {
    LocalCluster cluster;
    const auto token_file = client_state_home() + "-token";
    std::ofstream(token_file) << "file-Token-123\n";
    auto from_file = cli({"--hosts", host_list(cluster.urls()), "--token-file", token_file, "--log-level", "trace",
                          "--output", "json", "create", "g1"});
    EXPECT_EQ(from_file.exit_status, 0) << from_file.err;
    auto from_env = cli({"--hosts", host_list(cluster.urls()), "--log-level", "trace", "delete", "g1"},
                        with_env("CLUSTER_CLIENT_TOKEN", "env-Token-456"));
    EXPECT_EQ(from_env.exit_status, 0) << from_env.err;
    for (const auto* result : {&from_file, &from_env}) {
        for (const auto* text : {&result->out, &result->err}) {
            EXPECT_EQ(text->find("Token-"), std::string::npos) << *text;
        }
    }
    EXPECT_TRUE(cluster.nodes_with("g1").empty());
    std::filesystem::remove(token_file);
}

TEST(Cli, BadTokenAndTlsOptionsAreUsageErrorsBeforeAnyRequest) {
    LocalCluster cluster;
    const auto hosts = host_list(cluster.urls());
    const auto missing = cli({"--hosts", hosts, "--token-file", "/nonexistent/token", "create", "g1"});
    EXPECT_EQ(missing.exit_status, 2);
    EXPECT_NE(missing.err.find("--token-file: cannot read a token from /nonexistent/token"), std::string::npos)
        << missing.err;
    const auto spaced = cli({"--hosts", hosts, "create", "g1"}, with_env("CLUSTER_CLIENT_TOKEN", "two words"));
    EXPECT_EQ(spaced.exit_status, 2);
    EXPECT_NE(spaced.err.find("RFC 6750"), std::string::npos) << spaced.err;
    const auto ca = cli({"--hosts", hosts, "--ca-file", "/nonexistent/ca.pem", "create", "g1"});
    EXPECT_EQ(ca.exit_status, 2);
    EXPECT_NE(ca.err.find("--ca-file: http: ca_file /nonexistent/ca.pem"), std::string::npos) << ca.err;
    EXPECT_TRUE(cluster.nodes_with("g1").empty());
    for (int node = 0; node < 3; ++node) EXPECT_EQ(cluster.requests(node), 0u) << "node " << node;
}

TEST(Cli, InsecureWarnsLoudly) {
    LocalCluster cluster;
    const auto result = cli({"--hosts", host_list(cluster.urls()), "--insecure", "create", "g1"});
    EXPECT_EQ(result.exit_status, 0) << result.err;
    EXPECT_NE(result.err.find("WARNING: --insecure"), std::string::npos) << result.err;
}

TEST(Cli, AnHttpsClusterSignedByAPrivateCaWorksWithCaFileAndIsRefusedWithout) {
    const testing::TestCertificates certificates;
    reference_node::NodeClusterOptions options;
    options.tls_cert_file = certificates.node_cert();
    options.tls_key_file = certificates.node_key();
    LocalCluster cluster(options);
    const auto hosts = host_list(cluster.urls());

    const auto refused = cli({"--hosts", hosts, "create", "g1"});
    EXPECT_EQ(refused.exit_status, 1) << refused.out << refused.err;
    EXPECT_NE((refused.out + refused.err).find("certificate verify failed"), std::string::npos)
        << refused.out << refused.err;
    for (int node = 0; node < 3; ++node) EXPECT_EQ(cluster.requests(node), 0u) << "node " << node;

    const auto created = cli({"--hosts", hosts, "--ca-file", certificates.ca(), "create", "g1"});
    EXPECT_EQ(created.exit_status, 0) << created.err;
    EXPECT_EQ(cluster.nodes_with("g1"), (std::vector<int>{0, 1, 2}));
    const auto deleted = cli({"--hosts", hosts, "--ca-file", certificates.ca(), "delete", "g1"});
    EXPECT_EQ(deleted.exit_status, 0) << deleted.err;
    EXPECT_TRUE(cluster.nodes_with("g1").empty());
}

// Writes `text` as a file of the test's own and returns its path.
std::string write_file(const std::string& name, const std::string& text) {
    const auto path = std::filesystem::path(client_state_home() + "-files") / name;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << text;
    return path.string();
}

TEST(Cli, FlagsOverrideTheEnvironmentWhichOverridesTheConfigFile) {
    const auto file = write_file("precedence.toml",
                                 "hosts = [\"http://127.0.0.1:1\", \"http://127.0.0.1:2\"]\n"
                                 "attempts = 3\nattempt_timeout = \"3s\"\nlock_wait = \"7s\"\n");
    auto options = with_env("CLUSTER_CLIENT_ATTEMPTS", "4");
    options.env.emplace_back("CLUSTER_CLIENT_ATTEMPT_TIMEOUT", "4s");
    const auto result = cli({"--config", file, "--attempt-timeout", "5s", "--output", "json", "config"}, options);
    ASSERT_EQ(result.exit_status, 0) << result.err;
    const auto root = boost::json::parse(result.out).as_object();
    EXPECT_EQ(root.at("config_file").as_string(), file);
    EXPECT_EQ(root.at("version").as_string(), cluster_client::version);
    EXPECT_EQ(root.at("state_dir").as_string(), client_state_home() + "/cluster-client");
    const auto& settings = root.at("settings").as_object();
    const auto setting = [&](const char* key) {
        const auto& entry = settings.at(key).as_object();
        return (entry.at("value").is_string() ? std::string(entry.at("value").as_string())
                                              : boost::json::serialize(entry.at("value"))) +
               " from " + std::string(entry.at("source").as_string());
    };
    EXPECT_EQ(setting("hosts"), "http://127.0.0.1:1,http://127.0.0.1:2 from file");
    EXPECT_EQ(setting("lock_wait"), "7s from file");
    EXPECT_EQ(setting("attempts"), "4 from environment");
    EXPECT_EQ(setting("attempt_timeout"), "5s from command line");
    EXPECT_EQ(setting("output"), "json from command line");
    EXPECT_EQ(setting("deadline"), "15s from default");
    // Typed: a count is a number, a flag a boolean.
    EXPECT_EQ(settings.at("attempts").as_object().at("value").as_int64(), 4);
    EXPECT_EQ(settings.at("insecure").as_object().at("value").as_bool(), false);
}

TEST(Cli, TheDefaultConfigFileSuppliesTheHosts) {
    LocalCluster cluster;
    std::filesystem::create_directories(client_config_home() + "/cluster-client");
    std::ofstream(client_config_home() + "/cluster-client/config.toml")
        << "hosts = \"" << host_list(cluster.urls()) << "\"\nownership = \"fast\"\n";
    const auto created = cli({"create", "g1"});
    EXPECT_EQ(created.exit_status, 0) << created.err;
    EXPECT_EQ(cluster.nodes_with("g1"), (std::vector<int>{0, 1, 2}));
    const auto shown = cli({"config"});
    EXPECT_NE(shown.out.find("ownership = \"fast\""), std::string::npos) << shown.out;
    EXPECT_NE(shown.out.find("# file"), std::string::npos) << shown.out;
    EXPECT_NE(shown.out.find("# cluster-client " + std::string(cluster_client::version) + "\n"), std::string::npos)
        << shown.out;
    EXPECT_NE(shown.out.find("# state directory: \"" + client_state_home() + "/cluster-client\"\n"), std::string::npos)
        << shown.out;
    std::filesystem::remove_all(client_config_home());
}

TEST(Cli, ABadConfigIsAUsageErrorNamingTheRule) {
    LocalCluster cluster;
    const auto hosts = host_list(cluster.urls());
    const std::vector<std::pair<std::string, std::string>> cases{
        {"retries = 3\n", "unknown key 'retries'"},
        {"attempts = \"five\"\n", "key attempts: must be a whole number"},
        {"insecure = \"yes\"\n", "key insecure: must be true or false"},
        {"output = \"xml\"\n", "key output: must be one of text, json"},
        {"attempts = 3\nhosts = \n", "line 2"},
    };
    for (const auto& [text, rule] : cases) {
        const auto result = cli({"--hosts", hosts, "--config", write_file("bad.toml", text), "create", "g1"});
        EXPECT_EQ(result.exit_status, 2) << text;
        EXPECT_NE(result.err.find(rule), std::string::npos) << text << " -> " << result.err;
    }
    const auto missing = cli({"--hosts", hosts, "--config", "/nonexistent/config.toml", "create", "g1"});
    EXPECT_EQ(missing.exit_status, 2);
    EXPECT_NE(missing.err.find("config /nonexistent/config.toml: not a readable file"), std::string::npos)
        << missing.err;
    const auto env = cli({"--hosts", hosts, "create", "g1"}, with_env("CLUSTER_CLIENT_CONCURRENCY", "many"));
    EXPECT_EQ(env.exit_status, 2);
    EXPECT_NE(env.err.find("CLUSTER_CLIENT_CONCURRENCY: must be a whole number"), std::string::npos) << env.err;
    for (int node = 0; node < 3; ++node) EXPECT_EQ(cluster.requests(node), 0u) << "node " << node;
}

TEST(Cli, ASagaLogThatFailsMidBatchStopsItWithExit3) {
    // A file size limit makes SQLite's writes fail as a full disk would.
    LocalCluster cluster;
    std::string ids;
    for (int i = 0; i < 2000; ++i) ids += "g" + std::to_string(i) + "\n";
    const auto id_file = write_file("ids.txt", ids);
    testing::ProgramOptions options;
    options.env = {{"HOSTS", std::nullopt}, {"XDG_CONFIG_HOME", client_config_home()}};
    const std::string command = "trap '' XFSZ; ulimit -f 200; exec " + std::string(CLUSTER_CLIENT_EXE) + " --hosts " +
                                host_list(cluster.urls()) + " --state-dir " + client_state_home() +
                                "-small --output json create --from-file " + id_file;
    const auto result = testing::run_program("/bin/bash", {"-c", command}, options);
    EXPECT_EQ(result.exit_status, 3) << result.err;
    EXPECT_NE(result.err.find("sagas may be left open: run recover"), std::string::npos) << result.err;
    EXPECT_LT(json_lines(result.out).size(), 2000u) << "the batch stopped";
    std::filesystem::remove_all(client_state_home() + "-small");
}

}  // namespace
}  // namespace cluster_client
