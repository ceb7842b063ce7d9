// SPDX-License-Identifier: MIT
#include <cstdlib>
#include <iostream>

#include "cli.hpp"

int main(int argc, char** argv) {
    std::ios::sync_with_stdio(false);
    const std::vector<std::string> args(argv + 1, argv + argc);
    return cluster_client::cli::run(args, std::getenv("HOSTS"), std::cout, std::cerr);
}
