// SPDX-License-Identifier: MIT
#pragma once

#include <string_view>

namespace cluster_client {

/// The version of the library and its programs (semantic versioning; 0.x: a new minor
/// version may change the API). This line is the one place it is kept: CMakeLists.txt reads
/// it for the CMake and pkg-config packages, the man pages and the .deb.
inline constexpr std::string_view version = "0.1.0";

}  // namespace cluster_client
