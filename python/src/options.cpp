// SPDX-License-Identifier: MIT
#include "options.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include <cluster_client/errors.hpp>

#include "client_options.hpp"
#include "log_sink.hpp"
#include "option_table.hpp"
#include "settings.hpp"

namespace cluster_client::python {

namespace {

// What only the command line does: how it prints, its log level (Python's logging decides
// here), and how a batch runs.
constexpr std::array<std::string_view, 7> command_line_only = {"output",    "log_level", "no_recover", "concurrency",
                                                               "retention", "color",     "quiet"};

bool is_keyword(const cli::OptionRow& row) {
    return row.name != "hosts" &&
           std::find(command_line_only.begin(), command_line_only.end(), row.name) == command_line_only.end();
}

std::string kind_name(cli::ValueKind kind) {
    switch (kind) {
        case cli::ValueKind::text: return "text";
        case cli::ValueKind::word: return "word";
        case cli::ValueKind::count: return "count";
        case cli::ValueKind::duration: return "duration";
        case cli::ValueKind::flag: return "flag";
        case cli::ValueKind::file: return "file";
        case cli::ValueKind::directory: return "directory";
    }
    return "text";
}

}  // namespace

std::vector<KeywordOption> keyword_options() {
    std::vector<KeywordOption> options;
    for (const auto& row : cli::option_table()) {
        if (!is_keyword(row)) continue;
        options.push_back({.name = std::string(row.name),
                           .kind = kind_name(row.kind),
                           .default_value = row.default_value,
                           .doc = std::string(row.doc),
                           .choices = {row.choices.begin(), row.choices.end()}});
    }
    return options;
}

ClientOptions client_options(const std::vector<std::string>& hosts,
                             const std::vector<std::pair<std::string, std::string>>& values) {
    auto settings = cli::Settings::defaults();
    std::string joined;
    for (const auto& host : hosts) joined += (joined.empty() ? "" : ",") + host;
    if (!joined.empty()) settings.set("hosts", joined, cli::Source::argument);
    for (const auto& [name, text] : values) {
        const auto* row = cli::find_option(name);
        if (row == nullptr || !is_keyword(*row)) throw ConfigError("no option named " + name);
        settings.set(name, text, cli::Source::argument);
    }
    cli::check_settings(settings);
    auto options = cli::make_client_options(settings, false);
    options.logger = python_logger();
    return options;
}

}  // namespace cluster_client::python
