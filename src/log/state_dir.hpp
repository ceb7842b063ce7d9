// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>

namespace cluster_client::log {

/// The state directory used when none is given: `$XDG_STATE_HOME/cluster-client` when
/// XDG_STATE_HOME holds an absolute path, else `$HOME/.local/state/cluster-client` (HOME
/// from the environment, else from the user database). Throws ConfigError when there is no
/// home directory to use.
std::filesystem::path default_state_dir();

/// Makes sure `dir` exists: creates it and its missing parents, each private to the user
/// (mode 0700); directories that already exist are left as they are. Throws ConfigError,
/// naming `dir`, when it cannot be created or is not a directory.
void prepare_state_dir(const std::filesystem::path& dir);

/// Where the saga log lives in state directory `dir`.
std::filesystem::path saga_log_path(const std::filesystem::path& dir);

}  // namespace cluster_client::log
