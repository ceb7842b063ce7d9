// SPDX-License-Identifier: MIT
#pragma once

#include <cluster_client/enum_names.hpp>

namespace cluster_client::saga {

/// A fact about one node that recovery needs, made durable before the request that depends
/// on it (docs/design.md, "The saga log and recovery"). A node's facts are kept in the
/// order they were recorded, and the last one that speaks of ownership wins (see
/// claim.hpp): an observation that contradicts an earlier fact is recorded too.
enum class Fact {
    absent_before,   ///< create: the group was not there, so whatever appears is ours.
                     ///< delete: the group is gone by someone else's doing; nothing to restore
    present_before,  ///< delete: the group was there, so its absence is our doing.
                     ///< create: the group there is someone else's; never ours to delete
    writing,         ///< fast create: a POST of ours is about to be sent, so the group may be ours
    created,         ///< this saga created the group there (or restored it)
    deleted,         ///< this saga deleted the group there (or undid its own creation)
    unwritten,       ///< after one of the above licensed a write: none of ours applied there
};

/// The names the saga log stores facts by: renaming one makes existing logs unreadable.
constexpr auto enum_names(Fact) {
    using enum Fact;
    return std::to_array<EnumName<Fact>>({
        {absent_before, "absent_before"},
        {present_before, "present_before"},
        {writing, "writing"},
        {created, "created"},
        {deleted, "deleted"},
        {unwritten, "unwritten"},
    });
}

}  // namespace cluster_client::saga
