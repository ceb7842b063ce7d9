// SPDX-License-Identifier: MIT
#pragma once

#include <iosfwd>

#include <CLI/CLI.hpp>

namespace cluster_client::cli {

/// Prints the bash completion script of `app` (`cluster-client completion bash`): its
/// commands, the options of each, the options that take no value, the words of an option
/// with fixed choices (from the option table), and which options take a file or a directory.
void print_bash_completion(std::ostream& out, const CLI::App& app);

}  // namespace cluster_client::cli
