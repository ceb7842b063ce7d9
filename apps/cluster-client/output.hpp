// SPDX-License-Identifier: MIT
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

#include <cluster_client/enum_names.hpp>
#include <cluster_client/report.hpp>

namespace cluster_client::cli {

enum class OutputFormat { text, json };

constexpr auto enum_names(OutputFormat) {
    return std::to_array<EnumName<OutputFormat>>({{OutputFormat::text, "text"}, {OutputFormat::json, "json"}});
}

/// One saga's result as one JSON object on one line (docs/design.md, "The command line's
/// contract"):
/// {"group","operation","outcome","ok","hosts":[{"host","state","attempts","error"}],"duration_ms",
/// "next_step"}
std::string to_json_line(const SagaReport& report);

/// What closes a saga left open: "run `cluster-client recover` once http://a answers", naming
/// the nodes it waits for. Nothing for a saga that ended.
std::optional<std::string> next_step(const SagaReport& report);

/// One saga's result for a person: a summary line, then a per-host table when the saga did
/// not succeed or `always_table` is set (verify), then the next step of a saga left open.
void print_text(std::ostream& out, const SagaReport& report, bool always_table);

/// Prints a report in the chosen format.
void print_report(std::ostream& out, OutputFormat format, const SagaReport& report);

}  // namespace cluster_client::cli
