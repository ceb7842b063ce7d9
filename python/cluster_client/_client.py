# SPDX-License-Identifier: MIT
"""ClusterClient for asyncio: the seed module's API on the C++ core."""

import asyncio
import functools
import logging
from typing import Any, Callable, List, Optional

from . import _core, _errors, _options

_log = logging.getLogger("cluster_client")


def _settle(future: "asyncio.Future[Any]", what: str, result: Any, kind: Optional[str], message: Optional[str]) -> None:
    # On the event loop (the runtime's drain): the saga has ended, durably.
    if future.cancelled():
        ended = message if kind is not None else getattr(result, "outcome", result)
        _log.warning("%s: its task was cancelled; the saga ran on to a durable end: %s", what, ended)
        return
    if kind is None:
        future.set_result(result)
    else:
        future.set_exception(getattr(_errors, kind)(message))


class ClusterClient:
    """Creates, verifies and deletes a group on every node of a cluster, all or none, with
    the Saga pattern, for asyncio.

    ``ClusterClient(hosts=None, **options)``: ``hosts`` is a list of node URLs (or one
    comma-separated str); without it, the ``HOSTS`` environment variable. Every option of
    the config file is a keyword argument of the same name; durations are
    ``datetime.timedelta`` or seconds. Bad options raise ConfigError naming the option,
    wrong Python types TypeError, an unknown name TypeError. By default each saga is
    recorded in the durable saga log ``sagas.db`` in ``state_dir`` (the XDG state
    directory), so a process killed mid-saga loses nothing: ``recover()`` finishes it.

    The sagas run in C++ on a thread of their own, which never takes the GIL: their ends
    wait in a queue whose descriptor the event loop watches (``loop.add_reader``), and one
    wake-up of the loop settles every end that came meanwhile. Thousands may be in flight
    at once (``asyncio.gather``). A client serves one event loop at a time.

    Cancelling a task that awaits a saga does not abandon the saga half-done: it runs on to
    a durable end, completed or compensated, and the cancel is logged as a warning with the
    saga's outcome. ``async with`` (or ``aclose()``) waits for the sagas in flight, then
    closes the client. At interpreter exit, sagas still in flight stay open in the saga log
    for ``recover()``.

    Logs go to the ``logging`` logger ``cluster_client``, from its effective level when the
    client is made, never to stdout.
    """

    def __init__(self, hosts: _options.Hosts = None, **options: Any) -> None:
        self._runtime = _options.make_runtime(hosts, options, mailbox=True)
        self._loop: Optional[asyncio.AbstractEventLoop] = None

    @property
    def hosts(self) -> List[str]:
        """The nodes' canonical URLs, in the order given."""
        return list(self._runtime.hosts)

    def _watched_loop(self) -> asyncio.AbstractEventLoop:
        # The running loop, watching the runtime's wake-up descriptor.
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            if self._loop is not None and not self._loop.is_closed():
                self._loop.remove_reader(self._runtime.wakeup_fd)
            loop.add_reader(self._runtime.wakeup_fd, self._runtime.drain)
            self._loop = loop
        return loop

    def _submit(self, what: str, start: Callable[..., None], *args: Any) -> "asyncio.Future[Any]":
        future = self._watched_loop().create_future()
        start(*args, functools.partial(_settle, future, what))
        return future

    def _saga(self, operation: str, group_id: str) -> "asyncio.Future[_core.SagaReport]":
        if not isinstance(group_id, str):
            raise TypeError(f"group_id must be a str, not {type(group_id).__name__}")
        return self._submit(f"{operation} {group_id}", self._runtime.start, operation, group_id)

    # The seed's API.

    async def create_group(self, group_id: str) -> bool:
        """Creates the group on every node, or on none. True when it is on every node at
        the end (created, or there already). Raises InvalidGroupId before any request."""
        return (await self._saga("create", group_id)).ok

    async def delete_group(self, group_id: str) -> List[str]:
        """Deletes the group from every node, or (rollback) from none. Returns the hosts
        where deletion failed: empty on success."""
        return list((await self._saga("delete", group_id)).failed_hosts)

    async def verify_group_on_host(self, host: str, group_id: str) -> bool:
        """True when ``host`` (one of the client's hosts) answers that the group exists.
        Raises RequestError when no read got an answer, ConfigError when ``host`` is not
        one of the client's."""
        if not isinstance(host, str) or not isinstance(group_id, str):
            raise TypeError("host and group_id must be str")
        return await self._submit(f"verify {group_id} on {host}", self._runtime.verify_on_host, host, group_id)

    # Full reports.

    async def create(self, group_id: str) -> _core.SagaReport:
        """Creates the group on every node, or on none; the full report."""
        return await self._saga("create", group_id)

    async def delete(self, group_id: str) -> _core.SagaReport:
        """Deletes the group from every node, or from none; the full report."""
        return await self._saga("delete", group_id)

    async def ensure(self, group_id: str) -> _core.SagaReport:
        """Creates the group where it is missing and never rolls back; the full report."""
        return await self._saga("ensure", group_id)

    async def verify(self, group_id: str) -> _core.SagaReport:
        """Reads the group on every node (nothing is written); the full report."""
        return await self._saga("verify", group_id)

    async def recover(self) -> List[_core.SagaReport]:
        """Finishes or compensates every saga the saga log holds open and no live process
        runs (a client killed mid-saga): a report per saga."""
        return list(await self._submit("recover", self._runtime.recover))

    async def aclose(self) -> None:
        """Waits for the sagas in flight to end, then closes the client and its saga log.
        New calls raise ConfigError."""
        loop = self._watched_loop()
        await loop.run_in_executor(None, self._runtime.close)
        self._runtime.drain()
        loop.remove_reader(self._runtime.wakeup_fd)
        self._loop = None

    async def __aenter__(self) -> "ClusterClient":
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.aclose()
