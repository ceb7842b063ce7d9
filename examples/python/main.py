# SPDX-License-Identifier: MIT
"""The seed module's example flow on cluster_client: create a group, then delete it,
logging each result. The hosts come from HOSTS, as in the seed's config:

    HOSTS=http://127.0.0.1:8001,http://127.0.0.1:8002 \\
        PYTHONPATH=build/release/python python3 examples/python/main.py [GROUP_ID]
"""

import asyncio
import logging
import sys

from cluster_client import ClusterClient

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
log = logging.getLogger("example")


async def main(group_id: str) -> int:
    async with ClusterClient() as client:
        if await client.create_group(group_id):
            log.info("Group %s created successfully.", group_id)
        else:
            log.error("Group %s creation failed; every node was left as it was.", group_id)
            return 1
        failed = await client.delete_group(group_id)
        if failed:
            log.error("Group %s deletion failed on %s.", group_id, ", ".join(failed))
            return 1
        log.info("Group %s deleted from every host.", group_id)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "my-group-id")))
