// SPDX-License-Identifier: MIT
#include "bash_completion.hpp"

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

#include "option_table.hpp"

namespace cluster_client::cli {

namespace {

// The part of the script that does not depend on the options: reads the words typed so
// far and answers from the variables and functions printed before it.
constexpr std::string_view completion_logic =
    R"bash(# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

# True when $1 is an option of cluster-client that takes a value.
_cluster_client_takes_value() {
    [[ " $_cluster_client_value_options " == *" $1 "* ]]
}

# Without bash-completion: sets cur, prev, words and cword from COMP_WORDS and COMP_LINE the way
# `_init_completion -s -n :` does. Bash splits the line at "=" and ":" too (`--output=json` is
# three words, `http://a:8001` five); the words are joined back where no blank separates them,
# then a `--option=value` word is split into prev (the option) and cur (the value).
_cluster_client_split_words() {
    local rest=${COMP_LINE:0:COMP_POINT} word blank i n=-1
    words=()
    for ((i = 0; i <= COMP_CWORD && i < ${#COMP_WORDS[@]}; i++)); do
        word=${COMP_WORDS[i]}
        blank=""
        if [[ $rest =~ ^[[:space:]]+ ]]; then
            blank=yes
            rest=${rest:${#BASH_REMATCH[0]}}
        fi
        # The word under the cursor ends at the cursor.
        ((i == COMP_CWORD)) && [[ $word == "$rest"?* ]] && word=$rest
        rest=${rest#"$word"}
        if ((n >= 0)) && [[ -z $blank && ($word == [=:]* || ${words[n]} == *[=:]) ]]; then
            words[n]+=$word
        else
            words[++n]=$word
        fi
    done
    ((COMP_CWORD >= ${#COMP_WORDS[@]})) && words[++n]=""
    cword=$n
    cur=${words[cword]}
    prev=""
    ((cword > 0)) && prev=${words[cword - 1]}
    if [[ $cur == --*=* ]]; then
        prev=${cur%%=*}
        cur=${cur#*=}
        split=true
    fi
}

# Readline replaces only the part of the word after its last ":", so a reply for a word that
# holds a ":" (a file name such as `a:b`) must not repeat what comes before it.
_cluster_client_trim_colons() {
    [[ $cur == *:* && $COMP_WORDBREAKS == *:* ]] || return 0
    local prefix=${cur%"${cur##*:}"} i
    for i in "${!COMPREPLY[@]}"; do
        COMPREPLY[i]=${COMPREPLY[i]#"$prefix"}
    done
}

# File names (or directories with -d) that start with $cur.
_cluster_client_files() {
    if declare -F _filedir >/dev/null; then
        _filedir "$@"
    else
        compopt -o filenames 2>/dev/null
        if [[ ${1-} == -d ]]; then
            mapfile -t COMPREPLY < <(compgen -d -- "$cur")
        else
            mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        fi
    fi
    _cluster_client_trim_colons
}

# Completes the value of option $1; fails when $1 is not an option that takes a value.
_cluster_client_complete_value() {
    local values
    if values=$(_cluster_client_fixed_values "$1"); then
        mapfile -t COMPREPLY < <(compgen -W "$values" -- "$cur")
        return 0
    fi
    if [[ " $_cluster_client_file_options " == *" $1 "* ]]; then
        _cluster_client_files
        # '-': --from-file reads the ids from stdin
        [[ $1 == --from-file && (-z $cur || $cur == -) ]] && COMPREPLY+=(-)
        return 0
    fi
    if [[ " $_cluster_client_directory_options " == *" $1 "* ]]; then
        _cluster_client_files -d
        return 0
    fi
    # A free value (hosts, a number, a duration, a group id): nothing to offer.
    _cluster_client_takes_value "$1"
}

# ---------------------------------------------------------------------------------------------
# The completion function
# ---------------------------------------------------------------------------------------------

_cluster_client() {
    local cur prev words cword split=false
    COMPREPLY=()
    if declare -F _init_completion >/dev/null; then
        _init_completion -s -n : || return
    else
        _cluster_client_split_words
    fi

    # The value of an option: `--output <TAB>` or `--output=<TAB>`.
    if [[ $prev == -* ]] && _cluster_client_complete_value "$prev"; then
        return 0
    fi
    [[ $split == true ]] && return 0  # `--flag=...`, `--unknown=...`: nothing to offer

    # The command: the first word that is neither an option nor an option's value.
    local command="" i word
    for ((i = 1; i < cword; i++)); do
        word=${words[i]}
        case $word in
            --) return 0 ;;  # only group ids follow
            --*=*) ;;
            -*) _cluster_client_takes_value "$word" && ((i++)) ;;
            *) [[ -z $command ]] && command=$word ;;
        esac
    done
    if [[ -n $command && " $_cluster_client_commands " != *" $command "* ]]; then
        return 0  # an unknown command: cluster-client will reject it
    fi

    if [[ $cur == -* ]]; then
        local options=$_cluster_client_global_options
        [[ -n $command ]] && options+=" $(_cluster_client_command_options "$command")"
        mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur")
    elif [[ -z $command ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$_cluster_client_commands" -- "$cur")
    fi
    # After the command, a word that is not an option is a group id: nothing to offer.
    return 0
}

complete -F _cluster_client cluster-client
)bash";

bool is_hidden(const CLI::App& command) {
    return command.get_group().empty();
}

// The options of `command` a user may type, without the help flags of a command (its
// parent's stand for them).
std::vector<const CLI::Option*> typed_options(const CLI::App& command, bool with_help) {
    std::vector<const CLI::Option*> options;
    for (const auto* option : command.get_options()) {
        const bool help = option == command.get_help_ptr() || option == command.get_help_all_ptr();
        if (option->get_group().empty() || (help && !with_help) || option->get_lnames().empty()) continue;
        options.push_back(option);
    }
    return options;
}

// Every name of an option as it is typed: "-h --help".
std::string names_of(const CLI::Option& option) {
    std::string names;
    for (const auto& name : option.get_snames()) names += (names.empty() ? "-" : " -") + name;
    for (const auto& name : option.get_lnames()) names += (names.empty() ? "--" : " --") + name;
    return names;
}

std::string joined(const std::vector<std::string>& words) {
    std::string text;
    for (const auto& word : words) text += (text.empty() ? "" : " ") + word;
    return text;
}

// A line `name="words"` of the script.
void print_variable(std::ostream& out, std::string_view name, const std::vector<std::string>& words) {
    out << name << "=\"" << joined(words) << "\"\n";
}

}  // namespace

void print_bash_completion(std::ostream& out, const CLI::App& app) {
    std::vector<std::string> commands, global, flags, values, files, directories;
    // An option of several commands (--from-file) is listed once.
    const auto add = [](std::vector<std::string>& list, const std::string& names) {
        if (std::find(list.begin(), list.end(), names) == list.end()) list.push_back(names);
    };
    const auto sort = [&](const CLI::Option& option) {
        const auto names = names_of(option);
        if (option.get_expected_max() == 0) {
            add(flags, names);
            return;
        }
        add(values, names);
        if (option.get_type_name() == "FILE") add(files, names);
        if (option.get_type_name() == "DIR") add(directories, names);
    };
    for (const auto* option : typed_options(app, true)) {
        global.push_back(names_of(*option));
        sort(*option);
    }
    for (const auto* command : app.get_subcommands([](const CLI::App* c) { return !is_hidden(*c); })) {
        commands.push_back(command->get_name());
        for (const auto* option : typed_options(*command, false)) sort(*option);
    }

    out << "# SPDX-License-Identifier: MIT\n"
           "# Bash completion for cluster-client, printed by `cluster-client completion bash` from the\n"
           "# program's own options: command names, option names (the global ones and those of the\n"
           "# command being typed), the fixed values of options that have a fixed set, file names after\n"
           "# the options that take a file, and directories after those that take a directory.\n"
           "#\n"
           "# Install: save it as /usr/share/bash-completion/completions/cluster-client (for every user;\n"
           "# ~/.local/share/bash-completion/completions/cluster-client for one), or `source` it from\n"
           "# ~/.bashrc. It uses the bash-completion package when it is loaded, and works without it.\n\n";
    print_variable(out, "_cluster_client_commands", commands);
    out << "\n# Options accepted before or after the command.\n";
    print_variable(out, "_cluster_client_global_options", global);
    out << "\n# Options of one command.\n_cluster_client_command_options() {\n    case $1 in\n";
    for (const auto* command : app.get_subcommands([](const CLI::App* c) { return !is_hidden(*c); })) {
        // Without the global ones: those a saga command shares with the top level
        // (--concurrency) are offered once.
        std::vector<std::string> own;
        for (const auto* option : typed_options(*command, false)) {
            const auto names = names_of(*option);
            if (std::find(global.begin(), global.end(), names) == global.end()) own.push_back(names);
        }
        out << "        " << command->get_name() << ") echo \"" << joined(own) << "\" ;;\n";
    }
    out << "    esac\n}\n\n# Options that take no value, and those that take one.\n";
    print_variable(out, "_cluster_client_flags", flags);
    print_variable(out, "_cluster_client_value_options", values);
    out << "\n# Options that take a file, and those that take a directory.\n";
    print_variable(out, "_cluster_client_file_options", files);
    print_variable(out, "_cluster_client_directory_options", directories);
    out << "\n# The fixed set of values of an option; fails for an option without a fixed set.\n"
           "_cluster_client_fixed_values() {\n    case $1 in\n";
    for (const auto& row : option_table()) {
        if (row.choices.empty()) continue;
        std::vector<std::string> words(row.choices.begin(), row.choices.end());
        out << "        " << row.flag() << ") echo \"" << joined(words) << "\" ;;\n";
    }
    out << "        *) return 1 ;;\n    esac\n}\n\n" << completion_logic;
}

}  // namespace cluster_client::cli
