// SPDX-License-Identifier: MIT
#include "cpu_bench.hpp"

#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <iomanip>
#include <ostream>
#include <regex>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <cluster_client/errors.hpp>

#include "http/host_pool.hpp"
#include "node_thread.hpp"
#include "throughput_bench.hpp"

extern char** environ;

namespace cluster_client::bench {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

double children_cpu_seconds() {
    rusage usage{};
    ::getrusage(RUSAGE_CHILDREN, &usage);
    const auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Runs wrk to its end and returns what it printed.
std::string run_wrk(const CpuBenchOptions& options, const std::string& url) {
    int out[2];
    if (::pipe(out) != 0) throw Error("wrk: cannot make a pipe");
    posix_spawn_file_actions_t actions;
    ::posix_spawn_file_actions_init(&actions);
    ::posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    ::posix_spawn_file_actions_addclose(&actions, out[0]);
    std::vector<std::string> words{options.wrk, "-t1", "-c" + std::to_string(options.connections),
                                   "-d" + std::to_string(options.wrk_seconds) + "s", url};
    std::vector<char*> argv;
    for (auto& word : words) argv.push_back(word.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int spawned = ::posix_spawnp(&pid, options.wrk.c_str(), &actions, nullptr, argv.data(), environ);
    ::posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    if (spawned != 0) {
        ::close(out[0]);
        throw Error("cannot run " + options.wrk + " (apt-get install wrk): " + std::strerror(spawned));
    }
    std::string printed;
    char chunk[4096];
    for (ssize_t n; (n = ::read(out[0], chunk, sizeof chunk)) > 0;) printed.append(chunk, static_cast<std::size_t>(n));
    ::close(out[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        // posix_spawnp reports a missing program through the child's exit status 127.
        throw Error(options.wrk + " failed (apt-get install wrk if it is missing): " + printed);
    }
    return printed;
}

CpuRow wrk_row(const CpuBenchOptions& options, const std::string& node) {
    const auto cpu_before = children_cpu_seconds();
    const auto printed = run_wrk(options, node + "/v1/group/bench-wrk/");
    const auto cpu = children_cpu_seconds() - cpu_before;
    std::smatch match;
    if (!std::regex_search(printed, match, std::regex(R"((\d+) requests in ([0-9.]+)(m?s))"))) {
        throw Error("wrk printed no request count: " + printed);
    }
    CpuRow row{.client = "wrk", .requests = std::stoull(match[1].str())};
    row.seconds = std::stod(match[2].str()) / (match[3].str() == "ms" ? 1000.0 : 1.0);
    row.requests_per_second = static_cast<double>(row.requests) / row.seconds;
    row.cpu_us_per_request = cpu * 1e6 / static_cast<double>(row.requests);
    return row;
}

// The HTTP layer alone, as wrk loads a node: GETs back to back on every connection.
CpuRow http_row(const CpuBenchOptions& options, const std::string& node) {
    asio::io_context io{1};
    HttpOptions http;
    http.max_connections_per_host = options.connections;
    http::HostPool pool(io.get_executor(), http::parse_endpoint(node), http, nullptr);
    std::size_t sent = 0;
    std::size_t failed = 0;
    auto worker = [&]() -> asio::awaitable<void> {
        while (sent < options.requests) {
            ++sent;
            // A named request: GCC 12 frees a braced temporary inside a co_await too early.
            http::Request request{http::Method::get, "/v1/group/bench-http/", {}};
            auto outcome = co_await pool.send(std::move(request), std::chrono::seconds(2));
            if (std::holds_alternative<http::Failure>(outcome)) ++failed;
        }
    };
    const auto cpu_before = thread_cpu_seconds();
    const auto started = Clock::now();
    for (std::size_t i = 0; i < options.connections; ++i) asio::co_spawn(io, worker(), asio::detached);
    io.run();
    CpuRow row{.client = "http", .requests = sent};
    row.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    row.requests_per_second = static_cast<double>(sent) / row.seconds;
    row.cpu_us_per_request = (thread_cpu_seconds() - cpu_before) * 1e6 / static_cast<double>(sent);
    if (failed > 0) throw Error(std::to_string(failed) + " GET requests of the http client failed");
    return row;
}

CpuRow saga_row(const CpuBenchOptions& options, const std::string& node) {
    ThroughputBenchOptions sagas;
    sagas.sagas = std::max<std::size_t>(2, options.requests / 10);
    const auto measured = run_sagas(sagas, {node}, options.connections, false);
    if (measured.failed > 0) throw Error(std::to_string(measured.failed) + " sagas failed");
    return CpuRow{.client = "sagas",
                  .requests = measured.requests,
                  .seconds = measured.seconds,
                  .requests_per_second = measured.requests_per_second,
                  .cpu_us_per_request = measured.client_cpu_us_per_request};
}

}  // namespace

std::vector<CpuRow> run_cpu_bench(const CpuBenchOptions& options) {
    NodeThread cluster(1, std::chrono::milliseconds(0));
    const auto node = cluster.urls().front();
    std::vector<CpuRow> rows{wrk_row(options, node), http_row(options, node), saga_row(options, node)};
    for (auto& row : rows) row.versus_wrk = row.cpu_us_per_request / rows.front().cpu_us_per_request;
    return rows;
}

void print_cpu_table(std::ostream& out, const std::vector<CpuRow>& rows) {
    out << std::left << std::setw(8) << "client" << std::right << std::setw(10) << "requests" << std::setw(10)
        << "seconds" << std::setw(12) << "requests/s" << std::setw(12) << "cpu us/req" << std::setw(10) << "x wrk"
        << '\n';
    for (const auto& row : rows) {
        out << std::left << std::setw(8) << row.client << std::right << std::setw(10) << row.requests << std::fixed
            << std::setprecision(2) << std::setw(10) << row.seconds << std::setprecision(0) << std::setw(12)
            << row.requests_per_second << std::setprecision(1) << std::setw(12) << row.cpu_us_per_request
            << std::setprecision(2) << std::setw(10) << row.versus_wrk << '\n';
    }
}

void print_cpu_json(std::ostream& out, const std::vector<CpuRow>& rows) {
    for (const auto& row : rows) {
        out << boost::json::serialize(boost::json::object{{"client", row.client},
                                                          {"requests", row.requests},
                                                          {"seconds", row.seconds},
                                                          {"requests_per_second", row.requests_per_second},
                                                          {"cpu_us_per_request", row.cpu_us_per_request},
                                                          {"versus_wrk", row.versus_wrk}})
            << '\n';
    }
}

}  // namespace cluster_client::bench
