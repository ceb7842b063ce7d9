// SPDX-License-Identifier: MIT
#include "log_commands.hpp"

#include <ostream>
#include <set>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include <cluster_client/cluster_client.hpp>

#include "cli.hpp"

namespace cluster_client::cli {

namespace {

// Runs `work(client)` on a client without hosts over the log in `options`.
template <class Work>
auto with_log_client(ClientOptions options, Work work) {
    options.hosts.clear();
    boost::asio::io_context io{1};
    ClusterClient client(io.get_executor(), std::move(options));
    auto result = boost::asio::co_spawn(io, work(client), boost::asio::use_future);
    io.run();
    return result.get();
}

std::string iso_time(std::chrono::system_clock::time_point time) {
    const auto seconds = std::chrono::system_clock::to_time_t(time);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

std::string facts_text(const LoggedSaga& record, std::size_t host) {
    std::string text;
    for (const auto& fact : record.facts.at(host)) {
        if (!text.empty()) text += ',';
        text += fact;
    }
    return text.empty() ? "-" : text;
}

std::string_view host_state(const LoggedSaga& record, std::size_t host) {
    return host < record.host_states.size() ? to_string(record.host_states[host]) : "running";
}

void print_record_json(std::ostream& out, const LoggedSaga& record) {
    boost::json::array hosts;
    for (std::size_t i = 0; i < record.hosts.size(); ++i) {
        boost::json::array facts;
        for (const auto& fact : record.facts.at(i)) facts.emplace_back(fact);
        hosts.push_back(boost::json::object{{"host", record.hosts[i]},
                                            {"state", host_state(record, i)},
                                            {"facts", std::move(facts)}});
    }
    boost::json::object line{{"saga", record.id},
                             {"operation", to_string(record.operation)},
                             {"group", record.group},
                             {"open", record.open},
                             {"phase", record.phase},
                             {"owner_pid", record.owner_pid},
                             {"started_at", iso_time(record.started_at)},
                             {"updated_at", iso_time(record.updated_at)},
                             {"hosts", std::move(hosts)}};
    if (record.outcome) {
        line["outcome"] = to_string(*record.outcome);
    } else {
        line["outcome"] = nullptr;
    }
    out << boost::json::serialize(line) << '\n';
}

void print_record_text(std::ostream& out, const LoggedSaga& record) {
    out << "saga " << record.id << ": " << to_string(record.operation) << ' ' << record.group << "  "
        << (record.open ? "OPEN" : "closed") << "  " << (record.outcome ? to_string(*record.outcome) : "running")
        << "  phase " << record.phase << "  pid " << record.owner_pid << "  updated " << iso_time(record.updated_at)
        << '\n';
    for (std::size_t i = 0; i < record.hosts.size(); ++i) {
        out << "    " << record.hosts[i] << "  " << host_state(record, i) << "  facts: " << facts_text(record, i)
            << '\n';
    }
}

}  // namespace

int run_sagas_command(ClientOptions options, std::size_t limit, OutputFormat format, std::ostream& out) {
    const auto listing =
        with_log_client(std::move(options), [limit](ClusterClient& client) { return client.list_sagas(limit); });
    std::set<std::int64_t> shown;
    auto print = [&](const LoggedSaga& record) {
        if (!shown.insert(record.id).second) return;
        if (format == OutputFormat::json) {
            print_record_json(out, record);
        } else {
            print_record_text(out, record);
        }
    };
    if (format == OutputFormat::text) out << listing.open.size() << " open saga(s)\n";
    for (const auto& record : listing.open) print(record);
    if (format == OutputFormat::text && !listing.recent.empty()) out << "recent:\n";
    for (const auto& record : listing.recent) print(record);
    return static_cast<int>(ExitCode::success);
}

int run_prune_command(ClientOptions options, std::chrono::milliseconds older_than, OutputFormat format,
                      std::ostream& out) {
    const auto before = std::chrono::system_clock::now() - older_than;
    const auto pruned =
        with_log_client(std::move(options), [before](ClusterClient& client) { return client.prune_sagas(before); });
    if (format == OutputFormat::json) {
        out << boost::json::serialize(boost::json::object{{"pruned", pruned}, {"ended_before", iso_time(before)}})
            << '\n';
    } else {
        out << "pruned " << pruned << " saga(s) that ended before " << iso_time(before) << '\n';
    }
    return static_cast<int>(ExitCode::success);
}

void apply_retention(boost::asio::io_context& io, ClusterClient& client, std::chrono::milliseconds retention,
                     std::ostream& err) {
    if (retention.count() == 0) return;
    io.restart();
    auto pruned = boost::asio::co_spawn(io, client.prune_sagas(std::chrono::system_clock::now() - retention),
                                        boost::asio::use_future);
    io.run();
    try {
        pruned.get();
    } catch (const std::exception& error) {
        err << "cluster-client: warning: --retention: the saga log could not be pruned: " << error.what() << '\n';
    }
}

int run_recover_command(ClientOptions options, OutputFormat format, std::ostream& out, std::ostream& err) {
    // Each saga is recovered on the hosts it was started with, which the log keeps.
    const auto recovered = with_log_client(std::move(options), [](ClusterClient& client) { return client.recover(); });
    if (recovered.empty()) {
        if (format == OutputFormat::text) out << "no open sagas\n";
        return static_cast<int>(ExitCode::success);
    }
    int still_open = 0;
    for (const auto& report : recovered) {
        print_report(out, format, report);
        if (const auto step = next_step(report)) {
            ++still_open;
            err << "cluster-client: " << to_string(report.operation) << ' ' << report.group << " is still open; "
                << *step << '\n';
        }
    }
    return static_cast<int>(still_open > 0 ? ExitCode::left_open : ExitCode::success);
}

}  // namespace cluster_client::cli
