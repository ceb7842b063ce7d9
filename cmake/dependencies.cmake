# SPDX-License-Identifier: MIT
# Every dependency comes from Debian 12 packages (see .ci/run and the README).
find_package(Boost 1.81.0 CONFIG REQUIRED COMPONENTS json url system)
find_package(OpenSSL REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(PostgreSQL REQUIRED)
find_package(Threads REQUIRED)
find_package(spdlog CONFIG REQUIRED)
find_package(prometheus-cpp CONFIG REQUIRED)
if(CLUSTER_CLIENT_BUILD_APPS OR CLUSTER_CLIENT_BUILD_TESTS)
  find_package(CLI11 CONFIG REQUIRED)
  find_package(tomlplusplus CONFIG REQUIRED)
endif()
if(CLUSTER_CLIENT_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()

# Asio and Beast are header-only and slow to compile; these settings are shared by every
# target that includes them.
add_library(cluster_client_asio INTERFACE)
target_link_libraries(cluster_client_asio INTERFACE Boost::headers Boost::system Threads::Threads)
target_compile_definitions(cluster_client_asio INTERFACE BOOST_ASIO_NO_DEPRECATED)
