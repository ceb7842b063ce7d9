// SPDX-License-Identifier: MIT
#include "fish_completion.hpp"

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

#include "option_table.hpp"

namespace cluster_client::cli {

namespace {

// A fish string in single quotes: only \ and ' are special there.
std::string fish_string(std::string_view text) {
    std::string out = "'";
    for (const char c : text) {
        if (c == '\\' || c == '\'') out += '\\';
        out += c;
    }
    return out + "'";
}

bool visible(const CLI::Option& option) {
    return !option.get_group().empty() && !option.get_lnames().empty();
}

// `complete` for one option, offered when `condition` holds (empty: always).
void print_option(std::ostream& out, const CLI::Option& option, const std::string& condition) {
    out << "complete -c cluster-client";
    if (!condition.empty()) out << " -n " << fish_string(condition);
    for (const auto& name : option.get_snames()) out << " -s " << name;
    for (const auto& name : option.get_lnames()) out << " -l " << name;
    if (option.get_expected_max() != 0) {
        std::string name = option.get_lnames().front();
        std::replace(name.begin(), name.end(), '-', '_');
        const auto* row = find_option(name);
        if (row != nullptr && !row->choices.empty()) {
            std::string words;
            for (const auto choice : row->choices) words += (words.empty() ? "" : " ") + std::string(choice);
            out << " -x -a " << fish_string(words);
        } else if (option.get_type_name() == "FILE") {
            out << " -r -F";
        } else if (option.get_type_name() == "DIR") {
            out << " -x -a '(__fish_complete_directories)'";
        } else {
            out << " -x";
        }
    }
    out << " -d " << fish_string(option.get_description()) << '\n';
}

}  // namespace

void print_fish_completion(std::ostream& out, const CLI::App& app) {
    out << "# SPDX-License-Identifier: MIT\n"
           "# Fish completion for cluster-client, printed by `cluster-client completion fish` from the\n"
           "# program's own options. Install: save it as\n"
           "# /usr/share/fish/vendor_completions.d/cluster-client.fish (for every user;\n"
           "# ~/.config/fish/completions/cluster-client.fish for one).\n\n"
           "# Group ids are not file names.\ncomplete -c cluster-client -f\n\n# Commands.\n";
    const auto commands = app.get_subcommands([](const CLI::App* c) { return !c->get_group().empty(); });
    for (const auto* command : commands) {
        out << "complete -c cluster-client -n __fish_use_subcommand -a " << command->get_name() << " -d "
            << fish_string(command->get_description()) << '\n';
    }
    out << "\n# Options accepted before or after the command.\n";
    std::vector<std::string> global;
    for (const auto* option : app.get_options()) {
        if (!visible(*option)) continue;
        global.push_back(option->get_lnames().front());
        print_option(out, *option, "");
    }
    out << "\n# Options of one command.\n";
    for (const auto* command : commands) {
        for (const auto* option : command->get_options()) {
            if (!visible(*option) || option == command->get_help_ptr() || option == command->get_help_all_ptr()) {
                continue;
            }
            if (std::find(global.begin(), global.end(), option->get_lnames().front()) != global.end()) continue;
            print_option(out, *option, "__fish_seen_subcommand_from " + command->get_name());
        }
    }
    out << "complete -c cluster-client -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'\n";
}

}  // namespace cluster_client::cli
