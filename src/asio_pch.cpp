// SPDX-License-Identifier: MIT
// The target that builds the precompiled Asio/Beast headers (asio_pch.hpp) every layer reuses.
