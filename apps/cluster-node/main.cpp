// SPDX-License-Identifier: MIT
// cluster-node: serves N reference nodes of the group API, with fault injection, until
// SIGINT or SIGTERM. Prints "node <i> <url>" per node and "admin <url>" on stdout once
// listening; logs go to stderr. Exit codes: 0 stopped by a signal, 1 cannot serve (a port is
// taken), 2 bad usage.
#include "cluster_client/errors.hpp"
#include "cluster_client/version.hpp"
#include "reference_node/node_cluster.hpp"

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdint>
#include <exception>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace node = cluster_client::reference_node;

constexpr int exit_failure = 1;
constexpr int exit_usage = 2;
constexpr int max_threads = 256;

struct CommandLine {
    node::NodeClusterOptions cluster;
    int base_port = 0;
    int admin_port = -1;
    std::int64_t latency_ms = 0;
    int threads = 1;
    std::string log_level = "info";
};

void add_options(CLI::App& app, CommandLine& line) {
    node::FaultOptions& faults = line.cluster.faults;
    app.add_option("--nodes", line.cluster.nodes, "Number of nodes (1 to 10000)")->capture_default_str();
    app.add_option("--base-port", line.base_port,
                   "Node i listens on base-port + i; 0 gives each node an ephemeral port")
        ->capture_default_str();
    app.add_option("--bind", line.cluster.bind, "Address every listener binds")->capture_default_str();
    app.add_option("--admin-port", line.admin_port, "Port of the admin endpoint (0: ephemeral); none when absent");
    app.add_option("--seed", faults.seed, "Seed of the fault generators (node i: seed + i)")->capture_default_str();
    app.add_option("--p-500-before", faults.p_500_before, "Probability of answering 500 without applying")
        ->capture_default_str();
    app.add_option("--p-500-after", faults.p_500_after, "Probability of applying, then answering 500")
        ->capture_default_str();
    app.add_option("--p-hang-before", faults.p_hang_before, "Probability of never answering, not applied")
        ->capture_default_str();
    app.add_option("--p-hang-after", faults.p_hang_after, "Probability of applying, then never answering")
        ->capture_default_str();
    app.add_option("--p-reset", faults.p_reset, "Probability of resetting the connection, not applied")
        ->capture_default_str();
    app.add_option("--latency-ms", line.latency_ms, "Delay before every request, every node")->capture_default_str();
    app.add_option("--faulty-nodes", faults.faulty_nodes,
                   "Comma-separated node indices the probabilities apply to (default: all)")
        ->delimiter(',');
    app.add_option("--delete-missing", line.cluster.delete_missing_status,
                   "What DELETE of a missing group answers: 404, 200 or 400")
        ->capture_default_str();
    app.add_option("--threads", line.threads, "Threads serving the nodes")->capture_default_str();
    app.add_option("--tls-cert", line.cluster.tls_cert_file,
                   "PEM certificate chain: with --tls-key, the nodes serve https (the admin endpoint stays http)");
    app.add_option("--tls-key", line.cluster.tls_key_file, "PEM private key of --tls-cert");
    app.add_option("--tls-client-ca", line.cluster.tls_client_ca_file,
                   "PEM CA bundle: clients must present a certificate it signed (mutual TLS)");
    app.add_option("--log-level", line.log_level, "Log level on stderr")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
        ->capture_default_str();
}

// The rule `line` breaks that CLI11 cannot check by itself; empty when it is usable.
std::string usage_error(CommandLine& line) {
    if (line.base_port < 0 || line.base_port > 65535) {
        return "--base-port must be in [0, 65535]";
    }
    if (line.admin_port != -1 && (line.admin_port < 0 || line.admin_port > 65535)) {
        return "--admin-port must be in [0, 65535]";
    }
    if (line.threads < 1 || line.threads > max_threads) {
        return "--threads must be in [1, " + std::to_string(max_threads) + "]";
    }
    line.cluster.base_port = static_cast<std::uint16_t>(line.base_port);
    if (line.admin_port != -1) {
        line.cluster.admin_port = static_cast<std::uint16_t>(line.admin_port);
    }
    line.cluster.faults.latency = std::chrono::milliseconds(line.latency_ms);
    return node::node_cluster_options_error(line.cluster).value_or("");
}

void print_urls(const node::NodeCluster& cluster) {
    const std::vector<std::string> urls = cluster.urls();
    for (std::size_t i = 0; i < urls.size(); ++i) {
        std::cout << "node " << i << ' ' << urls[i] << '\n';
    }
    if (const auto admin = cluster.admin_url()) std::cout << "admin " << *admin << '\n';
    // Whoever started us reads these lines to learn the ephemeral ports.
    std::cout.flush();
}

int serve(const CommandLine& line) {
    boost::asio::io_context io(line.threads);
    auto options = line.cluster;
    options.threads = line.threads;
    node::NodeCluster cluster(io.get_executor(), options);
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&cluster](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        spdlog::info("cluster-node: signal {}, stopping", signal);
        cluster.stop();
    });
    cluster.start();
    print_urls(cluster);
    spdlog::info("cluster-node: {} node(s) on {} thread(s)", cluster.size(), line.threads);

    std::vector<std::jthread> extra_threads;
    for (int i = 1; i < line.threads; ++i) extra_threads.emplace_back([&io] { io.run(); });
    io.run();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"cluster-node: serves reference nodes of the cluster group API, with fault injection", "cluster-node"};
    app.set_version_flag("--version", "cluster-node " + std::string(cluster_client::version),
                         "print the version and exit");
    CommandLine line;
    add_options(app, line);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : exit_usage;
    }
    if (const std::string error = usage_error(line); !error.empty()) {
        std::cerr << "cluster-node: " << error << '\n';
        return exit_usage;
    }

    spdlog::set_default_logger(spdlog::stderr_color_mt("cluster-node"));
    spdlog::set_level(spdlog::level::from_str(line.log_level));
    try {
        return serve(line);
    } catch (const cluster_client::ConfigError& e) {
        std::cerr << "cluster-node: " << e.what() << '\n';
        return exit_usage;
    } catch (const std::exception& e) {
        std::cerr << "cluster-node: " << e.what() << '\n';
        return exit_failure;
    }
}
