// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include <cluster_client/enum_names.hpp>

#include "http/host_pool.hpp"

namespace cluster_client::node_api {

/// What one call to a node means for a saga. Raw status codes never leave this layer.
enum class Reply {
    created,            ///< POST answered 201: this request created the group
    exists_or_invalid,  ///< POST answered 400: the group exists, or the node rejects the id
    deleted,            ///< DELETE answered 200: this request deleted the group
    present,            ///< GET answered 200 with the group
    absent,             ///< GET answered 404; DELETE answered 404 (or 400): no such group
    not_sent,           ///< nothing reached the node: it did not apply the request
    maybe_applied,      ///< sent, then timeout / reset / 5xx (or any status from 500 to 999) /
                        ///< garbage, or an unknown 2xx to a POST or DELETE: resolve by reading
    throttled,          ///< 429: not applied; retry after `retry_after`
    refused,            ///< any other answer (1xx, 3xx, 401, 403, 404 on POST, any 2xx but 200
                        ///< to a GET...): retrying cannot help
};

constexpr auto enum_names(Reply) {
    using enum Reply;
    return std::to_array<EnumName<Reply>>({
        {created, "created"},
        {exists_or_invalid, "exists_or_invalid"},
        {deleted, "deleted"},
        {present, "present"},
        {absent, "absent"},
        {not_sent, "not_sent"},
        {maybe_applied, "maybe_applied"},
        {throttled, "throttled"},
        {refused, "refused"},
    });
}

/// The three calls of docs/node-api.md.
enum class Call { create, get, delete_ };

/// A call is named in logs as its request line starts.
constexpr auto enum_names(Call) {
    return std::to_array<EnumName<Call>>({{Call::create, "POST"}, {Call::get, "GET"}, {Call::delete_, "DELETE"}});
}

/// One call's result, with what is needed to report and retry it.
struct NodeReply {
    Reply reply = Reply::not_sent;
    std::string detail;  ///< for reports: "HTTP 500", "connect: Connection refused", ...
    std::optional<std::chrono::milliseconds> retry_after;
};

/// The one classifier from an HTTP status to a Reply (cpr/Boost.MySQL style: one place
/// decides what is retried and what is resolved by reading).
Reply classify_status(Call call, unsigned status);

/// The one classifier from a transport failure to a Reply.
Reply classify_failure(const http::Failure& failure);

/// Names a reply for logs and reports ("maybe_applied"): enum_name(reply).
inline std::string_view reply_name(Reply reply) {
    return enum_name(reply);
}

/// Names a call for logs as its request line starts ("POST"): enum_name(call).
inline std::string_view call_name(Call call) {
    return enum_name(call);
}

/// The request that carries `call` for group `id` to a node: the one place a Call becomes a
/// method, a path and a body. `id` must already be valid (validate_group_id).
http::Request request_for(Call call, std::string_view id);

/// The group API of one node. Ids must already be valid (validate_group_id): this layer
/// encodes them (percent-encoding in the path, JSON escaping in bodies).
/// Not thread-safe: used from its pool's executor only.
class NodeClient {
public:
    explicit NodeClient(http::HostPool& pool) : pool_(pool) {}

    /// Sends `call` for group `id` and classifies the answer; a 200 to a GET counts as
    /// `present` only when its body names `id`. Never throws for what a node does: every
    /// failure is a Reply. The coroutine holds its own `id`, so the caller's may go away.
    boost::asio::awaitable<NodeReply> call(Call call, std::string id, std::chrono::milliseconds timeout);

private:
    http::HostPool& pool_;
};

}  // namespace cluster_client::node_api
