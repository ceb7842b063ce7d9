// SPDX-License-Identifier: MIT
#include "log/codec.hpp"

#include <algorithm>
#include <limits>
#include <optional>
#include <string_view>

#include <boost/json.hpp>

namespace cluster_client::log {

namespace json = boost::json;

namespace {

template <NamedEnum Enum>
Enum parse_name(SagaId saga, const std::string& name, const char* what) {
    if (const auto value = parse_enum<Enum>(name)) return *value;
    corrupt_row(saga, std::string("unknown ") + what + " '" + name + "'");
}

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

// Host states the log's earlier versions wrote by names they no longer have (the facts keep
// those names).
std::optional<HostState> renamed_host_state(std::string_view name) {
    if (name == "present_before") return HostState::already_present;
    if (name == "absent_before") return HostState::already_absent;
    return std::nullopt;
}

}  // namespace

std::int64_t now_ms() {
    return to_ms(std::chrono::system_clock::now());
}

std::int64_t to_ms(std::chrono::system_clock::time_point time) {
    using namespace std::chrono;
    return duration_cast<milliseconds>(time.time_since_epoch()).count();
}

std::chrono::system_clock::time_point from_ms(std::int64_t ms) {
    return std::chrono::system_clock::time_point{std::chrono::milliseconds{ms}};
}

std::int64_t to_int64(std::size_t value) {
    return static_cast<std::int64_t>(std::min<std::size_t>(value, std::numeric_limits<std::int64_t>::max()));
}

[[noreturn]] void corrupt_row(SagaId saga, const std::string& what) {
    throw CorruptRecord("saga " + std::to_string(saga) + ": " + what);
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
        if (const auto renamed = renamed_host_state(name)) {
            states.push_back(*renamed);
        } else {
            states.push_back(parse_name<HostState>(saga, name, "host state"));
        }
    }
    return states;
}

Operation decode_operation(SagaId saga, const std::string& name) {
    return parse_name<Operation>(saga, name, "operation");
}

Phase decode_phase(SagaId saga, const std::string& name) {
    return parse_name<Phase>(saga, name, "phase");
}

Fact decode_fact(SagaId saga, const std::string& name) {
    return parse_name<Fact>(saga, name, "fact");
}

SagaOutcome decode_outcome(SagaId saga, const std::string& name) {
    return parse_name<SagaOutcome>(saga, name, "outcome");
}

}  // namespace cluster_client::log
