// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>

namespace cluster_client::reference_node {

/// One parsed HTTP request, as the route handlers see it: views into the connection's
/// buffers, valid for the duration of the handler call.
struct Request {
    std::string_view method;
    std::string_view target;
    std::string_view body;
};

/// What a route handler answers; every body is JSON.
struct Reply {
    unsigned status = 200;
    std::string body;
    /// The methods a 405 answer allows (its Allow header); empty otherwise.
    std::string_view allow;
    std::string_view content_type = "application/json";
};

/// A reply with body `{"error":"<message>"}`.
Reply error_reply(unsigned status, std::string_view message);

/// `target` without its query string.
std::string_view path_of(std::string_view target);

}  // namespace cluster_client::reference_node
