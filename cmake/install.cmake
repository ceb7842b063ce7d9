# SPDX-License-Identifier: MIT
# `cmake --install`: the public headers, the library with its CMake package
# (find_package(cluster_client CONFIG) gives cluster_client::cluster_client) and a
# pkg-config file, and the programs. Two components, which CPack makes two .debs of:
#   programs  cluster-client, cluster-node, cluster-bench, their man pages and completions,
#             the Python package: runtime dependencies only (found by dpkg-shlibdeps);
#   library   with BUILD_SHARED_LIBS only, the shared library, in a package named after its
#             soname (libcluster-client0.1), as Debian's policy asks;
#   dev       the headers, the library, the CMake and pkg-config files: what a program that
#             uses the library builds against.
include(CMakePackageConfigHelpers)

set(CLUSTER_CLIENT_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/cluster_client)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/cluster_client DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev)
set_target_properties(cluster_client_asio PROPERTIES EXPORT_NAME asio)
install(TARGETS cluster_client cluster_client_asio ${CLUSTER_CLIENT_LAYERS}
        EXPORT cluster_client_targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT library NAMELINK_COMPONENT dev
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT cluster_client_targets
        NAMESPACE cluster_client::
        FILE cluster_clientTargets.cmake
        DESTINATION ${CLUSTER_CLIENT_CMAKE_DIR}
        COMPONENT dev)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/cluster_clientConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/cluster_clientConfig.cmake
                              INSTALL_DESTINATION ${CLUSTER_CLIENT_CMAKE_DIR})
# 0.x: a new minor version may change the API.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cluster_clientConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cluster_clientConfig.cmake ${PROJECT_BINARY_DIR}/cluster_clientConfigVersion.cmake
        DESTINATION ${CLUSTER_CLIENT_CMAKE_DIR} COMPONENT dev)

# Relative to the .pc file, so the tree works wherever it is installed (--prefix, a .deb).
file(RELATIVE_PATH CLUSTER_CLIENT_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
# A static library is linked with its layers and what they use; a shared one holds them.
if(BUILD_SHARED_LIBS)
  set(CLUSTER_CLIENT_PC_LIBS "-lcluster_client -lboost_json -lboost_url -lboost_system -lpthread")
else()
  set(CLUSTER_CLIENT_PC_LIBS
      "-lcluster_client -lcluster_client_log -lcluster_client_runner -lcluster_client_saga -lcluster_client_metrics -lcluster_client_retry -lcluster_client_node_api -lcluster_client_http -lcluster_client_logging -lboost_json -lboost_url -lboost_system -lpthread")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/cluster_client.pc.in ${PROJECT_BINARY_DIR}/cluster_client.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/cluster_client.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)

# Each package's documentation folder holds its copyright (the LICENSE) and the changelog,
# compressed as Debian's policy asks.
set(changelog ${PROJECT_BINARY_DIR}/changelog.gz)
add_custom_command(OUTPUT ${changelog}
                   COMMAND gzip -9 -n -c ${PROJECT_SOURCE_DIR}/CHANGELOG.md > ${changelog}
                   DEPENDS ${PROJECT_SOURCE_DIR}/CHANGELOG.md
                   COMMENT "Compressing the changelog")
add_custom_target(cluster_client_changelog ALL DEPENDS ${changelog})
set(CLUSTER_CLIENT_SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
set(cluster_client_packages programs cluster-client dev cluster-client-dev)
if(BUILD_SHARED_LIBS)
  list(APPEND cluster_client_packages library libcluster-client${CLUSTER_CLIENT_SOVERSION})
endif()
set(remaining ${cluster_client_packages})
while(remaining)
  list(POP_FRONT remaining component package)
  install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/${package} RENAME copyright
          COMPONENT ${component})
  install(FILES ${changelog} DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/${package} COMPONENT ${component})
endwhile()

if(CLUSTER_CLIENT_BUILD_APPS)
  install(TARGETS cluster-client cluster-node cluster-bench RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
          COMPONENT programs)
endif()

set(CPACK_PACKAGE_NAME cluster-client)
set(CPACK_PACKAGE_VENDOR "cluster-client")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL programs dev)
if(BUILD_SHARED_LIBS)
  list(APPEND CPACK_COMPONENTS_ALL library)
  set(library_package libcluster-client${CLUSTER_CLIENT_SOVERSION})
  set(CPACK_DEBIAN_LIBRARY_PACKAGE_NAME ${library_package})
  set(CPACK_DEBIAN_LIBRARY_PACKAGE_SECTION libs)
  set(CPACK_DEBIAN_LIBRARY_PACKAGE_SHLIBDEPS ON)
  # A shlibs file, and ldconfig run through a trigger when the package comes and goes.
  set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
  file(WRITE ${PROJECT_BINARY_DIR}/deb-library/triggers "activate-noawait ldconfig\n")
  set(CPACK_DEBIAN_LIBRARY_PACKAGE_CONTROL_EXTRA ${PROJECT_BINARY_DIR}/deb-library/triggers)
  set(CPACK_DEBIAN_LIBRARY_DESCRIPTION
      "The shared C++20 library cluster_client, which creates, verifies and deletes
a group on every node of a cluster, all or none, with sagas and a durable saga
log.")
  # The programs find it in the build tree; the packages that need it say so.
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${PROJECT_BINARY_DIR}/src)
  set(library_depends "${library_package} (= ${PROJECT_VERSION})")
  set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "${library_depends}")
endif()
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "cluster-client developers <maintainers@cluster-client.org>")
set(CPACK_DEBIAN_PROGRAMS_PACKAGE_NAME cluster-client)
set(CPACK_DEBIAN_PROGRAMS_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PROGRAMS_PACKAGE_SHLIBDEPS ON)
# Each package's description; its synopsis is the project's description.
set(CPACK_DEBIAN_PROGRAMS_DESCRIPTION
    "cluster-client keeps a group record consistent across the nodes of a cluster
whose HTTP API is unreliable, with sagas and a durable saga log: the group ends
on every node or on none. cluster-node is a reference node with fault
injection, cluster-bench measures both. Also the Python package cluster_client.")
if(CLUSTER_CLIENT_BUILD_PYTHON)
  # The extension module is built for one Python version.
  math(EXPR next_minor "${Python3_VERSION_MINOR} + 1")
  set(CPACK_DEBIAN_PROGRAMS_PACKAGE_DEPENDS
      "python3 (>= ${Python3_VERSION_MAJOR}.${Python3_VERSION_MINOR}), python3 (<< ${Python3_VERSION_MAJOR}.${next_minor})")
endif()
if(BUILD_SHARED_LIBS)
  list(APPEND CPACK_DEBIAN_PROGRAMS_PACKAGE_DEPENDS "${library_depends}")
  list(JOIN CPACK_DEBIAN_PROGRAMS_PACKAGE_DEPENDS ", " CPACK_DEBIAN_PROGRAMS_PACKAGE_DEPENDS)
endif()
set(CPACK_DEBIAN_DEV_PACKAGE_NAME cluster-client-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
# The headers and the static library need the development packages they were built against.
string(PREPEND CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
    "libboost1.81-dev, libboost-json1.81-dev, libboost-url1.81-dev, libboost-system1.81-dev, libssl-dev, libspdlog-dev, libsqlite3-dev, libpq-dev, prometheus-cpp-dev, ")
string(REGEX REPLACE ", $" "" CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "${CPACK_DEBIAN_DEV_PACKAGE_DEPENDS}")
set(CPACK_DEBIAN_DEV_DESCRIPTION
    "The development files of the C++20 library cluster_client, which creates,
verifies and deletes a group on every node of a cluster, all or none, with
sagas and a durable saga log: its headers, the library, and its CMake and
pkg-config files.")
include(CPack)
