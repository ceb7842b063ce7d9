// SPDX-License-Identifier: MIT
#include "client_options.hpp"

#include <cstdlib>
#include <fstream>
#include <optional>

#include <cluster_client/errors.hpp>
#include <cluster_client/options.hpp>

#include "option_table.hpp"

namespace cluster_client::cli {

namespace {

// Each option's value in the library's options. A value that does not fit (a host list that
// does not parse) is refused naming where it came from.
ClientOptions applied(const Settings& settings) {
    ClientOptions options;
    for (const auto& row : option_table()) {
        if (row.apply == nullptr) continue;
        try {
            row.apply(settings.value(row.name), options);
        } catch (const ConfigError& error) {
            throw ConfigError(settings.where(row.name) + ": " + error.what());
        }
    }
    return options;
}

// What the library refuses in `options`, by its own checks: those a ClusterClient makes, and
// the TLS files loaded now, so that a bad one is a usage error before any https host is used.
std::optional<std::string> refusal(const ClientOptions& options) {
    try {
        check_options(options);
    } catch (const ConfigError& error) {
        return std::string(error.what());
    }
    return std::nullopt;
}

// The options at fault for `why`: those set by a layer whose value, put back to its default,
// changes what the library says. Two when a rule ties two options (saga_deadline and deadline
// both set); none when only defaults are involved.
std::string at_fault(const Settings& settings, const std::string& why) {
    std::string names;
    for (const auto& row : option_table()) {
        if (row.apply == nullptr || settings.source(row.name) == Source::default_value) continue;
        Settings trial = settings;
        trial.values[std::string(row.name)] = row.default_value;
        if (refusal(applied(trial)) != why) names += (names.empty() ? "" : " and ") + settings.where(row.name);
    }
    return names;
}

// The token of --token-file, else CLUSTER_CLIENT_TOKEN, else the token_file of the config
// file or CLUSTER_CLIENT_TOKEN_FILE; empty when none is set.
std::string bearer_token(const Settings& settings) {
    const auto& path = settings.value("token_file");
    const char* env = std::getenv("CLUSTER_CLIENT_TOKEN");
    const auto given = settings.source("token_file");
    if (given != Source::command_line && given != Source::argument && env != nullptr && *env != '\0') return env;
    if (path.empty()) return {};
    std::ifstream file(path, std::ios::binary);
    std::string token;
    if (!file || !std::getline(file, token)) {
        throw ConfigError(settings.where("token_file") + ": cannot read a token from " + path);
    }
    if (!token.empty() && token.back() == '\r') token.pop_back();
    if (token.empty()) throw ConfigError(settings.where("token_file") + ": the first line of " + path + " is empty");
    return token;
}

}  // namespace

std::string state_dir(const Settings& settings) {
    const auto& dir = settings.value("state_dir");
    return dir.empty() ? default_state_dir() : dir;
}

ClientOptions make_client_options(const Settings& settings, bool need_hosts) {
    auto options = applied(settings);
    if (options.hosts.empty() && need_hosts) {
        throw ConfigError(
            "no hosts: give --hosts URL,..., set the HOSTS environment variable, or put hosts in "
            "the config file");
    }
    if (const auto why = refusal(options)) {
        const auto names = at_fault(settings, *why);
        throw ConfigError(names.empty() ? *why : names + ": " + *why);
    }
    if (settings.is_on("no_saga_log")) {
        options.saga_log.url.clear();
    } else {
        options.saga_log.state_dir = state_dir(settings);
    }
    options.http.bearer_token = bearer_token(settings);
    return options;
}

}  // namespace cluster_client::cli
