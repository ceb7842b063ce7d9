# SPDX-License-Identifier: MIT
"""Every method of ClusterClient and BlockingClusterClient against real nodes, checked
against the nodes' true state."""

import asyncio
import datetime
import threading

import pytest

import cluster_client
from cluster_client import BlockingClusterClient, ClusterClient
from conftest import Cluster


def test_the_seeds_methods_leave_the_cluster_as_they_say(cluster, options):
    async def main():
        async with ClusterClient(hosts=cluster.hosts, **options) as client:
            assert await client.create_group("orders") is True
            assert cluster.where("orders") == 3
            for host in cluster.hosts:
                assert await client.verify_group_on_host(host, "orders") is True
            assert await client.delete_group("orders") == []
            assert cluster.where("orders") == 0
            assert await client.verify_group_on_host(cluster.hosts[0], "orders") is False

    asyncio.run(main())


def test_the_full_reports(cluster, options):
    async def main():
        async with ClusterClient(cluster.hosts, **options) as client:
            created = await client.create("g1")
            assert (created.operation, created.outcome, created.ok, created.group) == ("create", "created", True, "g1")
            assert [host.state for host in created.hosts] == ["created"] * 3
            assert all(host.attempts >= 1 and host.error == "" for host in created.hosts)
            assert isinstance(created.duration, datetime.timedelta)
            assert created.failed_hosts == [] and not created.left_open
            assert "create 'g1': created, ok" in repr(created)
            as_dict = created.to_dict()
            assert as_dict["outcome"] == "created" and len(as_dict["hosts"]) == 3
            assert as_dict["hosts"][0]["state"] == "created"

            again = await client.create("g1")
            assert again.outcome == "already_exists" and again.ok
            verified = await client.verify("g1")
            assert verified.outcome == "present"
            assert [host.state for host in verified.hosts] == ["present"] * 3

            assert (await client.delete("g1")).outcome == "deleted"
            assert (await client.verify("g1")).outcome == "absent"
            assert (await client.delete("g1")).outcome == "not_found"

            ensured = await client.ensure("g2")
            assert ensured.outcome == "created" and cluster.where("g2") == 3
            assert await client.recover() == []

    asyncio.run(main())


def test_a_group_on_some_nodes_only_is_a_conflict_and_left_as_it_was(cluster, options):
    async def main():
        async with ClusterClient(cluster.hosts[:1], **options) as one:
            assert await one.create_group("theirs")
        async with ClusterClient(cluster.hosts, **options) as client:
            report = await client.create("theirs")
            assert report.outcome == "conflict" and not report.ok
            with pytest.raises(cluster_client.GroupOperationError, match="theirs"):
                report.raise_if_failed()
        assert [("theirs" in node) for node in cluster.groups()] == [True, False, False]

    asyncio.run(main())


def test_faulty_nodes_leave_every_group_on_all_nodes_or_none(options):
    faulty = Cluster(3, "--p-500-before", "0.05", "--p-500-after", "0.05", "--p-reset", "0.05",
                     "--p-hang-after", "0.02", "--seed", "7")
    try:
        async def main():
            async with ClusterClient(faulty.hosts, **options) as client:
                return await asyncio.gather(*(client.create(f"f{i}") for i in range(200)))

        reports = asyncio.run(main())
        groups = faulty.groups()
        for report in reports:
            on = sum(report.group in node for node in groups)
            if report.ok:
                assert on == 3, report
            elif not report.left_open:
                assert on == 0, report
        # Not vacuous: the faults were met (requests sent again), and groups were created.
        assert any(host.attempts > 1 for report in reports for host in report.hosts)
        assert any(report.ok for report in reports)
    finally:
        faulty.stop()


def test_a_thousand_concurrent_sagas_through_gather(cluster, options):
    async def main():
        # A thousand sagas queue for the nodes' connections, and that wait counts in each
        # request's attempt timeout: 10 s leaves room for a loaded machine.
        async with ClusterClient(cluster.hosts, attempt_timeout=10, **options) as client:
            return await asyncio.gather(*(client.create_group(f"many-{i}") for i in range(1000)))

    assert asyncio.run(main()) == [True] * 1000
    assert [len(node) for node in cluster.groups()] == [1000] * 3


def test_the_blocking_client_from_several_threads(cluster, options):
    with BlockingClusterClient(",".join(cluster.hosts), **options) as client:
        results = {}

        def create(index):
            results[index] = client.create_group(f"t{index}")

        threads = [threading.Thread(target=create, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert results == {i: True for i in range(8)}
        assert client.verify_group_on_host(cluster.hosts[1], "t3") is True
        assert client.create("t0").outcome == "already_exists"
        assert client.ensure("t9").ok and client.verify("t9").outcome == "present"
        assert client.delete_group("t0") == [] and client.delete("t1").outcome == "deleted"
        assert client.recover() == []
    assert cluster.where("t0") == 0 and cluster.where("t2") == 3


def test_hosts_come_from_the_HOSTS_variable(cluster, options, monkeypatch):
    monkeypatch.setenv("HOSTS", " , ".join(cluster.hosts))
    with BlockingClusterClient(**options) as client:
        assert client.hosts == cluster.hosts
        assert client.create_group("from-env")
    assert cluster.where("from-env") == 3


def test_a_closed_client_refuses_new_sagas(cluster, options):
    async def main():
        client = ClusterClient(cluster.hosts, **options)
        await client.aclose()
        with pytest.raises(cluster_client.ConfigError, match="closed"):
            await client.create_group("late")

    asyncio.run(main())


def test_the_seeds_example_runs_on_the_package(cluster, tmp_path):
    import os
    import pathlib
    import subprocess
    import sys

    example = pathlib.Path(__file__).resolve().parents[2] / "examples" / "python" / "main.py"
    environment = {**os.environ, "HOSTS": ",".join(cluster.hosts), "XDG_STATE_HOME": str(tmp_path)}
    run = subprocess.run([sys.executable, str(example), "example-group"], env=environment,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "Group example-group created successfully." in run.stderr
    assert "Group example-group deleted from every host." in run.stderr
    assert (tmp_path / "cluster-client" / "sagas.db").exists()
    assert cluster.where("example-group") == 0
