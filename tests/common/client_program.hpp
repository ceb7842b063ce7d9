// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "program.hpp"

namespace cluster_client::testing {

/// A path prefix of the running test's own, under GoogleTest's temp directory, named after
/// the test and this process: the test's files for cluster-client go beside it.
std::string client_test_home();
/// The XDG_STATE_HOME `cli` gives cluster-client: its saga log goes under it.
std::string client_state_home();
/// The XDG_CONFIG_HOME `cli` gives cluster-client: a default config file goes under it.
std::string client_config_home();

/// Runs cluster-client with `args` to completion, as a user would, but never on the caller's
/// HOSTS, config or state, nor another test's: HOSTS is unset and XDG_STATE_HOME and
/// XDG_CONFIG_HOME are the test's own. `options.env` is applied after those, so a test can
/// set them otherwise.
ProgramResult cli(const std::vector<std::string>& args, ProgramOptions options = {});

/// Node URLs as --hosts and HOSTS take them: comma-separated.
std::string host_list(const std::vector<std::string>& urls);

/// Options for `cli` that set `name` to `value` in cluster-client's environment.
ProgramOptions with_env(const std::string& name, const std::string& value);
/// Options for `cli` that set (a value) or remove (nullopt) each of these variables.
ProgramOptions with_env(std::vector<std::pair<std::string, std::optional<std::string>>> env);

}  // namespace cluster_client::testing
