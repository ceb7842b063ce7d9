// SPDX-License-Identifier: MIT
#include "reference_node/admin_routes.hpp"

#include "cluster_client/group_id.hpp"
#include "node_api/encoding.hpp"

#include <boost/json.hpp>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <cluster_client/version.hpp>

#include <charconv>
#include <variant>

namespace cluster_client::reference_node {
namespace {

namespace json = boost::json;

constexpr std::string_view nodes_prefix = "/admin/nodes/";
constexpr std::string_view groups_suffix = "/groups";

Reply json_reply(unsigned status, const json::value& body) {
    return {status, json::serialize(body), {}};
}

Reply wrong_method(std::string_view allow) {
    Reply reply = error_reply(405, "method not allowed");
    reply.allow = allow;
    return reply;
}

json::value state_json(const ClusterState& cluster) {
    json::array nodes;
    nodes.reserve(static_cast<std::size_t>(cluster.size()));
    for (int i = 0; i < cluster.size(); ++i) {
        const NodeState& node = cluster.node(i);
        json::array groups;
        for (const std::string& id : node.groups()) groups.emplace_back(id);
        const std::string& url = cluster.urls().at(static_cast<std::size_t>(i));
        nodes.push_back(
            json::object{{"index", i}, {"url", url}, {"groups", std::move(groups)}, {"requests", node.requests()}});
    }
    return json::object{{"nodes", std::move(nodes)}};
}

json::value faults_json(const FaultOptions& faults) {
    json::array faulty;
    for (const int index : faults.faulty_nodes) faulty.emplace_back(index);
    return json::object{{"p_500_before", faults.p_500_before},
                        {"p_500_after", faults.p_500_after},
                        {"p_hang_before", faults.p_hang_before},
                        {"p_hang_after", faults.p_hang_after},
                        {"p_reset", faults.p_reset},
                        {"latency_ms", faults.latency.count()},
                        {"faulty_nodes", std::move(faulty)},
                        {"seed", faults.seed}};
}

// The nodes' metrics in Prometheus's text format, made from their state at each scrape.
Reply metrics_reply(const ClusterState& cluster) {
    static constexpr std::array<std::string_view, 6> fault_names{"none",        "error_before", "error_after",
                                                                 "hang_before", "hang_after",   "reset"};
    prometheus::Registry registry;
    prometheus::BuildGauge()
        .Name("cluster_node_build_info")
        .Help("Always 1; the program's version is its label.")
        .Register(registry)
        .Add({{"version", std::string(version)}})
        .Set(1);
    auto& requests = prometheus::BuildCounter()
                         .Name("cluster_node_requests_total")
                         .Help("Requests to the group API a node received (since the last /admin/reset).")
                         .Register(registry);
    auto& groups = prometheus::BuildGauge().Name("cluster_node_groups").Help("Groups a node holds.").Register(registry);
    auto& faults = prometheus::BuildCounter()
                       .Name("cluster_node_faults_injected_total")
                       .Help("Requests a node answered with an injected fault, by fault.")
                       .Register(registry);
    for (int i = 0; i < cluster.size(); ++i) {
        const std::string& url = cluster.urls().at(static_cast<std::size_t>(i));
        requests.Add({{"node", url}}).Increment(static_cast<double>(cluster.node(i).requests()));
        groups.Add({{"node", url}}).Set(static_cast<double>(cluster.node(i).groups().size()));
        const auto injected = cluster.injected(i);
        for (std::size_t fault = 1; fault < injected.size(); ++fault) {
            faults.Add({{"node", url}, {"fault", std::string(fault_names[fault])}})
                .Increment(static_cast<double>(injected[fault]));
        }
    }
    Reply reply{200, prometheus::TextSerializer().Serialize(registry.Collect()), {}};
    reply.content_type = "text/plain; version=0.0.4";
    return reply;
}

// The number in `value` as T, or nullopt when it is not a number T holds exactly.
template <typename T>
std::optional<T> number_as(const json::value& value) {
    boost::system::error_code ec;
    const T number = value.to_number<T>(ec);
    if (ec) return std::nullopt;
    return number;
}

// FaultOptions from a JSON object; a message naming the bad field otherwise. Unknown fields
// are rejected so that a misspelt one is not silently ignored.
std::variant<FaultOptions, std::string> parse_faults(std::string_view body) {
    boost::system::error_code ec;
    const json::value value = json::parse(json::string_view(body.data(), body.size()), ec);
    if (ec || !value.is_object()) return std::string("the body must be a JSON object");
    FaultOptions faults;
    for (const auto& [key, field] : value.get_object()) {
        const std::string_view name(key.data(), key.size());
        double* probability = name == "p_500_before"    ? &faults.p_500_before
                              : name == "p_500_after"   ? &faults.p_500_after
                              : name == "p_hang_before" ? &faults.p_hang_before
                              : name == "p_hang_after"  ? &faults.p_hang_after
                              : name == "p_reset"       ? &faults.p_reset
                                                        : nullptr;
        if (probability != nullptr) {
            const auto number = number_as<double>(field);
            if (!number) return std::string(name) + " must be a number";
            *probability = *number;
        } else if (name == "latency_ms") {
            const auto number = number_as<std::int64_t>(field);
            if (!number) return std::string("latency_ms must be an integer");
            faults.latency = std::chrono::milliseconds(*number);
        } else if (name == "seed") {
            const auto number = number_as<std::uint64_t>(field);
            if (!number) return std::string("seed must be a non-negative integer");
            faults.seed = *number;
        } else if (name == "faulty_nodes") {
            if (!field.is_array()) return std::string("faulty_nodes must be an array");
            for (const json::value& item : field.get_array()) {
                const auto index = number_as<int>(item);
                if (!index) return std::string("faulty_nodes must hold node indices");
                faults.faulty_nodes.push_back(*index);
            }
        } else {
            return "unknown field '" + std::string(name) + "'";
        }
    }
    return faults;
}

Reply set_faults(ClusterState& cluster, std::string_view body) {
    auto parsed = parse_faults(body);
    if (auto* why = std::get_if<std::string>(&parsed)) return error_reply(400, *why);
    auto& faults = std::get<FaultOptions>(parsed);
    if (auto why = fault_options_error(faults, cluster.size())) return error_reply(400, *why);
    cluster.set_faults(faults);
    return json_reply(200, faults_json(cluster.faults()));
}

Reply put_group(ClusterState& cluster, std::string_view index_text, std::string_view body) {
    int index = -1;
    const auto [end, ec] = std::from_chars(index_text.data(), index_text.data() + index_text.size(), index);
    if (ec != std::errc{} || end != index_text.data() + index_text.size() || index < 0 || index >= cluster.size()) {
        return error_reply(400, "no node '" + std::string(index_text) + "' in this cluster");
    }
    auto id = node_api::parse_group_body(body);
    if (!id) return error_reply(400, R"(the body must be {"groupId": "<id>"})");
    if (auto why = group_id_error(*id)) return error_reply(400, *why);
    std::string reply_body = node_api::group_body(*id);
    const bool created = cluster.node(index).insert(std::move(*id));
    return {created ? 201u : 200u, std::move(reply_body), {}};
}

}  // namespace

Reply serve_admin(ClusterState& cluster, const Request& request) {
    const std::string_view path = path_of(request.target);
    const bool get = request.method == "GET";
    const bool post = request.method == "POST";
    if (path == "/admin/state") {
        if (!get) return wrong_method("GET");
        return json_reply(200, state_json(cluster));
    }
    if (path == "/metrics") {
        if (!get) return wrong_method("GET");
        return metrics_reply(cluster);
    }
    if (path == "/admin/reset") {
        if (!post) return wrong_method("POST");
        cluster.clear();
        return json_reply(200, state_json(cluster));
    }
    if (path == "/admin/faults") {
        if (get) return json_reply(200, faults_json(cluster.faults()));
        if (post) return set_faults(cluster, request.body);
        return wrong_method("GET, POST");
    }
    if (path.starts_with(nodes_prefix) && path.ends_with(groups_suffix) &&
        path.size() > nodes_prefix.size() + groups_suffix.size()) {
        if (!post) return wrong_method("POST");
        const std::string_view index =
            path.substr(nodes_prefix.size(), path.size() - nodes_prefix.size() - groups_suffix.size());
        return put_group(cluster, index, request.body);
    }
    return error_reply(404, "no such route");
}

}  // namespace cluster_client::reference_node
