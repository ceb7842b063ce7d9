// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <cluster_client/options.hpp>

#include <cluster_client/duration.hpp>

namespace cluster_client::cli {

/// Option values as typed, turned into ClientOptions only once every layer is applied, so
/// every rule is checked (and named in the error) before anything is sent.
struct RawOptions {
    std::string hosts;
    std::string output = "text";
    std::string log_level = "warn";
    std::string state_dir;
    int attempts = RetryOptions{}.max_attempts;
    std::string attempt_timeout = format_duration(RetryOptions{}.attempt_timeout);
    std::string deadline = format_duration(RetryOptions{}.deadline);
    std::string saga_deadline = format_duration(RetryOptions{}.saga_deadline);
    int retry_budget = RetryOptions{}.budget_tokens;
    int breaker_failures = RetryOptions{}.breaker_failures;
    std::string breaker_cooldown = format_duration(RetryOptions{}.breaker_cooldown);
    std::string initial_backoff = format_duration(RetryOptions{}.initial_backoff);
    std::string max_backoff = format_duration(RetryOptions{}.max_backoff);
    std::string lock_wait = format_duration(ClientOptions{}.lock_wait);
    std::string ownership = "strict";
    std::string delete_mode = "rollback";
    bool no_saga_log = false;
    std::string durability = "process";
    bool no_recover = false;
    std::size_t limit = 20;
    std::vector<std::string> ids;
    std::string from_file;
    std::size_t concurrency = 16;
    std::string token_file;
    std::string ca_file;
    std::string cert_file;
    std::string key_file;
    bool insecure = false;
};

/// Where an option's value came from; a later layer wins: flags > environment > file >
/// defaults.
enum class Source { default_value, file, environment, command_line };
std::string_view source_name(Source source);

/// One option that a config file and the environment may set: its key in the file, the
/// flag and the environment variable that set it too.
struct SettingKey {
    std::string_view key;   ///< e.g. "attempt_timeout"
    std::string_view flag;  ///< e.g. "--attempt-timeout"
    std::string_view env;   ///< e.g. "CLUSTER_CLIENT_ATTEMPT_TIMEOUT"
};
const std::vector<SettingKey>& setting_keys();

/// The layers applied so far: where each key's value came from.
using Sources = std::map<std::string, Source, std::less<>>;

/// Where `key`'s value came from; default_value when no layer set it.
Source source_of(const Sources& sources, std::string_view key);

/// `--config FILE` (or `--config=FILE`) as typed in `args`, if any.
std::optional<std::string> config_flag(const std::vector<std::string>& args);

/// The file to read: `flag` when given (it must exist), else
/// `$XDG_CONFIG_HOME/cluster-client/config.toml` (`~/.config/...` without XDG_CONFIG_HOME)
/// when present; nullopt when there is none.
std::optional<std::filesystem::path> config_path(const std::optional<std::string>& flag);

/// Applies a TOML file: one top-level key per option (hosts may be a string or an array of
/// strings). Throws ConfigError naming the file and the rule: not readable, not TOML (with
/// the line), an unknown key, a value of the wrong type.
void apply_config_file(const std::filesystem::path& path, RawOptions& raw, Sources& sources);

/// Reads an environment variable; null when it is not set.
using EnvLookup = std::function<const char*(const char* name)>;

/// Applies HOSTS and CLUSTER_CLIENT_<KEY> variables, read through `lookup`. Throws
/// ConfigError naming a variable whose value is not of its option's type.
void apply_environment(RawOptions& raw, Sources& sources, const EnvLookup& lookup);

/// Checks the options that take one of a few words, whatever layer set them.
void check_choices(const RawOptions& raw, const Sources& sources);

/// Prints every key's effective value and where it came from (`config` command). The bearer
/// token itself is never printed.
void print_settings(std::ostream& out, const RawOptions& raw, const Sources& sources,
                    const std::optional<std::filesystem::path>& file, bool json);

}  // namespace cluster_client::cli
