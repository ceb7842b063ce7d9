// SPDX-License-Identifier: MIT
#pragma once

#include <iosfwd>

#include <CLI/CLI.hpp>

namespace cluster_client::cli {

/// Prints the fish completion script of `app` (`cluster-client completion fish`): a
/// `complete` line per command and per option, from the same definition as the bash script,
/// with the choices of an option that has a fixed set (from the option table), file names
/// after an option that takes a file and directories after one that takes a directory.
void print_fish_completion(std::ostream& out, const CLI::App& app);

}  // namespace cluster_client::cli
