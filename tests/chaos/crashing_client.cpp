// SPDX-License-Identifier: MIT
// cluster-client with a crash point, for the crash tests: with CLUSTER_CLIENT_CRASH_AFTER_LOG_COMMITS=N
// in its environment, it stops (exit status 86, no cleanup, as kill -9 would leave it) right
// after its saga log's Nth commit. Otherwise it is the real program. The shipped program
// has no such point: only this test binary installs the log's commit hook.
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "cli.hpp"
#include "log/sqlite/writer.hpp"

int main(int argc, char** argv) {
    if (const char* value = std::getenv("CLUSTER_CLIENT_CRASH_AFTER_LOG_COMMITS"); value != nullptr && *value != '\0') {
        const std::uint64_t crash_after = std::strtoull(value, nullptr, 10);
        cluster_client::log::sqlite::set_commit_hook([crash_after](std::uint64_t commits) {
            if (commits == crash_after) std::_Exit(86);
        });
    }
    std::ios::sync_with_stdio(false);
    const std::vector<std::string> args(argv + 1, argv + argc);
    return cluster_client::cli::run(args, std::getenv("HOSTS"), std::cout, std::cerr);
}
