// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

namespace cluster_client::bench {

/// The design this project replaces, for comparison only: create on each node in turn,
/// then verify on each node in turn (2N round trips), no reading to resolve ambiguity, no
/// rollback. Measured against the same nodes so the two lines of the plot are comparable.
class SequentialClient {
public:
    SequentialClient(boost::asio::any_io_executor executor, const std::vector<std::string>& hosts);
    ~SequentialClient();

    /// True when every POST answered 201 and every GET 200.
    boost::asio::awaitable<bool> create_group(std::string id);

private:
    struct Nodes;
    std::unique_ptr<Nodes> nodes_;
};

}  // namespace cluster_client::bench
