// SPDX-License-Identifier: MIT
#pragma once

#include <string>

#include <cluster_client/options.hpp>

#include "settings.hpp"

namespace cluster_client::cli {

/// The library's options from the settings: each option's value put in place, the saga log
/// in the state directory unless no_saga_log, and the bearer token. The library's own rules
/// (check_options: hosts, retry bounds, HTTP limits, TLS files that load) are checked here, before
/// anything is sent; a ConfigError names where each value at fault came from, then the rule.
/// Without `need_hosts`, an empty host list is allowed (recover takes its hosts from the log).
ClientOptions make_client_options(const Settings& settings, bool need_hosts = true);

/// The saga log's directory: state_dir, else the default place (default_state_dir).
std::string state_dir(const Settings& settings);

}  // namespace cluster_client::cli
