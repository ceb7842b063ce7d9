// SPDX-License-Identifier: MIT
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace cluster_client::cli {

/// The exit codes of docs/design.md, "The command line's contract", decided in one place.
enum class ExitCode : int {
    success = 0,    ///< every operation succeeded
    failed = 1,     ///< some operation failed cleanly (rolled back, conflict, not found)
    usage = 2,      ///< usage or configuration error; nothing was sent
    left_open = 3,  ///< something is left open for `recover`
};

/// Runs the command line `args` (without the program name) with `env_hosts` standing for
/// the HOSTS environment variable. Prints results to `out`, errors and progress to `err`.
int run(const std::vector<std::string>& args, const char* env_hosts, std::ostream& out, std::ostream& err);

}  // namespace cluster_client::cli
