// SPDX-License-Identifier: MIT
#include "demo.hpp"

#include <ostream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cluster_client/cluster_client.hpp>

#include "reference_node/node_cluster.hpp"

namespace cluster_client::cli {

namespace asio = boost::asio;

namespace {

reference_node::FaultOptions demo_faults() {
    reference_node::FaultOptions faults;
    faults.p_500_before = 0.10;
    faults.p_500_after = 0.10;
    faults.p_reset = 0.05;
    faults.p_hang_after = 0.03;
    faults.seed = 7;
    return faults;
}

void print_real_state(std::ostream& out, const reference_node::NodeCluster& cluster, const std::string& group) {
    out << "  nodes' real state:";
    for (int i = 0; i < cluster.size(); ++i) {
        out << "  node " << i << (cluster.contains(i, group) ? " has it" : " lacks it");
    }
    out << "\n\n";
}

}  // namespace

int run_demo(const DemoOptions& options, OutputFormat format, std::ostream& out, std::ostream& err) {
    validate_group_id(options.group);
    asio::io_context io{1};
    reference_node::NodeClusterOptions cluster_options;
    cluster_options.nodes = options.nodes;
    if (options.faults) cluster_options.faults = demo_faults();
    reference_node::NodeCluster cluster(io.get_executor(), cluster_options);
    cluster.start();

    ClientOptions client_options{.hosts = cluster.urls()};
    // Short timeouts keep the demo quick when a node hangs after applying a request.
    client_options.retry.attempt_timeout = std::chrono::milliseconds(300);
    ClusterClient client(io.get_executor(), client_options);

    if (format == OutputFormat::text) {
        out << "Local cluster of " << options.nodes << " nodes:";
        for (const auto& url : cluster.urls()) out << ' ' << url;
        out << (options.faults ? "\nFaults on: 500 before/after applying, resets, hangs after applying.\n\n"
                               : "\nNo faults.\n\n");
    }

    bool as_expected = true;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            const std::pair<Operation, SagaOutcome> steps[] = {{Operation::create, SagaOutcome::created},
                                                               {Operation::verify, SagaOutcome::present},
                                                               {Operation::delete_, SagaOutcome::deleted},
                                                               {Operation::verify, SagaOutcome::absent}};
            for (const auto& [operation, expected] : steps) {
                const auto report = co_await client.run(operation, options.group);
                as_expected = as_expected && report.outcome == expected;
                if (format == OutputFormat::json) {
                    out << to_json_line(report) << '\n';
                } else {
                    print_text(out, report, true);
                    print_real_state(out, cluster, options.group);
                }
            }
            cluster.stop();
        },
        asio::detached);
    io.run();
    if (!as_expected) err << "cluster-client demo: a saga did not end as expected (see above)\n";
    return as_expected ? 0 : 1;
}

}  // namespace cluster_client::cli
