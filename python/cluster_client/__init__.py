# SPDX-License-Identifier: MIT
"""cluster_client: create, verify and delete a group on every node of a cluster, all or
none, with the Saga pattern. The seed module's API (ClusterClient.create_group,
delete_group, verify_group_on_host) on the project's C++ core, for asyncio, and
BlockingClusterClient for code without an event loop.

    import asyncio
    from cluster_client import ClusterClient

    async def main():
        async with ClusterClient(hosts=["http://node1:8001", "http://node2:8002"]) as client:
            if await client.create_group("my-group-id"):
                print("Group created successfully.")

    asyncio.run(main())
"""

import atexit

from . import _core
from ._blocking import BlockingClusterClient
from ._client import ClusterClient
from ._core import HostReport, SagaReport
from ._errors import (
    ClusterClientError,
    ConfigError,
    GroupOperationError,
    GroupOperationException,
    InvalidGroupId,
    RequestError,
    RequestErrorException,
    SagaLogUnavailable,
)

__version__: str = _core.__version__

__all__ = [
    "BlockingClusterClient",
    "ClusterClient",
    "ClusterClientError",
    "ConfigError",
    "GroupOperationError",
    "GroupOperationException",
    "HostReport",
    "InvalidGroupId",
    "RequestError",
    "RequestErrorException",
    "SagaLogUnavailable",
    "SagaReport",
]

# At exit, clients still running stop at once: nothing waits on a saga, and the sagas in
# flight stay open in the saga log for recover().
atexit.register(_core.abandon_all)
