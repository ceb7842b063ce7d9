// SPDX-License-Identifier: MIT
// Every enum that is written by name (reports, JSON, logs, the saga log, options) has exactly
// one name per value, and each name reads back as its value. A value added to an enum and
// not to its list fails here: the list's size must reach the enum's last value.
#include <cluster_client/enum_names.hpp>

#include <cstddef>
#include <set>
#include <string>
#include <type_traits>

#include <gtest/gtest.h>

#include <cluster_client/options.hpp>
#include <cluster_client/report.hpp>

#include "http/wire.hpp"
#include "node_api/node_client.hpp"
#include "saga/fact.hpp"
#include "saga/log_records.hpp"

namespace cluster_client {
namespace {

// `last` is the enum's last value: keep it so when adding one.
template <NamedEnum Enum>
void expect_named_both_ways(Enum last) {
    const auto count = static_cast<std::size_t>(static_cast<std::underlying_type_t<Enum>>(last)) + 1;
    EXPECT_EQ(enum_names(last).size(), count) << "a value without a name, or a name without a value";
    std::set<std::string_view> seen;
    for (std::size_t i = 0; i < count; ++i) {
        const auto value = static_cast<Enum>(i);
        const std::string_view name = enum_name(value);
        EXPECT_FALSE(name.empty()) << "value " << i << " has no name";
        EXPECT_TRUE(seen.insert(name).second) << "two values are named " << name;
        EXPECT_EQ(parse_enum<Enum>(name), value) << name;
    }
}

TEST(EnumNames, EveryValueHasOneNameThatReadsBack) {
    expect_named_both_ways(Operation::verify);
    expect_named_both_ways(SagaOutcome::unknown);
    expect_named_both_ways(HostState::rollback_failed);
    expect_named_both_ways(Ownership::fast);
    expect_named_both_ways(DeleteMode::forward);
    expect_named_both_ways(Durability::machine);
    expect_named_both_ways(saga::Fact::unwritten);
    expect_named_both_ways(saga::Phase::compensating);
    expect_named_both_ways(node_api::Reply::refused);
    expect_named_both_ways(node_api::Call::delete_);
    expect_named_both_ways(http::Method::delete_);
}

TEST(EnumNames, NamesAreTheOnesAlreadyWritten) {
    // Reports, JSON output and existing saga logs hold these spellings.
    EXPECT_EQ(enum_name(Operation::delete_), "delete");
    EXPECT_EQ(enum_name(SagaOutcome::rollback_incomplete), "rollback_incomplete");
    EXPECT_EQ(enum_name(HostState::already_present), "already_present");
    EXPECT_EQ(enum_name(HostState::already_absent), "already_absent");
    EXPECT_EQ(enum_name(saga::Fact::present_before), "present_before");
    EXPECT_EQ(enum_name(saga::Fact::absent_before), "absent_before");
    EXPECT_EQ(enum_name(saga::Phase::compensating), "compensating");
    EXPECT_EQ(enum_name(node_api::Call::create), "POST");
    EXPECT_EQ(to_string(Operation::delete_), "delete");
}

TEST(EnumNames, UnknownNamesAndCastValuesAreRefused) {
    EXPECT_EQ(parse_enum<Operation>("Delete"), std::nullopt);
    EXPECT_EQ(parse_enum<Operation>("delete_"), std::nullopt);
    EXPECT_EQ(parse_enum<Operation>(""), std::nullopt);
    EXPECT_EQ(enum_name(static_cast<Operation>(99)), "");
}

}  // namespace
}  // namespace cluster_client
