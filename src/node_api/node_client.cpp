// SPDX-License-Identifier: MIT
#include "node_api/node_client.hpp"

#include "node_api/encoding.hpp"

namespace cluster_client::node_api {

Reply classify_status(Call call, unsigned status) {
    if (status >= 500) return Reply::maybe_applied;
    if (status == 429) return Reply::throttled;
    switch (call) {
        case Call::create:
            if (status == 201 || status == 200) return Reply::created;
            if (status == 400 || status == 409) return Reply::exists_or_invalid;
            break;
        case Call::get:
            if (status == 200) return Reply::present;
            if (status == 404) return Reply::absent;
            break;
        case Call::delete_:
            if (status == 200 || status == 204) return Reply::deleted;
            // docs/node-api.md: a node may answer a missing group with 404 or 400.
            if (status == 404 || status == 400) return Reply::absent;
            break;
    }
    // A success we do not know (299, 204 to a POST, 201 to a DELETE) says the node took the
    // write, not whether it applied it; calling it refused would leave a write of ours
    // uncompensated. A GET writes nothing, so an odd success to it is only refused.
    if (call != Call::get && status >= 200 && status < 300) return Reply::maybe_applied;
    return Reply::refused;
}

Reply classify_failure(const http::Failure& failure) {
    // Once a byte may have reached the node, the outcome stays ambiguous however final the
    // failure: only a read can tell whether the write applied.
    if (failure.kind == http::Failure::Kind::maybe_applied) return Reply::maybe_applied;
    return failure.permanent ? Reply::refused : Reply::not_sent;
}

http::Request request_for(Call call, std::string_view id) {
    switch (call) {
        case Call::create: return {http::Method::post, "/v1/group/", group_body(id)};
        case Call::delete_: return {http::Method::delete_, "/v1/group/", group_body(id)};
        case Call::get: break;
    }
    return {http::Method::get, "/v1/group/" + encode_path_segment(id) + "/", {}};
}

boost::asio::awaitable<NodeReply> NodeClient::call(Call call, std::string id, std::chrono::milliseconds timeout) {
    auto outcome = co_await pool_.send(request_for(call, id), timeout);
    if (auto* failure = std::get_if<http::Failure>(&outcome)) {
        co_return NodeReply{classify_failure(*failure), std::move(failure->message), std::nullopt};
    }
    auto& response = std::get<http::Response>(outcome);
    NodeReply result{classify_status(call, response.status), "HTTP " + std::to_string(response.status),
                     response.retry_after};
    // A 200 to a GET must name our group; anything else is a garbled answer, not a presence.
    if (result.reply == Reply::present && parse_group_body(response.body) != id) {
        result.reply = Reply::maybe_applied;
        result.detail = "HTTP 200 with an unexpected body";
    }
    co_return result;
}

}  // namespace cluster_client::node_api
