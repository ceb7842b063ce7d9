// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace cluster_client::cli {

/// Where an option's value came from; a later layer wins: flags > environment > file >
/// defaults. `argument` is a keyword argument of the Python package, its only layer.
enum class Source { default_value, file, environment, command_line, argument };
std::string_view source_name(Source source);

/// The layers applied so far: where each option's value came from.
using Sources = std::map<std::string, Source, std::less<>>;

/// The value of every option of the option table, as text, and where it came from. Each
/// layer checks the type of what it sets, so a value here is always of its option's type.
struct Settings {
    std::map<std::string, std::string, std::less<>> values;  ///< every option, by name
    Sources sources;                                         ///< options a layer set
    std::optional<std::filesystem::path> file;               ///< the config file read, if any

    /// Every option at its default.
    static Settings defaults();

    const std::string& value(std::string_view name) const;
    bool is_on(std::string_view name) const;  ///< a flag option's value
    Source source(std::string_view name) const;
    /// Where the value of `name` was set, as a user would look for it: "--attempt-timeout",
    /// "CLUSTER_CLIENT_ATTEMPT_TIMEOUT", "config FILE key attempt_timeout", "argument
    /// attempt_timeout" or "attempt_timeout (default)".
    std::string where(std::string_view name) const;
    /// Sets `name` from `source`, refusing a value that is not of the option's type with a
    /// ConfigError that names where it came from.
    void set(std::string_view name, std::string_view value, Source source);
};

/// The file to read: `flag` when given (it must exist), else
/// `$XDG_CONFIG_HOME/cluster-client/config.toml` (`~/.config/...` without XDG_CONFIG_HOME)
/// when present; nullopt when there is none.
std::optional<std::filesystem::path> config_path(const std::optional<std::string>& flag);

/// Applies a TOML file: one top-level key per option (hosts may be a string or an array of
/// strings). Throws ConfigError naming the file and the rule: not readable, not TOML (with
/// the line), an unknown key, a value of the wrong type.
void apply_config_file(const std::filesystem::path& path, Settings& settings);

/// Reads an environment variable; null when it is not set.
using EnvLookup = std::function<const char*(const char* name)>;

/// Applies each option's environment variable (OptionRow::environment), read through
/// `lookup`; an empty HOSTS counts as unset. Throws ConfigError naming a variable whose
/// value is not of its option's type.
void apply_environment(Settings& settings, const EnvLookup& lookup);

/// Checks the rules of the command line's own on the final values: the choices of a word
/// option, and each row's rule. Throws ConfigError naming where the value came from.
void check_settings(const Settings& settings);

/// Prints every option's effective value and where it came from (`config` command), as a
/// TOML file or as JSON. The bearer token itself is never printed.
void print_settings(std::ostream& out, const Settings& settings, bool json);

}  // namespace cluster_client::cli
