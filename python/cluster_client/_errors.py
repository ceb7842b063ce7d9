# SPDX-License-Identifier: MIT
"""The exceptions of cluster_client. Every one derives from ClusterClientError.

Expected failures of a node (refused, timed out, a 5xx) are never exceptions: they are in
the SagaReport of the saga that met them.
"""


class ClusterClientError(Exception):
    """Base of every exception the package raises."""


class ConfigError(ClusterClientError, ValueError):
    """A bad option or input, found before any request is sent; the message names the
    option (or input) and the rule it broke."""


class InvalidGroupId(ConfigError):
    """A group id outside the rule: 1 to 255 bytes of UTF-8, no control characters, not
    ``.`` or ``..``. Raised before any request is sent."""


class SagaLogUnavailable(ClusterClientError):
    """The saga log cannot be used now (its server unreachable, a wrong password, a log of
    a newer version). Nothing was sent to a node; the password is never in the message."""


class RequestError(ClusterClientError):
    """A request failed for good: no attempt got an answer (verify_group_on_host)."""


class GroupOperationError(ClusterClientError):
    """A saga did not leave the cluster in the state asked for
    (SagaReport.raise_if_failed)."""


#: The seed module's name for RequestError.
RequestErrorException = RequestError
#: The seed module's name for GroupOperationError.
GroupOperationException = GroupOperationError
