# SPDX-License-Identifier: MIT
"""ClusterClient's keyword arguments: the config file's keys, with Python types."""

import datetime
import difflib
import logging
import os
from typing import Any, Dict, Iterable, List, Tuple, Union

from . import _core
from ._errors import ConfigError

#: Each keyword argument's row: name, kind, default, doc and choices.
KEYWORDS: Dict[str, Dict[str, Any]] = {row["name"]: row for row in _core.keyword_options()}

Hosts = Union[None, str, Iterable[str]]


def _type_error(name: str, wanted: str, value: Any) -> TypeError:
    return TypeError(f"{name} must be {wanted}, not {type(value).__name__}")


def _duration_text(name: str, value: Any) -> str:
    if isinstance(value, datetime.timedelta):
        milliseconds = value / datetime.timedelta(milliseconds=1)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        milliseconds = value * 1000
    else:
        raise _type_error(name, "a datetime.timedelta or a number of seconds", value)
    if milliseconds != int(milliseconds):
        raise ConfigError(f"argument {name}: must be a whole number of milliseconds (got {value!r})")
    return f"{int(milliseconds)}ms"


def option_text(name: str, value: Any) -> str:
    """`value` as the config file writes it, for the option `name`; TypeError when its
    Python type does not fit the option."""
    kind = KEYWORDS[name]["kind"]
    if kind == "duration":
        return _duration_text(name, value)
    if kind == "count":
        if isinstance(value, bool) or not isinstance(value, int):
            raise _type_error(name, "an int", value)
        return str(value)
    if kind == "flag":
        if not isinstance(value, bool):
            raise _type_error(name, "a bool", value)
        return "true" if value else "false"
    if kind in ("file", "directory"):
        if not isinstance(value, (str, os.PathLike)):
            raise _type_error(name, "a str or a path", value)
        return os.fspath(value)
    if not isinstance(value, str):
        raise _type_error(name, "a str", value)
    return value


def host_list(hosts: Hosts) -> List[str]:
    """The hosts: the argument (a list, or a comma-separated str), else the HOSTS
    environment variable, as in the seed's config."""
    if hosts is None:
        hosts = os.environ.get("HOSTS", "")
    if isinstance(hosts, str):
        hosts = [host.strip() for host in hosts.split(",")]
    elif isinstance(hosts, (bytes, bytearray)) or not isinstance(hosts, Iterable):
        raise _type_error("hosts", "a list of str or a comma-separated str", hosts)
    listed = list(hosts)
    for host in listed:
        if not isinstance(host, str):
            raise _type_error("each host", "a str", host)
    listed = [host for host in listed if host]
    if not listed:
        raise ConfigError("no hosts: pass hosts=[...] or set the HOSTS environment variable (comma-separated URLs)")
    return listed


def make_runtime(hosts: Hosts, options: Dict[str, Any], mailbox: bool) -> "_core.Runtime":
    """The C++ client for `hosts` and the keyword arguments `options`; with `mailbox`, its
    results wait for drain() (an event loop), else they are delivered on its thread."""
    for name in options:
        if name not in KEYWORDS:
            close = difflib.get_close_matches(name, KEYWORDS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise TypeError(f"ClusterClient() got an unexpected keyword argument {name!r}{hint}")
    values: List[Tuple[str, str]] = [(name, option_text(name, value)) for name, value in options.items()]
    _core.log_to_python(logging.getLogger("cluster_client").getEffectiveLevel())
    return _core.Runtime(host_list(hosts), values, mailbox)


def options_doc() -> str:
    """The keyword arguments, one line each, for the docstrings."""
    lines = []
    for row in KEYWORDS.values():
        default = row["default"] or '""'
        lines.append(f"    {row['name']} ({row['kind']}, default {default}): {row['doc']}")
    return "\n".join(lines)

