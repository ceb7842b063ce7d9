// SPDX-License-Identifier: MIT
#pragma once

namespace cluster_client::saga {

/// A visitor made of lambdas, one per alternative of a std::variant.
template <class... Ts>
struct overloaded : Ts... {
    using Ts::operator()...;
};
// Clang before 17 does not deduce an aggregate's template arguments by itself.
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;

}  // namespace cluster_client::saga
