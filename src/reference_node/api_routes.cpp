// SPDX-License-Identifier: MIT
#include "reference_node/api_routes.hpp"

#include "cluster_client/group_id.hpp"
#include "node_api/encoding.hpp"

namespace cluster_client::reference_node {
namespace {

constexpr std::string_view collection_path = "/v1/group/";
constexpr std::string_view bad_body_message = R"(the body must be {"groupId": "<id>"})";

Reply create(NodeState& node, std::string_view body) {
    auto id = node_api::parse_group_body(body);
    if (!id) return error_reply(400, bad_body_message);
    if (auto why = group_id_error(*id)) return error_reply(400, *why);
    std::string created_body = node_api::group_body(*id);
    // docs/node-api.md: 400 means "perhaps the object exists".
    if (!node.insert(std::move(*id))) return error_reply(400, "the group exists");
    return {201, std::move(created_body), {}};
}

Reply remove(NodeState& node, std::string_view body, unsigned delete_missing_status) {
    const auto id = node_api::parse_group_body(body);
    if (!id) return error_reply(400, bad_body_message);
    if (node.erase(*id)) return {200, node_api::group_body(*id), {}};
    if (delete_missing_status == 200) return {200, node_api::group_body(*id), {}};
    return error_reply(delete_missing_status, "no such group");
}

Reply read(const NodeState& node, std::string_view segment) {
    const auto id = node_api::decode_path_segment(segment);
    if (!id) return error_reply(400, "malformed percent-encoding in the group id");
    if (!node.contains(*id)) return error_reply(404, "no such group");
    return {200, node_api::group_body(*id), {}};
}

}  // namespace

Reply serve_api(NodeState& node, const Request& request, unsigned delete_missing_status) {
    const std::string_view path = path_of(request.target);
    if (path == collection_path) {
        if (request.method == "POST") return create(node, request.body);
        if (request.method == "DELETE") return remove(node, request.body, delete_missing_status);
        Reply reply = error_reply(405, "use POST or DELETE on /v1/group/");
        reply.allow = "POST, DELETE";
        return reply;
    }
    if (!path.starts_with(collection_path)) return error_reply(404, "no such route");

    std::string_view segment = path.substr(collection_path.size());
    // Other nodes serve the item route without the trailing slash too (docs/node-api.md).
    if (segment.ends_with('/')) segment.remove_suffix(1);
    if (segment.empty() || segment.find('/') != std::string_view::npos) {
        return error_reply(404, "no such route");
    }
    if (request.method != "GET") {
        Reply reply = error_reply(405, "use GET on /v1/group/<id>/");
        reply.allow = "GET";
        return reply;
    }
    return read(node, segment);
}

}  // namespace cluster_client::reference_node
