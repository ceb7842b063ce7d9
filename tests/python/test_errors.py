# SPDX-License-Identifier: MIT
"""The exceptions, bad input refused before anything is sent, and the logs."""

import asyncio
import datetime
import logging
import subprocess
import sys
import textwrap

import pytest

import cluster_client
from cluster_client import BlockingClusterClient, ClusterClient


def test_every_exception_derives_from_one_base_and_the_seeds_names_are_aliases():
    for name in ["ConfigError", "InvalidGroupId", "RequestError", "GroupOperationError", "SagaLogUnavailable"]:
        assert issubclass(getattr(cluster_client, name), cluster_client.ClusterClientError)
    assert issubclass(cluster_client.InvalidGroupId, cluster_client.ConfigError)
    assert cluster_client.RequestErrorException is cluster_client.RequestError
    assert cluster_client.GroupOperationException is cluster_client.GroupOperationError


def test_an_invalid_group_id_is_refused_before_any_request(cluster, options):
    async def main():
        async with ClusterClient(cluster.hosts, **options) as client:
            for bad in ["", "..", "a\nb", "x" * 256]:
                with pytest.raises(cluster_client.InvalidGroupId, match="group id"):
                    await client.create_group(bad)
            with pytest.raises(TypeError, match="group_id must be a str"):
                await client.create_group(42)

    asyncio.run(main())
    assert cluster.requests() == 0


def test_bad_options_name_the_option(cluster, options):
    with pytest.raises(cluster_client.ConfigError, match="attempts"):
        BlockingClusterClient(cluster.hosts, attempts=0, **options)
    with pytest.raises(cluster_client.ConfigError, match="ownership"):
        BlockingClusterClient(cluster.hosts, ownership="sloppy", **options)
    with pytest.raises(cluster_client.ConfigError, match="saga_deadline"):
        BlockingClusterClient(cluster.hosts, saga_deadline=datetime.timedelta(seconds=1), **options)
    with pytest.raises(cluster_client.ConfigError, match="whole number of milliseconds"):
        BlockingClusterClient(cluster.hosts, lock_wait=0.0005, **options)
    with pytest.raises(cluster_client.ConfigError, match="no hosts"):
        BlockingClusterClient([], **options)
    with pytest.raises(cluster_client.ConfigError, match="ftp://x"):
        BlockingClusterClient(["ftp://x"], **options)


def test_wrong_python_types_and_unknown_names_are_type_errors(cluster, options):
    with pytest.raises(TypeError, match="attempts must be an int"):
        BlockingClusterClient(cluster.hosts, attempts="5", **options)
    with pytest.raises(TypeError, match="deadline must be a datetime.timedelta or a number of seconds"):
        BlockingClusterClient(cluster.hosts, deadline="15s", **options)
    with pytest.raises(TypeError, match="insecure must be a bool"):
        BlockingClusterClient(cluster.hosts, insecure=1, **options)
    with pytest.raises(TypeError, match="did you mean 'attempt_timeout'"):
        BlockingClusterClient(cluster.hosts, atempt_timeout=1, **options)
    with pytest.raises(TypeError, match="hosts must be"):
        BlockingClusterClient(42, **options)


def test_a_host_that_never_answers_is_a_request_error(options):
    dead = "http://127.0.0.1:9"  # the discard port: nothing listens on loopback
    async def main():
        async with ClusterClient([dead], **{**options, "attempts": 2, "deadline": 1}) as client:
            with pytest.raises(cluster_client.RequestError):
                await client.verify_group_on_host(dead, "g")
            with pytest.raises(cluster_client.ConfigError, match="not one of"):
                await client.verify_group_on_host("http://127.0.0.1:1", "g")

    asyncio.run(main())


def test_an_unusable_saga_log_is_refused(cluster, options):
    with pytest.raises(cluster_client.SagaLogUnavailable):
        BlockingClusterClient(cluster.hosts, saga_log="postgresql://nobody@127.0.0.1:9/db", **options)


def test_logs_go_to_the_cluster_client_logger_and_never_to_stdout(cluster, options, caplog):
    caplog.set_level(logging.DEBUG, logger="cluster_client")
    with BlockingClusterClient(cluster.hosts, **options) as client:
        assert client.create_group("logged")
    records = [record for record in caplog.records if record.name == "cluster_client"]
    assert any("logged" in record.getMessage() for record in records)
    assert {record.levelno for record in records} <= {5, 10, 20, 30, 40, 50}

    # A process that logs nothing itself prints nothing on stdout.
    script = textwrap.dedent(f"""
        import logging
        logging.basicConfig(level=logging.DEBUG)
        from cluster_client import BlockingClusterClient
        with BlockingClusterClient({cluster.hosts!r}, state_dir={options['state_dir']!r}) as client:
            assert client.create_group("quiet")
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout == ""
    assert "cluster_client" in run.stderr


def test_the_version_is_the_programs_version():
    from conftest import node_program

    run = subprocess.run([node_program(), "--version"], capture_output=True, text=True, timeout=30)
    assert run.stdout == f"cluster-node {cluster_client.__version__}\n"
