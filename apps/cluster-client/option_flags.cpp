// SPDX-License-Identifier: MIT
#include "option_flags.hpp"

namespace cluster_client::cli {

namespace {

// What --help shows after the flag: the choices, or what kind of value it takes.
std::string type_name(const OptionRow& row) {
    switch (row.kind) {
        case ValueKind::text: return row.name == "hosts" ? "URL,..." : "TEXT";
        case ValueKind::count: return "N";
        case ValueKind::duration: return "DURATION";
        case ValueKind::file: return "FILE";
        case ValueKind::directory: return "DIR";
        case ValueKind::flag: return "";
        case ValueKind::word: break;
    }
    std::string choices;
    for (const auto choice : row.choices) choices += (choices.empty() ? "" : "|") + std::string(choice);
    return choices;
}

}  // namespace

void add_option_flags(CLI::App& command, OptionScope scope) {
    for (const auto& row : option_table()) {
        if (row.scope != scope) continue;
        const std::string doc(row.doc);
        if (row.kind == ValueKind::flag) {
            command.add_flag(row.flag(), doc)->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
            continue;
        }
        auto* option = command.add_option(row.flag(), doc)
                           ->type_name(type_name(row))
                           ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
        if (!row.default_value.empty()) option->default_str(row.default_value);
    }
}

void apply_command_line(const CLI::App& app, Settings& settings) {
    const auto commands = app.get_subcommands();
    for (const auto& row : option_table()) {
        const auto flag = row.flag();
        for (const CLI::App* scope : {&app, commands.empty() ? &app : commands.front()}) {
            const auto* option = scope->get_option_no_throw(flag);
            if (option == nullptr || option->count() == 0) continue;
            settings.set(row.name, option->as<std::string>(), Source::command_line);
        }
    }
}

}  // namespace cluster_client::cli
