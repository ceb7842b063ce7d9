// SPDX-License-Identifier: MIT
// Creates a group on every node of a cluster, prints what happened on each node, verifies
// the group and deletes it again: ClusterClient with C++20 coroutines on one io_context.
//
//   example-coroutine-create HOST[,HOST...] [GROUP]
//
// for example `example-coroutine-create http://127.0.0.1:8001,http://127.0.0.1:8002`.
// Exit code: 0 when every saga ended ok, 1 when one did not, 2 for bad usage or options.
#include <cstdlib>
#include <exception>
#include <future>
#include <iostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <cluster_client/cluster_client.hpp>

namespace asio = boost::asio;
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
        // A node can end well after failures: the last one is kept, naming the step.
        if (!host.last_error.empty()) std::cout << "  last error: " << host.last_error;
        std::cout << '\n';
    }
}

asio::awaitable<int> create_verify_delete(cc::ClusterClient& client, std::string group) {
    // A saga is written to the log before its first request, so when a process is killed
    // mid-saga (or a rollback could not reach a node), the log knows which nodes it may
    // have written to. recover() finishes or undoes every such saga that no live process
    // runs, on the nodes it was started with. A new create, delete or ensure on the same
    // group would recover it first anyway; recovering at start also ends the ones on groups
    // this program does not touch today.
    const std::vector<cc::SagaReport> recovered = co_await client.recover();
    bool still_open = false;
    for (const auto& report : recovered) {
        std::cout << "recovered an open saga: ";
        print_report(report);
        if (report.left_open()) still_open = true;  // a node is still down: it stays open
    }

    // Expected node failures are not exceptions: they are in the report.
    const cc::SagaReport created = co_await client.async_create_group(group, asio::use_awaitable);
    print_report(created);
    if (!created.ok()) {
        // rolled_back and conflict: every write of ours was undone. rollback_incomplete:
        // the saga stays open in the log until recover() can reach the nodes.
        co_return 1;
    }

    const cc::SagaReport verified = co_await client.async_verify_group(group, asio::use_awaitable);
    print_report(verified);

    if (created.outcome == cc::SagaOutcome::already_exists) {
        // ok() holds, but every node had the group before this program ran: not ours to
        // delete.
        std::cout << "group " << group << " was there before; left as it is\n";
        co_return verified.ok() && !still_open ? 0 : 1;
    }

    const cc::SagaReport deleted = co_await client.async_delete_group(group, asio::use_awaitable);
    print_report(deleted);
    co_return verified.ok() && deleted.ok() && !still_open ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || argc > 3) {
        std::cerr << "usage: example-coroutine-create HOST[,HOST...] [GROUP]\n";
        return 2;
    }
    const std::string group = argc == 3 ? argv[2] : "example-coroutine-group";

    cc::ClientOptions options{.hosts = split_hosts(argv[1])};
    // The durable saga log is off in the library unless a state directory is given. Without
    // it a process killed mid-saga can leave the group on some nodes only, with nothing to
    // tell which writes were its own.
    options.saga_log.state_dir = state_dir_of_the_command_line();
    if (options.saga_log.state_dir.empty()) {
        std::cerr << "no state directory for the saga log: set HOME or XDG_STATE_HOME\n";
        return 2;
    }

    // Declared before the client, so it is destroyed after it: the client's sagas and its
    // log complete their handlers on this context.
    asio::io_context io;
    try {
        // Throws ConfigError for a bad host or option, or a saga log it cannot use.
        cc::ClusterClient client(io.get_executor(), std::move(options));
        std::future<int> exit_code = asio::co_spawn(io, create_verify_delete(client, group), asio::use_future);
        io.run();  // one thread runs every saga and every node's requests
        return exit_code.get();
    } catch (const cc::ConfigError& error) {
        // Also InvalidGroupId, delivered through the completion token before any request.
        std::cerr << "configuration: " << error.what() << '\n';
        return 2;
    } catch (const cc::Error& error) {
        // A saga log that fails mid-run (disk full, I/O error).
        std::cerr << "error: " << error.what() << '\n';
        return 1;
    }
}
