// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <cluster_client/options.hpp>

namespace cluster_client::cli {

/// The type of an option's value, which decides how each layer reads it: the flag takes a
/// value (or none for `flag`), a config file key takes a TOML integer (`count`), boolean
/// (`flag`) or string (the others), and the completion offers words, files or directories.
enum class ValueKind {
    text,       ///< any text
    word,       ///< one of the option's choices
    count,      ///< a whole number from 0 to INT_MAX
    duration,   ///< `300ms`, `2s`, `1m30s` (parse_duration)
    flag,       ///< on or off; a flag without a value
    file,       ///< a file name
    directory,  ///< a directory name
};

/// Which commands take an option: every command, or only those that run sagas on ids.
enum class OptionScope { every_command, saga_commands };

/// One option of cluster-client. Its flag, environment variable, config file key, `config`
/// line, help text and completion all come from this row.
struct OptionRow {
    std::string_view name;  ///< the config file key, e.g. "attempt_timeout"
    ValueKind kind;
    std::string default_value;                ///< as text; the library's default where the library has one
    std::string_view doc;                     ///< one line: what it does, and why its default
    std::vector<std::string_view> choices{};  ///< the words a `word` option takes
    OptionScope scope = OptionScope::every_command;
    /// Puts a well-typed value into the library's options; null for an option the command
    /// line uses itself. May throw ConfigError (a host list that does not parse).
    void (*apply)(std::string_view value, ClientOptions& options) = nullptr;
    /// A rule of the command line's own, for an option the library does not check: the
    /// rule broken, or nullopt. Null: no such rule.
    std::optional<std::string> (*rule)(std::string_view value) = nullptr;
    /// How `config` prints the value, when not as it is (a password hidden); null: as it is.
    std::string (*shown)(std::string_view value) = nullptr;

    std::string flag() const;         ///< "--attempt-timeout"
    std::string environment() const;  ///< "CLUSTER_CLIENT_ATTEMPT_TIMEOUT"; "HOSTS" for hosts
};

/// Every option, in the order of `--help` and `config`.
const std::vector<OptionRow>& option_table();

/// The row named `name`; null when there is none.
const OptionRow* find_option(std::string_view name);

}  // namespace cluster_client::cli
