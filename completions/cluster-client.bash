# SPDX-License-Identifier: MIT
# Bash completion for cluster-client: command names, option names (the global ones and those
# of the command being typed), the fixed values of options that have a fixed set, file names
# after --from-file, --token-file, --ca-file, --cert and --key, and directories after --state-dir.
#
# Install: copy this file to /usr/share/bash-completion/completions/cluster-client (for every
# user; ~/.local/share/bash-completion/completions/cluster-client for one), or `source` it
# from ~/.bashrc. It uses the bash-completion package when it is loaded, and works without it.

# ---------------------------------------------------------------------------------------------
# What cluster-client accepts (from `cluster-client --help` and `cluster-client COMMAND --help`)
# ---------------------------------------------------------------------------------------------

_cluster_client_commands="create delete ensure verify recover sagas config demo"

# Options accepted before or after the command.
_cluster_client_global_options="-h --help --hosts --output --log-level --state-dir --no-saga-log
    --durability --no-recover --config --token-file --ca-file --cert --key --insecure --attempts --attempt-timeout
    --deadline --saga-deadline --retry-budget --breaker-failures --breaker-cooldown --initial-backoff --max-backoff
    --lock-wait --ownership --delete-mode"

# Options of one command.
_cluster_client_command_options() {
    case $1 in
        create | delete | ensure | verify) echo "--from-file --concurrency" ;;
        sagas) echo "--limit" ;;
        demo) echo "--group --nodes --no-faults" ;;
        recover) echo "" ;;
    esac
}

# Options that take no value.
_cluster_client_flags="-h --help --no-saga-log --no-recover --insecure --no-faults"

# The fixed set of values of an option; fails for an option without a fixed set.
_cluster_client_fixed_values() {
    case $1 in
        --output) echo "text json" ;;
        --log-level) echo "trace debug info warn error critical off" ;;
        --durability) echo "process machine" ;;
        --ownership) echo "strict fast" ;;
        --delete-mode) echo "rollback forward" ;;
        *) return 1 ;;
    esac
}

# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

# True when $1 is an option of cluster-client that takes a value.
_cluster_client_takes_value() {
    local option
    for option in $_cluster_client_global_options $(_cluster_client_command_options create) \
        $(_cluster_client_command_options sagas) $(_cluster_client_command_options demo); do
        if [[ $option == "$1" ]]; then
            [[ " $_cluster_client_flags " != *" $1 "* ]]
            return
        fi
    done
    return 1
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
    case $1 in
        --from-file)
            _cluster_client_files
            [[ -z $cur || $cur == - ]] && COMPREPLY+=(-)  # '-': read the ids from stdin
            return 0
            ;;
        --config | --token-file | --ca-file | --cert | --key)
            _cluster_client_files
            return 0
            ;;
        --state-dir)
            _cluster_client_files -d
            return 0
            ;;
    esac
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
