// SPDX-License-Identifier: MIT
#include "hooked_node.hpp"

#include <cctype>

#include <boost/json.hpp>
#include <boost/url/decode_view.hpp>

namespace cluster_client::testing {

namespace {

// The group a request names: the last path segment of a GET, the body of a POST or DELETE.
std::string group_of(const std::string& text, HookedNode::Method method) {
    if (method == HookedNode::Method::get) {
        const auto start = text.find(' ') + 1;
        auto path = text.substr(start, text.find(' ', start) - start);
        if (!path.empty() && path.back() == '/') path.pop_back();
        const auto segment = path.substr(path.rfind('/') + 1);
        const boost::urls::decode_view decoded(segment);
        return std::string(decoded.begin(), decoded.end());
    }
    const auto body = text.substr(text.find("\r\n\r\n") + 4);
    return std::string(boost::json::parse(body).at("groupId").as_string());
}

// The value of the Authorization header of a request's text ("" when it has none); header
// names are case-insensitive.
std::string authorization_of(const std::string& text) {
    const auto end = text.find("\r\n\r\n");
    for (auto at = text.find("\r\n"); at != std::string::npos && at < end;) {
        const auto line_end = text.find("\r\n", at + 2);
        const auto line = text.substr(at + 2, line_end - at - 2);
        at = line_end;
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = line.substr(0, colon);
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (name != "authorization") continue;
        const auto value = line.find_first_not_of(' ', colon + 1);
        return value == std::string::npos ? std::string() : line.substr(value);
    }
    return {};
}

std::string group_body(const std::string& group) {
    return boost::json::serialize(boost::json::object{{"groupId", group}});
}

}  // namespace

HookedNode::HookedNode() {
    auto server = std::make_unique<ScriptedServer>([this](int index) { return answer(index); });
    // Published under the lock: the server's threads exist already and read it in answer().
    const std::lock_guard lock(mutex_);
    serving_ = server.get();
    server_ = std::move(server);
}

HookedNode::~HookedNode() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    released_.notify_all();
    server_.reset();
}

std::string HookedNode::url() const {
    return server_->url();
}

void HookedNode::set_hook(Hook hook) {
    const std::lock_guard lock(mutex_);
    hook_ = std::move(hook);
}

bool HookedNode::has(const std::string& group) const {
    const std::lock_guard lock(mutex_);
    return groups_.contains(group);
}

void HookedNode::put(const std::string& group) {
    const std::lock_guard lock(mutex_);
    groups_.insert(group);
}

void HookedNode::erase(const std::string& group) {
    const std::lock_guard lock(mutex_);
    groups_.erase(group);
}

std::vector<HookedNode::Request> HookedNode::requests() const {
    const std::lock_guard lock(mutex_);
    return requests_;
}

int HookedNode::count(Method method, const std::string& group) const {
    const std::lock_guard lock(mutex_);
    int n = 0;
    for (const auto& request : requests_) n += request.method == method && request.group == group ? 1 : 0;
    return n;
}

std::string HookedNode::answer(int index) {
    ScriptedServer* server = nullptr;
    {
        const std::lock_guard lock(mutex_);
        server = serving_;
    }
    const auto text = server->request(index);
    const auto method = text.starts_with("GET ")    ? Method::get
                        : text.starts_with("POST ") ? Method::post
                                                    : Method::delete_;
    const Request request{method, group_of(text, method), authorization_of(text)};
    Hook hook;
    {
        const std::lock_guard lock(mutex_);
        requests_.push_back(request);
        hook = hook_;
    }
    const auto override = hook ? hook(request, *this) : std::nullopt;

    std::unique_lock lock(mutex_);
    if (override && override->hang) {
        released_.wait(lock, [this] { return stopping_; });
        return {};
    }
    const bool present = groups_.contains(request.group);
    int status = 0;
    std::string body;
    const bool apply = !override || override->apply;
    switch (method) {
        case Method::get:
            status = present ? 200 : 404;
            if (present) body = group_body(request.group);
            break;
        case Method::post:
            status = present ? 400 : 201;
            if (!present && apply) groups_.insert(request.group);
            break;
        case Method::delete_:
            status = present ? 200 : 404;
            if (present && apply) groups_.erase(request.group);
            break;
    }
    if (override) return http_answer(override->status);
    return http_answer(status, body);
}

}  // namespace cluster_client::testing
