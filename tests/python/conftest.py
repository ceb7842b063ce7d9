# SPDX-License-Identifier: MIT
"""Real cluster-node processes for the package's tests: started on loopback with ephemeral
ports, read through their admin endpoint, stopped by their PID."""

import json
import os
import shutil
import subprocess
import urllib.request
from typing import Dict, List

import pytest


def node_program() -> str:
    """The cluster-node program: CLUSTER_NODE (ctest sets it), else the one on PATH."""
    program = os.environ.get("CLUSTER_NODE") or shutil.which("cluster-node")
    if not program:
        pytest.fail("set CLUSTER_NODE to the cluster-node program")
    return program


class Cluster:
    """cluster-node serving `nodes` nodes, with the given fault options."""

    def __init__(self, nodes: int = 3, *options: str) -> None:
        self.process = subprocess.Popen(
            [node_program(), "--nodes", str(nodes), "--admin-port", "0", "--log-level", "warn", *options],
            stdout=subprocess.PIPE, text=True)
        self.hosts: List[str] = []
        self.admin = ""
        assert self.process.stdout is not None
        while not self.admin:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError("cluster-node stopped before it served")
            words = line.split()
            if words[0] == "node":
                self.hosts.append(words[2])
            elif words[0] == "admin":
                self.admin = words[1]

    def _admin(self, path: str, body: object = None) -> dict:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.admin + path, data=data, method="GET" if body is None else "POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def groups(self) -> List[set]:
        """The groups on each node, from the nodes' true state."""
        return [set(node["groups"]) for node in self._admin("/admin/state")["nodes"]]

    def requests(self) -> int:
        """Requests the nodes received, faulted ones included."""
        return sum(node["requests"] for node in self._admin("/admin/state")["nodes"])

    def set_faults(self, **faults: object) -> None:
        self._admin("/admin/faults", faults)

    def where(self, group: str) -> int:
        """On how many nodes the group is."""
        return sum(group in node for node in self.groups())

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def cluster():
    started = Cluster(3)
    yield started
    started.stop()


@pytest.fixture
def slow_cluster():
    """Nodes that take 100 ms over every request: sagas stay in flight long enough to
    cancel them or to exit under them."""
    started = Cluster(3, "--latency-ms", "100")
    yield started
    started.stop()


@pytest.fixture
def options(tmp_path) -> Dict[str, object]:
    """Keyword arguments every test's client takes: its own saga log."""
    return {"state_dir": str(tmp_path / "state")}
