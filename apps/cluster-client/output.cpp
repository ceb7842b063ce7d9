// SPDX-License-Identifier: MIT
#include "output.hpp"

#include <algorithm>
#include <ostream>

#include <boost/json.hpp>

namespace cluster_client::cli {

std::string to_json_line(const SagaReport& report) {
    boost::json::array hosts;
    for (const auto& host : report.hosts) {
        boost::json::object entry;
        entry["host"] = host.host;
        entry["state"] = to_string(host.state);
        entry["attempts"] = host.attempts;
        if (host.last_error.empty()) {
            entry["error"] = nullptr;
        } else {
            entry["error"] = host.last_error;
        }
        hosts.push_back(std::move(entry));
    }
    boost::json::object line;
    line["group"] = report.group;
    line["operation"] = to_string(report.operation);
    line["outcome"] = to_string(report.outcome);
    line["ok"] = report.ok();
    line["hosts"] = std::move(hosts);
    line["duration_ms"] = report.duration.count();
    if (const auto step = next_step(report)) {
        line["next_step"] = *step;
    } else {
        line["next_step"] = nullptr;
    }
    return boost::json::serialize(line);
}

std::optional<std::string> next_step(const SagaReport& report) {
    if (!report.left_open()) return std::nullopt;
    // The nodes whose state the saga could not settle: a write of ours that may have applied,
    // one that could not be undone, or (an incomplete saga, which goes forward) a step that failed.
    std::string hosts;
    std::size_t count = 0;
    for (const auto& host : report.hosts) {
        const bool waited_for = host.state == HostState::unknown || host.state == HostState::rollback_failed ||
                                (report.outcome == SagaOutcome::incomplete && host.state == HostState::failed);
        if (!waited_for) continue;
        hosts += (count++ == 0 ? "" : ", ") + host.host;
    }
    if (count == 0) return "run `cluster-client recover`";
    return "run `cluster-client recover` once " + hosts + (count == 1 ? " answers" : " answer");
}

void print_text(std::ostream& out, const SagaReport& report, bool always_table) {
    const auto done = report.hosts.size() - report.failed_hosts().size();
    out << to_string(report.operation) << ' ' << report.group << ": " << to_string(report.outcome) << " (" << done
        << '/' << report.hosts.size() << " hosts, " << report.duration.count() << "ms)\n";
    if (report.ok() && !always_table) return;

    std::size_t host_width = 4;
    for (const auto& host : report.hosts) host_width = std::max(host_width, host.host.size());
    const auto pad = [&out](std::string_view text, std::size_t width) {
        out << text << std::string(width > text.size() ? width - text.size() : 0, ' ');
    };
    out << "  ";
    pad("HOST", host_width + 2);
    pad("STATE", 17);
    pad("ATTEMPTS", 10);
    out << "ERROR\n";
    for (const auto& host : report.hosts) {
        out << "  ";
        pad(host.host, host_width + 2);
        pad(to_string(host.state), 17);
        pad(std::to_string(host.attempts), 10);
        out << host.last_error << '\n';
    }
    if (const auto step = next_step(report)) out << "  next: " << *step << '\n';
}

void print_report(std::ostream& out, OutputFormat format, const SagaReport& report) {
    if (format == OutputFormat::json) {
        out << to_json_line(report) << '\n';
    } else {
        print_text(out, report, report.operation == Operation::verify);
    }
    out.flush();
}

}  // namespace cluster_client::cli
