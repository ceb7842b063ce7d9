// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <cluster_client/report.hpp>

#include "saga/saga_log.hpp"

namespace cluster_client::log {

using saga::Fact;
using saga::Phase;
using saga::SagaId;

// How every adapter's columns hold the log's values. Enums are stored by name: readable
// with the database's own shell, and immune to reordering. A value that does not decode
// throws CorruptRecord naming the saga.

/// A row of the log that does not decode: the log is corrupt, or written by a program that
/// knows values this one does not.
class CorruptRecord : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

std::int64_t now_ms();
std::int64_t to_ms(std::chrono::system_clock::time_point time);
std::chrono::system_clock::time_point from_ms(std::int64_t ms);
std::int64_t to_int64(std::size_t value);

/// A JSON array of host URLs.
std::string encode_hosts(const std::vector<std::string>& hosts);
std::vector<std::string> decode_hosts(SagaId saga, const std::string& text);
/// A JSON array of host state names.
std::string encode_states(const std::vector<HostState>& states);
std::vector<HostState> decode_states(SagaId saga, const std::string& text);

Operation decode_operation(SagaId saga, const std::string& name);
Phase decode_phase(SagaId saga, const std::string& name);
Fact decode_fact(SagaId saga, const std::string& name);
SagaOutcome decode_outcome(SagaId saga, const std::string& name);

[[noreturn]] void corrupt_row(SagaId saga, const std::string& what);

}  // namespace cluster_client::log
