#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The seed's algorithm next to the cluster_client package, on the same cluster-node
processes with a latency per request.

The seed (its README): per host in turn, POST the group then GET it to verify, with httpx,
each request retried by tenacity; on any failure, DELETE it from the hosts done so far.

    PYTHONPATH=build/release/python /usr/bin/python3 bench/python_vs_seed.py \\
        --cluster-node build/release/apps/cluster-node/cluster-node \\
        --cluster-bench build/release/apps/cluster-bench/cluster-bench

Prints three tables: create_group latency at N = 3, 10 and 30 nodes; sagas/s from one
process with 128 in flight; and the package's throughput next to the C++ library's
(cluster-bench throughput on the same nodes, without latency, runs alternating).
"""

import argparse
import asyncio
import json
import statistics
import subprocess
import tempfile
import time
from typing import List

import httpx
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from cluster_client import ClusterClient


class SeedClusterClient:
    """The seed module's create_group, written from its README."""

    def __init__(self, hosts: List[str], in_flight: int) -> None:
        self.hosts = hosts
        limits = httpx.Limits(max_connections=in_flight * 2, max_keepalive_connections=in_flight * 2)
        self.http = httpx.AsyncClient(timeout=2.0, limits=limits)

    async def _request(self, method: str, url: str, **kwargs) -> httpx.Response:
        async for attempt in AsyncRetrying(stop=stop_after_attempt(3), wait=wait_exponential(multiplier=0.02, max=1),
                                           retry=retry_if_exception_type(httpx.RequestError), reraise=True):
            with attempt:
                return await self.http.request(method, url, **kwargs)
        raise AssertionError("unreachable")

    async def create_group(self, group_id: str) -> bool:
        success_hosts = []
        try:
            for host in self.hosts:
                created = await self._request("POST", f"{host}/v1/group/", json={"groupId": group_id})
                if created.status_code != 201:
                    raise RuntimeError(f"create on {host}: {created.status_code}")
                success_hosts.append(host)
                verified = await self._request("GET", f"{host}/v1/group/{group_id}/")
                if verified.status_code != 200:
                    raise RuntimeError(f"verify on {host}: {verified.status_code}")
            return True
        except (RuntimeError, httpx.RequestError):
            for host in success_hosts:
                try:
                    await self._request("DELETE", f"{host}/v1/group/", json={"groupId": group_id})
                except httpx.RequestError:
                    pass
            return False

    async def aclose(self) -> None:
        await self.http.aclose()


class Nodes:
    def __init__(self, program: str, count: int, latency_ms: int) -> None:
        self.process = subprocess.Popen([program, "--nodes", str(count), "--latency-ms", str(latency_ms),
                                         "--admin-port", "0", "--log-level", "warn"], stdout=subprocess.PIPE, text=True)
        self.hosts: List[str] = []
        assert self.process.stdout is not None
        while True:
            words = self.process.stdout.readline().split()
            if words[0] == "node":
                self.hosts.append(words[2])
            elif words[0] == "admin":
                break

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait()


async def latency(client, prefix: str, runs: int) -> float:
    """Median create_group latency in ms, one saga at a time."""
    times = []
    for i in range(runs):
        started = time.perf_counter()
        assert await client.create_group(f"{prefix}-{i}")
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


async def throughput(client, prefix: str, sagas: int, in_flight: int, deletes: bool = False) -> float:
    """Sagas per second with `in_flight` at once: `sagas` creates, or (deletes) half as many
    creates then as many deletes of the same groups, as cluster-bench throughput runs."""
    slots = asyncio.Semaphore(in_flight)

    async def create(i: int) -> bool:
        async with slots:
            return await client.create_group(f"{prefix}-{i}")

    async def delete(i: int) -> bool:
        async with slots:
            return await client.delete_group(f"{prefix}-{i}") == []

    groups = sagas // 2 if deletes else sagas
    started = time.perf_counter()
    results = await asyncio.gather(*(create(i) for i in range(groups)))
    if deletes:
        results += await asyncio.gather(*(delete(i) for i in range(groups)))
    elapsed = time.perf_counter() - started
    assert all(results)
    return len(results) / elapsed


def cpp_throughput(program: str, hosts: List[str], sagas: int, in_flight: int) -> float:
    """The C++ library's sagas/s on the same nodes: cluster-bench throughput."""
    run = subprocess.run([program, "throughput", "--hosts", ",".join(hosts), "--concurrency", str(in_flight),
                          "--sagas", str(sagas), "--saga-log", "on", "--output", "json"],
                         capture_output=True, text=True, check=True)
    rows = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    return float(rows[-1]["sagas_per_second"])


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cluster-node", required=True, help="the cluster-node program")
    parser.add_argument("--cluster-bench", help="the cluster-bench program, for the C++ library's throughput")
    parser.add_argument("--latency-ms", type=int, default=5, help="each node's delay per request (default 5)")
    parser.add_argument("--runs", type=int, default=20, help="sagas per latency measurement (default 20)")
    parser.add_argument("--sagas", type=int, default=4000, help="sagas per throughput measurement (default 4000)")
    parser.add_argument("--in-flight", type=int, default=128, help="sagas at once for throughput (default 128)")
    parser.add_argument("--overhead-runs", type=int, default=3, help="paired runs of the overhead table (default 3)")
    arguments = parser.parse_args()

    state = tempfile.TemporaryDirectory()
    print(f"# nodes at {arguments.latency_ms} ms per request; the package with its saga log (strict)")
    print("nodes  seed create_group ms  package ms  speed-up")
    for count in (3, 10, 30):
        nodes = Nodes(arguments.cluster_node, count, arguments.latency_ms)
        try:
            seed = SeedClusterClient(nodes.hosts, 1)
            seed_ms = await latency(seed, "seed", arguments.runs)
            await seed.aclose()
            async with ClusterClient(nodes.hosts, state_dir=state.name) as client:
                package_ms = await latency(client, "package", arguments.runs)
            print(f"{count:5}  {seed_ms:20.1f}  {package_ms:10.1f}  {seed_ms / package_ms:7.1f}x")
        finally:
            nodes.stop()

    nodes = Nodes(arguments.cluster_node, 5, arguments.latency_ms)
    try:
        seed = SeedClusterClient(nodes.hosts, arguments.in_flight)
        seed_rate = await throughput(seed, "seed", max(arguments.sagas // 8, arguments.in_flight), arguments.in_flight)
        await seed.aclose()
        async with ClusterClient(nodes.hosts, state_dir=state.name) as client:
            package_rate = await throughput(client, "package", arguments.sagas, arguments.in_flight)
        print(f"\n# 5 nodes, {arguments.in_flight} in flight, one process: creates")
        print("seed sagas/s  package sagas/s  speed-up")
        print(f"{seed_rate:12.0f}  {package_rate:15.0f}  {package_rate / seed_rate:7.1f}x")
    finally:
        nodes.stop()

    if arguments.cluster_bench:
        # No latency: the binding's own cost is what is left to see.
        nodes = Nodes(arguments.cluster_node, 5, 0)
        try:
            print(f"\n# the binding's overhead: 5 nodes without latency, {arguments.in_flight} in flight, "
                  "creates then deletes, alternating runs")
            print("C++ sagas/s  package sagas/s  package / C++")
            for run in range(arguments.overhead_runs):
                cpp_rate = cpp_throughput(arguments.cluster_bench, nodes.hosts, arguments.sagas, arguments.in_flight)
                async with ClusterClient(nodes.hosts, state_dir=state.name) as client:
                    package_rate = await throughput(client, f"overhead{run}", arguments.sagas, arguments.in_flight,
                                                    deletes=True)
                print(f"{cpp_rate:11.0f}  {package_rate:15.0f}  {package_rate / cpp_rate:12.2f}")
        finally:
            nodes.stop()

if __name__ == "__main__":
    asyncio.run(main())
