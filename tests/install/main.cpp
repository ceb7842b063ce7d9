// SPDX-License-Identifier: MIT
// Built against the installed package: creates, verifies and deletes a group on the hosts
// given, and exits 0 only when every step did what it should.
#include <iostream>
#include <string>
#include <vector>

#include <cluster_client/cluster_client.hpp>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: consumer HOST[,HOST...]\n";
        return 2;
    }
    std::vector<std::string> hosts;
    const std::string list = argv[1];
    for (std::size_t start = 0; start <= list.size();) {
        const auto comma = list.find(',', start);
        const auto end = comma == std::string::npos ? list.size() : comma;
        if (end > start) hosts.push_back(list.substr(start, end - start));
        start = end + 1;
    }

    cluster_client::BlockingClusterClient client({.hosts = hosts});
    const auto created = client.create_group("installed-package-check");
    const auto verified = client.verify_group("installed-package-check");
    const auto deleted = client.delete_group("installed-package-check");
    std::cout << "create: " << to_string(created.outcome) << ", verify: " << to_string(verified.outcome)
              << ", delete: " << to_string(deleted.outcome) << '\n';
    const bool ok = created.outcome == cluster_client::SagaOutcome::created &&
                    verified.outcome == cluster_client::SagaOutcome::present &&
                    deleted.outcome == cluster_client::SagaOutcome::deleted;
    return ok ? 0 : 1;
}
