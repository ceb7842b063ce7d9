// SPDX-License-Identifier: MIT
#include "sequential_client.hpp"

#include "http/host_pool.hpp"
#include "node_api/node_client.hpp"

namespace cluster_client::bench {

using namespace std::chrono_literals;

struct SequentialClient::Nodes {
    std::vector<std::unique_ptr<http::HostPool>> pools;
    std::vector<node_api::NodeClient> clients;
};

SequentialClient::SequentialClient(boost::asio::any_io_executor executor, const std::vector<std::string>& hosts)
    : nodes_(std::make_unique<Nodes>()) {
    for (const auto& endpoint : http::parse_hosts(hosts)) {
        nodes_->pools.push_back(std::make_unique<http::HostPool>(executor, endpoint, HttpOptions{}, nullptr));
    }
    for (auto& pool : nodes_->pools) nodes_->clients.emplace_back(*pool);
}

SequentialClient::~SequentialClient() = default;

boost::asio::awaitable<bool> SequentialClient::create_group(std::string id) {
    bool ok = true;
    for (auto& node : nodes_->clients) {
        ok = (co_await node.call(node_api::Call::create, id, 2s)).reply == node_api::Reply::created && ok;
    }
    for (auto& node : nodes_->clients) {
        ok = (co_await node.call(node_api::Call::get, id, 2s)).reply == node_api::Reply::present && ok;
    }
    co_return ok;
}

}  // namespace cluster_client::bench
