// SPDX-License-Identifier: MIT
// Creates a group on every node of a cluster, prints what happened on each node, verifies
// the group and deletes it again: BlockingClusterClient, for code without an event loop,
// with failures turned into GroupOperationError by SagaReport::throw_if_failed().
//
//   example-blocking-create HOST[,HOST...] [GROUP]
//
// for example `example-blocking-create http://127.0.0.1:8001,http://127.0.0.1:8002`.
// Exit code: 0 when every saga ended ok, 1 when one did not, 2 for bad usage or options.
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <cluster_client/cluster_client.hpp>

namespace cc = cluster_client;

namespace {

std::vector<std::string> split_hosts(std::string_view list) {
    std::vector<std::string> hosts;
    while (!list.empty()) {
        const auto comma = list.find(',');
        const auto item = list.substr(0, comma);
        if (!item.empty()) hosts.emplace_back(item);
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    }
    return hosts;
}

// The state directory the cluster-client program uses by default. Sharing it means
// `cluster-client sagas` lists this program's sagas and `cluster-client recover` can end
// the ones it leaves open. Empty when there is no home directory to put it in.
std::string state_dir_of_the_command_line() {
    if (const char* state = std::getenv("XDG_STATE_HOME"); state != nullptr && state[0] == '/') {
        return std::string(state) + "/cluster-client";
    }
    if (const char* home = std::getenv("HOME"); home != nullptr && home[0] != '\0') {
        return std::string(home) + "/.local/state/cluster-client";
    }
    return {};
}

void print_report(const cc::SagaReport& report) {
    std::cout << cc::to_string(report.operation) << ' ' << report.group << ": " << cc::to_string(report.outcome)
              << " in " << report.duration.count() << " ms\n";
    for (const cc::HostReport& host : report.hosts) {
        std::cout << "  " << host.host << "  " << cc::to_string(host.state) << "  requests: " << host.attempts;
        if (!host.last_error.empty()) std::cout << "  last error: " << host.last_error;
        std::cout << '\n';
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || argc > 3) {
        std::cerr << "usage: example-blocking-create HOST[,HOST...] [GROUP]\n";
        return 2;
    }
    const std::string group = argc == 3 ? argv[2] : "example-blocking-group";

    cc::ClientOptions options{.hosts = split_hosts(argv[1])};
    // With the saga log, a process killed mid-saga leaves a record of which nodes it may
    // have written to. BlockingClusterClient has no recover(): a later create, delete or
    // ensure on the same group recovers what was left on it before it starts, and
    // `cluster-client recover` (sharing this state directory) ends the others.
    options.saga_log.state_dir = state_dir_of_the_command_line();
    if (options.saga_log.state_dir.empty()) {
        std::cerr << "no state directory for the saga log: set HOME or XDG_STATE_HOME\n";
        return 2;
    }

    try {
        // Starts its own io_context on a thread of its own; throws ConfigError for a bad
        // host or option, or a saga log it cannot use.
        cc::BlockingClusterClient client(std::move(options));

        // Each call blocks until its saga has ended, rollback included.
        const cc::SagaReport created = client.create_group(group);
        print_report(created);
        // Nothing to clean up when this throws: a failed create undid its own writes, or
        // (rollback_incomplete) left its saga open in the log for recovery.
        created.throw_if_failed();

        const cc::SagaReport verified = client.verify_group(group);
        print_report(verified);

        if (created.outcome == cc::SagaOutcome::already_exists) {
            // ok() holds, but every node had the group before: not ours to delete.
            std::cout << "group " << group << " was there before; left as it is\n";
            verified.throw_if_failed();
            return 0;
        }

        // Delete what we created even if the verify found a node without it.
        const cc::SagaReport deleted = client.delete_group(group);
        print_report(deleted);
        verified.throw_if_failed();
        deleted.throw_if_failed();
        return 0;
    } catch (const cc::GroupOperationError& error) {
        // Names the operation, the group, the outcome, and each node that saw a failure.
        std::cerr << "failed: " << error.what() << '\n';
        return 1;
    } catch (const cc::ConfigError& error) {
        // Also InvalidGroupId: a bad id is refused before any request is sent.
        std::cerr << "configuration: " << error.what() << '\n';
        return 2;
    } catch (const cc::Error& error) {
        // A saga log that fails mid-run (disk full, I/O error).
        std::cerr << "error: " << error.what() << '\n';
        return 1;
    }
}
