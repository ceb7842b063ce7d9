# SPDX-License-Identifier: MIT
"""BlockingClusterClient: the same client for code without an event loop."""

import concurrent.futures
import functools
from typing import Any, Callable, List, Optional

from . import _core, _errors, _options


def _settle(future: "concurrent.futures.Future[Any]", result: Any, kind: Optional[str], message: Optional[str]) -> None:
    # On the C++ loop's thread, with the GIL.
    if kind is None:
        future.set_result(result)
    else:
        future.set_exception(getattr(_errors, kind)(message))


class BlockingClusterClient:
    """ClusterClient for code without an event loop: each call blocks until its saga ends
    (the GIL released meanwhile), and calls from several threads run their sagas
    concurrently. Takes the same arguments as ClusterClient; ``with`` closes it."""

    def __init__(self, hosts: _options.Hosts = None, **options: Any) -> None:
        self._runtime = _options.make_runtime(hosts, options, mailbox=False)

    @property
    def hosts(self) -> List[str]:
        """The nodes' canonical URLs, in the order given."""
        return list(self._runtime.hosts)

    def _wait(self, start: Callable[..., None], *args: Any) -> Any:
        future: "concurrent.futures.Future[Any]" = concurrent.futures.Future()
        start(*args, functools.partial(_settle, future))
        return future.result()

    def _saga(self, operation: str, group_id: str) -> _core.SagaReport:
        if not isinstance(group_id, str):
            raise TypeError(f"group_id must be a str, not {type(group_id).__name__}")
        return self._wait(self._runtime.start, operation, group_id)

    def create_group(self, group_id: str) -> bool:
        """Creates the group on every node, or on none; True when it is on every node."""
        return self._saga("create", group_id).ok

    def delete_group(self, group_id: str) -> List[str]:
        """Deletes the group from every node, or from none; the hosts where it failed."""
        return list(self._saga("delete", group_id).failed_hosts)

    def verify_group_on_host(self, host: str, group_id: str) -> bool:
        """True when ``host`` answers that the group exists; RequestError when no read got
        an answer."""
        if not isinstance(host, str) or not isinstance(group_id, str):
            raise TypeError("host and group_id must be str")
        return self._wait(self._runtime.verify_on_host, host, group_id)

    def create(self, group_id: str) -> _core.SagaReport:
        """Creates the group on every node, or on none; the full report."""
        return self._saga("create", group_id)

    def delete(self, group_id: str) -> _core.SagaReport:
        """Deletes the group from every node, or from none; the full report."""
        return self._saga("delete", group_id)

    def ensure(self, group_id: str) -> _core.SagaReport:
        """Creates the group where it is missing and never rolls back; the full report."""
        return self._saga("ensure", group_id)

    def verify(self, group_id: str) -> _core.SagaReport:
        """Reads the group on every node; the full report."""
        return self._saga("verify", group_id)

    def recover(self) -> List[_core.SagaReport]:
        """Finishes or compensates the sagas the saga log holds open; a report per saga."""
        return list(self._wait(self._runtime.recover))

    def close(self) -> None:
        """Waits for the sagas in flight to end, then closes the client and its saga log."""
        self._runtime.close()

    def __enter__(self) -> "BlockingClusterClient":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()
