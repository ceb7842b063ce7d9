// SPDX-License-Identifier: MIT
#pragma once

#include <CLI/CLI.hpp>

#include "option_table.hpp"
#include "settings.hpp"

namespace cluster_client::cli {

/// Adds the flag of every option of `scope` to `command`, with the option's doc, type and
/// default for --help. The flags hold their values as typed: apply_command_line reads them.
void add_option_flags(CLI::App& command, OptionScope scope);

/// Sets every option whose flag was given, to `app` or to the command it ran. Throws
/// ConfigError naming the flag when its value is not of the option's type.
void apply_command_line(const CLI::App& app, Settings& settings);

}  // namespace cluster_client::cli
