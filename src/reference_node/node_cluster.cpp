// SPDX-License-Identifier: MIT
#include "reference_node/node_cluster.hpp"

#include <boost/asio/ssl.hpp>

#include "cluster_client/errors.hpp"
#include "reference_node/admin_routes.hpp"
#include "reference_node/api_routes.hpp"
#include "reference_node/cluster_state.hpp"
#include "reference_node/http_server.hpp"

#include <spdlog/spdlog.h>

namespace cluster_client::reference_node {
namespace {

namespace asio = boost::asio;

class NodeHandler final : public RequestHandler {
public:
    NodeHandler(std::shared_ptr<ClusterState> state, int index) : state_(std::move(state)), index_(index) {}

    RequestFate admit() override { return state_->admit_request(index_); }

    Reply serve(const Request& request) override {
        return serve_api(state_->node(index_), request, state_->delete_missing_status());
    }

private:
    std::shared_ptr<ClusterState> state_;
    int index_;
};

// The admin endpoint is how tests observe the truth, so it is never faulted nor delayed.
class AdminHandler final : public RequestHandler {
public:
    explicit AdminHandler(std::shared_ptr<ClusterState> state) : state_(std::move(state)) {}

    RequestFate admit() override { return {}; }

    Reply serve(const Request& request) override { return serve_admin(*state_, request); }

private:
    std::shared_ptr<ClusterState> state_;
};

// The host clients should dial: a wildcard bind is reachable on loopback.
std::string url_host(const asio::ip::address& address) {
    if (address.is_unspecified()) return address.is_v6() ? "[::1]" : "127.0.0.1";
    if (address.is_v6()) return std::string("[").append(address.to_string()).append("]");
    return address.to_string();
}

// The server side of https: the certificate chain and key, TLS 1.2 and later.
std::shared_ptr<asio::ssl::context> server_tls(const NodeClusterOptions& options) {
    if (options.tls_cert_file.empty()) return nullptr;
    auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
    context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                         asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    boost::system::error_code ec;
    context->use_certificate_chain_file(options.tls_cert_file, ec);
    if (ec) throw ConfigError("--tls-cert " + options.tls_cert_file + ": " + ec.message());
    context->use_private_key_file(options.tls_key_file, asio::ssl::context::pem, ec);
    if (ec) throw ConfigError("--tls-key " + options.tls_key_file + ": " + ec.message());
    if (!options.tls_client_ca_file.empty()) {
        context->load_verify_file(options.tls_client_ca_file, ec);
        if (ec) throw ConfigError("--tls-client-ca " + options.tls_client_ca_file + ": " + ec.message());
        context->set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
    }
    return context;
}

std::string url_of(const std::string& host, std::uint16_t port) {
    return "http://" + host + ":" + std::to_string(port);
}

}  // namespace

NodeCluster::NodeCluster(asio::any_io_executor executor, NodeClusterOptions options) {
    if (auto why = node_cluster_options_error(options)) throw ConfigError(*why);
    state_ = std::make_shared<ClusterState>(options.nodes, options.faults, options.delete_missing_status);
    server_ = std::make_shared<HttpServer>(std::move(executor), options.threads);

    const asio::ip::address address = asio::ip::make_address(options.bind);
    const std::string host = url_host(address);
    const auto tls = server_tls(options);
    std::vector<std::string> urls;
    urls.reserve(static_cast<std::size_t>(options.nodes));
    ports_.reserve(static_cast<std::size_t>(options.nodes));
    for (int i = 0; i < options.nodes; ++i) {
        const auto port = static_cast<std::uint16_t>(options.base_port == 0 ? 0 : options.base_port + i);
        ports_.push_back(server_->listen({address, port}, std::make_shared<NodeHandler>(state_, i), tls));
        urls.push_back((tls ? "https" : "http") + url_of(host, ports_.back()).substr(4));
    }
    if (options.admin_port) {
        admin_port_ = server_->listen({address, *options.admin_port}, std::make_shared<AdminHandler>(state_));
        admin_url_ = url_of(host, *admin_port_);
    }
    state_->set_urls(std::move(urls));
}

NodeCluster::~NodeCluster() {
    stop();
}

void NodeCluster::start() {
    server_->start();
    spdlog::debug("cluster-node: serving {} node(s){}", size(),
                  admin_url_ ? ", admin on " + *admin_url_ : std::string());
}

void NodeCluster::stop() {
    server_->stop();
}

int NodeCluster::size() const noexcept {
    return state_->size();
}

std::vector<std::string> NodeCluster::urls() const {
    return state_->urls();
}

std::vector<std::uint16_t> NodeCluster::ports() const {
    return ports_;
}

std::optional<std::uint16_t> NodeCluster::admin_port() const {
    return admin_port_;
}

std::optional<std::string> NodeCluster::admin_url() const {
    return admin_url_;
}

std::vector<std::string> NodeCluster::groups(int node) const {
    return state_->node(node).groups();
}

bool NodeCluster::contains(int node, std::string_view id) const {
    return state_->node(node).contains(id);
}

void NodeCluster::put(int node, std::string id) {
    state_->node(node).insert(std::move(id));
}

bool NodeCluster::erase(int node, std::string_view id) {
    return state_->node(node).erase(id);
}

void NodeCluster::clear() {
    state_->clear();
}

void NodeCluster::set_faults(FaultOptions faults) {
    state_->set_faults(std::move(faults));
}

FaultOptions NodeCluster::faults() const {
    return state_->faults();
}

std::uint64_t NodeCluster::requests(int node) const {
    return state_->node(node).requests();
}

}  // namespace cluster_client::reference_node
