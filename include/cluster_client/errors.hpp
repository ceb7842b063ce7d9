// SPDX-License-Identifier: MIT
#pragma once

#include <stdexcept>
#include <string>

namespace cluster_client {

/// Base of every exception the library throws. Expected failures of a node (refused,
/// timeout, 5xx) are never exceptions: they are values in reports.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Bad configuration or input (a host, a duration, an option), found before any request.
/// The message names the rule that was broken.
class ConfigError : public Error {
public:
    using Error::Error;
};

/// The saga log cannot be used now: its server cannot be reached or refuses the
/// connection (a wrong password, a missing database, not a PostgreSQL server). Nothing was
/// sent to a node. The message names the log, its password hidden.
class SagaLogUnavailable : public Error {
public:
    using Error::Error;
};

/// A group id outside the rule of docs/node-api.md (1..255 bytes of UTF-8, no control characters,
/// not `.` or `..`).
class InvalidGroupId : public ConfigError {
public:
    using ConfigError::ConfigError;
};

/// A request failed for good (the seed's RequestErrorException).
class RequestError : public Error {
public:
    using Error::Error;
};

/// A saga step failed and compensation was triggered (the seed's GroupOperationException).
class GroupOperationError : public Error {
public:
    using Error::Error;
};

}  // namespace cluster_client
