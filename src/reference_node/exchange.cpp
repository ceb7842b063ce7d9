// SPDX-License-Identifier: MIT
#include "reference_node/exchange.hpp"

#include <boost/json.hpp>

namespace cluster_client::reference_node {

Reply error_reply(unsigned status, std::string_view message) {
    boost::json::object body;
    body["error"] = boost::json::string_view(message.data(), message.size());
    return {status, boost::json::serialize(body), {}};
}

std::string_view path_of(std::string_view target) {
    return target.substr(0, target.find('?'));
}

}  // namespace cluster_client::reference_node
