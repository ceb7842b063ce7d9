# SPDX-License-Identifier: MIT
"""Cancellation mid-saga, and the interpreter exiting with sagas in flight."""

import asyncio
import logging
import subprocess
import sys
import textwrap
import time

from cluster_client import BlockingClusterClient, ClusterClient


def test_a_cancelled_task_leaves_its_group_on_all_nodes_or_none(slow_cluster, options, caplog):
    caplog.set_level(logging.WARNING, logger="cluster_client")

    async def main():
        async with ClusterClient(slow_cluster.hosts, **options) as client:
            tasks = [asyncio.create_task(client.create_group(f"c{i}")) for i in range(20)]
            await asyncio.sleep(0.15)  # mid-saga: the first requests are in flight
            for task in tasks:
                task.cancel()
            results = await asyncio.gather(*tasks, return_exceptions=True)
            assert all(isinstance(result, asyncio.CancelledError) for result in results)
        # aclose waited for every saga to end.

    asyncio.run(main())
    groups = slow_cluster.groups()
    for i in range(20):
        assert sum(f"c{i}" in node for node in groups) in (0, 3), f"c{i}"
    cancelled = [record for record in caplog.records if "was cancelled" in record.getMessage()]
    assert len(cancelled) == 20
    assert all("durable end" in record.getMessage() for record in cancelled)


def test_exiting_with_sagas_in_flight_neither_hangs_nor_crashes(slow_cluster, options):
    script = textwrap.dedent(f"""
        import asyncio
        from cluster_client import ClusterClient

        # A client that lives as long as the program, as a service's does.
        client = ClusterClient({slow_cluster.hosts!r}, state_dir={options['state_dir']!r})

        async def main():
            for i in range(30):
                asyncio.get_running_loop().create_task(client.create_group(f"x{{i}}"))
            await asyncio.sleep(0.25)
            print("leaving", flush=True)

        asyncio.run(main())
    """)
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout == "leaving\n"
    assert time.monotonic() - started < 20

    # The sagas left in flight are open in the log; recover finishes each of them.
    with BlockingClusterClient(slow_cluster.hosts, **options) as client:
        reports = client.recover()
    assert reports, "no saga was left open"
    groups = slow_cluster.groups()
    for i in range(30):
        assert sum(f"x{i}" in node for node in groups) in (0, 3), f"x{i}"
