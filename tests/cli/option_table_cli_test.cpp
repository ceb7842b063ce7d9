// SPDX-License-Identifier: MIT
// The options of cluster-client come from one table: every row must show up in --help, in
// `config`, in the environment, in the config file, in the bash completion and in the README;
// and a value the rules refuse is named by where it came from, before anything is sent.

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "client_program.hpp"
#include "local_cluster.hpp"
#include "option_table.hpp"

namespace cluster_client {
namespace {

using cli::OptionRow;
using cli::OptionScope;
using cli::ValueKind;
using testing::cli;
using testing::LocalCluster;
using testing::ProgramResult;
using testing::with_env;

std::string write_config(const std::string& text) {
    const auto path = testing::client_test_home() + "-config.toml";
    std::ofstream(path) << text;
    return path;
}

// A TOML line setting `row` to `value`, typed as the option's key wants it.
std::string toml_line(const OptionRow& row, const std::string& value) {
    const bool bare = row.kind == ValueKind::count || row.kind == ValueKind::flag;
    return std::string(row.name) + " = " + (bare ? value : "\"" + value + "\"") + "\n";
}

// Every option's value and source, as `config --output json` prints them.
std::map<std::string, std::string> shown_settings(const ProgramResult& result) {
    std::map<std::string, std::string> shown;
    const auto root = boost::json::parse(result.out).as_object();
    for (const auto& [key, entry] : root.at("settings").as_object()) {
        shown[std::string(key)] = (entry.at("value").is_string() ? std::string(entry.at("value").as_string())
                                                                 : boost::json::serialize(entry.at("value"))) +
                                  " from " + std::string(entry.at("source").as_string());
    }
    return shown;
}

std::string read_text(const std::filesystem::path& path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

TEST(Options, EveryRowOfTheTableAppearsEverywhere) {
    const auto help = cli({"--help"});
    const auto saga_help = cli({"create", "--help"});
    const auto completion = cli({"completion", "bash"});
    const auto fish = cli({"completion", "fish"});
    const auto defaults = cli({"config"});
    ASSERT_EQ(defaults.exit_status, 0) << defaults.err;
    ASSERT_EQ(completion.exit_status, 0) << completion.err;
    ASSERT_EQ(fish.exit_status, 0) << fish.err;
    const auto readme = read_text(std::filesystem::path(CLUSTER_CLIENT_SOURCE_DIR) / "README.md");

    // Every option set by the environment, then every option set by a config file, each to
    // its default; but a host for hosts (an empty HOSTS counts as unset), and json output to
    // read what `config` prints.
    std::vector<std::pair<std::string, std::optional<std::string>>> env;
    std::string file;
    for (const auto& row : cli::option_table()) {
        auto value = row.default_value;
        if (row.name == "hosts") value = "http://127.0.0.1:1";
        if (row.name == "output") value = "json";
        env.emplace_back(row.environment(), value);
        file += toml_line(row, value);
    }
    const auto from_env = shown_settings(cli({"config"}, with_env(env)));
    const auto from_file = shown_settings(cli({"--config", write_config(file), "config"}));
    std::set<std::string> completed;
    std::istringstream words(completion.out);
    for (std::string word; words >> word;) {
        std::erase(word, '"');
        completed.insert(word);
    }

    for (const auto& row : cli::option_table()) {
        const std::string name(row.name);
        const auto flag = row.flag();
        const auto& where_listed = row.scope == OptionScope::every_command ? help.out : saga_help.out;
        EXPECT_NE(where_listed.find("  " + flag + " "), std::string::npos) << flag << " in --help";
        EXPECT_NE(where_listed.find(std::string(row.doc)), std::string::npos) << flag << "'s doc in --help";
        const auto default_line = toml_line(row, row.default_value);
        const auto at = defaults.out.find("\n" + default_line.substr(0, default_line.size() - 1) + " ");
        EXPECT_NE(at, std::string::npos) << name << "'s default in `config`:\n" << defaults.out;
        if (at != std::string::npos) {
            EXPECT_EQ(defaults.out.substr(at, defaults.out.find('\n', at + 1) - at).ends_with("# default"), true);
        }
        EXPECT_EQ(from_env.at(name).ends_with(" from environment"), true)
            << row.environment() << ": " << from_env.at(name);
        EXPECT_EQ(from_file.at(name).ends_with(" from file"), true)
            << name << " in a config file: " << from_file.at(name);
        EXPECT_TRUE(completed.contains(flag)) << flag << " in the bash completion";
        EXPECT_NE(fish.out.find(" -l " + flag.substr(2) + " "), std::string::npos) << flag << " in the fish completion";

        // The README's option table: a row whose first cell names the flag, with the
        // default when the option has one.
        std::istringstream lines(readme);
        bool listed = false;
        for (std::string line; std::getline(lines, line);) {
            if (!line.starts_with("| `")) continue;
            const auto first_cell = line.substr(0, line.find('|', 1));
            if (first_cell.find("`" + flag + " ") == std::string::npos &&
                first_cell.find("`" + flag + "`") == std::string::npos) {
                continue;
            }
            listed = true;
            const auto shown_default = row.kind == ValueKind::flag ? "| off |" : "| `" + row.default_value + "` |";
            if (!row.default_value.empty()) {
                EXPECT_NE(line.find(shown_default), std::string::npos) << line;
            }
        }
        EXPECT_TRUE(listed) << flag << " has no row in the README's option table";
    }
}

TEST(Options, AnInvalidValueNamesWhereItCameFromBeforeAnythingIsSent) {
    LocalCluster cluster;
    const auto hosts = cluster.url(0);
    const std::string rule = ": retry: attempt_timeout must be positive (got 0ms)";
    const auto config = write_config("attempt_timeout = \"0s\"\n");

    const auto by_flag = cli({"--hosts", hosts, "--attempt-timeout", "0s", "create", "g"});
    const auto by_env = cli({"--hosts", hosts, "create", "g"}, with_env({{"CLUSTER_CLIENT_ATTEMPT_TIMEOUT", "0ms"}}));
    const auto by_file = cli({"--hosts", hosts, "--config", config, "create", "g"});
    const std::vector<std::pair<const ProgramResult*, std::string>> cases{
        {&by_flag, "--attempt-timeout" + rule},
        {&by_env, "CLUSTER_CLIENT_ATTEMPT_TIMEOUT" + rule},
        {&by_file, "config " + config + " key attempt_timeout" + rule},
    };
    for (const auto& [result, message] : cases) {
        EXPECT_EQ(result->exit_status, 2) << result->err;
        EXPECT_EQ(result->err, "cluster-client: " + message + "\n");
    }

    // A rule that ties two options names both, each by where it was set.
    const auto tied = cli({"--hosts", hosts, "--saga-deadline", "20s", "create", "g"},
                          with_env({{"CLUSTER_CLIENT_DEADLINE", "25s"}}));
    EXPECT_EQ(tied.exit_status, 2);
    EXPECT_NE(tied.err.find("CLUSTER_CLIENT_DEADLINE and --saga-deadline: retry: saga_deadline must be at least "
                            "deadline"),
              std::string::npos)
        << tied.err;

    // A value of the wrong type is named the same way, whatever layer set it.
    const auto typed = cli({"--hosts", hosts, "create", "g"}, with_env({{"CLUSTER_CLIENT_ATTEMPTS", "many"}}));
    EXPECT_EQ(typed.exit_status, 2);
    EXPECT_NE(typed.err.find("CLUSTER_CLIENT_ATTEMPTS: must be a whole number"), std::string::npos) << typed.err;

    EXPECT_EQ(cluster.requests(0), 0u) << "nothing is sent";
    std::filesystem::remove(config);
}

TEST(Options, NoConnectionPerHostIsRefusedBeforeAnythingIsSent) {
    LocalCluster cluster;
    const auto result = cli({"--hosts", cluster.url(0), "--max-connections-per-host", "0", "create", "g"});
    EXPECT_EQ(result.exit_status, 2);
    EXPECT_NE(result.err.find("--max-connections-per-host: http: max_connections_per_host must be at least 1"),
              std::string::npos)
        << result.err;
    const auto certificate_alone =
        cli({"--hosts", cluster.url(0), "create", "g"}, with_env({{"CLUSTER_CLIENT_CERT", "c.pem"}}));
    EXPECT_EQ(certificate_alone.exit_status, 2);
    EXPECT_NE(certificate_alone.err.find("CLUSTER_CLIENT_CERT: http: cert_file and key_file go together"),
              std::string::npos)
        << certificate_alone.err;
    EXPECT_EQ(cluster.requests(0), 0u) << "nothing is sent";
}

}  // namespace
}  // namespace cluster_client
