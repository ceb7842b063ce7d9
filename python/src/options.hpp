// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <cluster_client/options.hpp>

namespace cluster_client::python {

/// One keyword argument of ClusterClient: a key of the config file, with its kind
/// ("text", "word", "count", "duration", "flag", "file", "directory"), its default as the
/// config file writes it, and its documentation.
struct KeywordOption {
    std::string name;
    std::string kind;
    std::string default_value;
    std::string doc;
    std::vector<std::string> choices;
};

/// The config file's keys that shape a client: all of them but the command line's own
/// (output, log_level, no_recover, concurrency).
std::vector<KeywordOption> keyword_options();

/// The library's options from `hosts` and keyword arguments already turned to the config
/// file's text (`values`: name, text), checked as the command line checks them: a
/// ConfigError names the argument and the rule it broke. The saga log is in the state
/// directory unless no_saga_log, as for the command line.
ClientOptions client_options(const std::vector<std::string>& hosts,
                             const std::vector<std::pair<std::string, std::string>>& values);

}  // namespace cluster_client::python
