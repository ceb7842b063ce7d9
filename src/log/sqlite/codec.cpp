// SPDX-License-Identifier: MIT
#include "log/sqlite/codec.hpp"

#include <algorithm>
#include <array>
#include <limits>

#include <boost/json.hpp>
#include <sqlite3.h>

#include "log/sqlite/error.hpp"

namespace cluster_client::log::sqlite {

namespace json = boost::json;

namespace {

template <class Enum, std::size_t N>
Enum parse_name(SagaId saga, const std::string& name, const std::array<Enum, N>& values, const char* what) {
    for (const Enum value : values) {
        if (to_string(value) == name) return value;
    }
    corrupt_row(saga, std::string("unknown ") + what + " '" + name + "'");
}

constexpr std::array all_operations = {Operation::create, Operation::delete_, Operation::ensure, Operation::verify};
constexpr std::array all_phases = {Phase::forward, Phase::compensating};
constexpr std::array all_facts = {Fact::absent_before, Fact::present_before, Fact::writing, Fact::created,
                                   Fact::deleted, Fact::unwritten};
constexpr std::array all_outcomes = {
    SagaOutcome::created,  SagaOutcome::deleted,     SagaOutcome::already_exists,      SagaOutcome::not_found,
    SagaOutcome::present,  SagaOutcome::absent,      SagaOutcome::conflict,            SagaOutcome::rolled_back,
    SagaOutcome::rollback_incomplete, SagaOutcome::incomplete, SagaOutcome::busy,      SagaOutcome::unknown,
};
constexpr std::array all_host_states = {
    HostState::unknown, HostState::present_before, HostState::absent_before, HostState::created,
    HostState::deleted, HostState::present,        HostState::absent,        HostState::failed,
    HostState::rolled_back, HostState::restored,   HostState::rollback_failed,
};


std::vector<std::string> decode_names(SagaId saga, const std::string& text, const char* what) {
    boost::system::error_code error;
    const json::value value = json::parse(text, error);
    if (error || !value.is_array()) corrupt_row(saga, std::string(what) + " is not a JSON array");
    std::vector<std::string> names;
    for (const json::value& item : value.as_array()) {
        if (!item.is_string()) corrupt_row(saga, std::string(what) + " holds a non-string");
        names.emplace_back(item.as_string());
    }
    return names;
}


}  // namespace

std::int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::chrono::system_clock::time_point from_ms(std::int64_t ms) {
    return std::chrono::system_clock::time_point{std::chrono::milliseconds{ms}};
}

std::int64_t to_int64(std::size_t value) {
    return static_cast<std::int64_t>(std::min<std::size_t>(value, std::numeric_limits<std::int64_t>::max()));
}

[[noreturn]] void corrupt_row(SagaId saga, const std::string& what) {
    throw SqliteError(SQLITE_CORRUPT, "saga " + std::to_string(saga) + ": " + what);
}
std::string encode_hosts(const std::vector<std::string>& hosts) {
    json::array array;
    for (const auto& host : hosts) array.emplace_back(host);
    return json::serialize(array);
}

std::string encode_states(const std::vector<HostState>& states) {
    json::array array;
    for (const HostState state : states) array.emplace_back(to_string(state));
    return json::serialize(array);
}


std::vector<std::string> decode_hosts(SagaId saga, const std::string& text) {
    return decode_names(saga, text, "hosts");
}

std::vector<HostState> decode_states(SagaId saga, const std::string& text) {
    std::vector<HostState> states;
    for (const auto& name : decode_names(saga, text, "host states")) {
        states.push_back(parse_name(saga, name, all_host_states, "host state"));
    }
    return states;
}

Operation decode_operation(SagaId saga, const std::string& name) {
    return parse_name(saga, name, all_operations, "operation");
}

Phase decode_phase(SagaId saga, const std::string& name) { return parse_name(saga, name, all_phases, "phase"); }

Fact decode_fact(SagaId saga, const std::string& name) { return parse_name(saga, name, all_facts, "fact"); }

SagaOutcome decode_outcome(SagaId saga, const std::string& name) {
    return parse_name(saga, name, all_outcomes, "outcome");
}

}  // namespace cluster_client::log::sqlite
