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
#include "log/sqlite_saga_log.hpp"
#include "log/state_dir.hpp"

namespace cluster_client::cli {

namespace {

std::unique_ptr<log::SagaLog> open_log(const std::string& state_dir) {
    log::prepare_state_dir(state_dir);
    return log::open_sqlite_saga_log({.path = log::saga_log_path(state_dir)});
}

std::string iso_time(std::chrono::system_clock::time_point time) {
    const auto seconds = std::chrono::system_clock::to_time_t(time);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

std::string facts_text(const log::SagaRecord& record, std::size_t host) {
    std::string text;
    for (const auto fact : record.facts.at(host)) {
        if (!text.empty()) text += ',';
        text += log::to_string(fact);
    }
    return text.empty() ? "-" : text;
}

std::string_view host_state(const log::SagaRecord& record, std::size_t host) {
    return host < record.host_states.size() ? to_string(record.host_states[host]) : "running";
}

void print_record_json(std::ostream& out, const log::SagaRecord& record) {
    boost::json::array hosts;
    for (std::size_t i = 0; i < record.hosts.size(); ++i) {
        boost::json::array facts;
        for (const auto fact : record.facts.at(i)) facts.emplace_back(log::to_string(fact));
        hosts.push_back(boost::json::object{{"host", record.hosts[i]},
                                            {"state", host_state(record, i)},
                                            {"facts", std::move(facts)}});
    }
    boost::json::object line{{"saga", record.id},
                             {"operation", to_string(record.operation)},
                             {"group", record.group},
                             {"open", record.open},
                             {"phase", log::to_string(record.phase)},
                             {"owner_pid", record.owner.pid},
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

void print_record_text(std::ostream& out, const log::SagaRecord& record) {
    out << "saga " << record.id << ": " << to_string(record.operation) << ' ' << record.group << "  "
        << (record.open ? "OPEN" : "closed") << "  " << (record.outcome ? to_string(*record.outcome) : "running")
        << "  phase " << log::to_string(record.phase) << "  pid " << record.owner.pid << "  updated "
        << iso_time(record.updated_at) << '\n';
    for (std::size_t i = 0; i < record.hosts.size(); ++i) {
        out << "    " << record.hosts[i] << "  " << host_state(record, i) << "  facts: " << facts_text(record, i)
            << '\n';
    }
}

}  // namespace

int run_sagas_command(const std::string& state_dir, std::size_t limit, OutputFormat format, std::ostream& out) {
    auto saga_log = open_log(state_dir);
    const auto open = saga_log->open_sagas();
    auto recent = saga_log->recent_sagas(limit);
    std::set<log::SagaId> shown;
    auto print = [&](const log::SagaRecord& record) {
        if (!shown.insert(record.id).second) return;
        if (format == OutputFormat::json) {
            print_record_json(out, record);
        } else {
            print_record_text(out, record);
        }
    };
    if (format == OutputFormat::text) out << open.size() << " open saga(s)\n";
    for (const auto& record : open) print(record);
    if (format == OutputFormat::text && !recent.empty()) out << "recent:\n";
    for (const auto& record : recent) print(record);
    return static_cast<int>(ExitCode::success);
}

int run_recover_command(ClientOptions options, OutputFormat format, std::ostream& out, std::ostream& err) {
    // Each saga is recovered on the hosts it was started with; the client needs some hosts
    // to exist, so it gets theirs.
    std::vector<std::string> hosts;
    {
        auto saga_log = open_log(options.saga_log.state_dir);
        std::set<std::string> seen;
        for (const auto& record : saga_log->open_sagas()) {
            for (const auto& host : record.hosts) {
                if (seen.insert(host).second) hosts.push_back(host);
            }
        }
    }
    if (hosts.empty()) {
        if (format == OutputFormat::text) out << "no open sagas\n";
        return static_cast<int>(ExitCode::success);
    }
    options.hosts = hosts;
    boost::asio::io_context io{1};
    ClusterClient client(io.get_executor(), options);
    auto recovered = boost::asio::co_spawn(io, client.recover(), boost::asio::use_future);
    io.run();
    int still_open = 0;
    for (const auto& report : recovered.get()) {
        print_report(out, format, report);
        if (report.left_open()) {
            ++still_open;
            err << "cluster-client: saga on group " << report.group << " is still open: "
                << report.failed_hosts().size() << " host(s) unreachable\n";
        }
    }
    return static_cast<int>(still_open > 0 ? ExitCode::left_open : ExitCode::success);
}

}  // namespace cluster_client::cli
