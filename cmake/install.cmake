# SPDX-License-Identifier: MIT
# `cmake --install`: the public headers, the library with its CMake package
# (find_package(cluster_client CONFIG) gives cluster_client::cluster_client) and a
# pkg-config file, and the programs; CPack turns the same tree into a .deb.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(CLUSTER_CLIENT_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/cluster_client)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/cluster_client DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
set_target_properties(cluster_client_asio PROPERTIES EXPORT_NAME asio)
install(TARGETS cluster_client cluster_client_asio ${CLUSTER_CLIENT_LAYERS}
        EXPORT cluster_client_targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT cluster_client_targets
        NAMESPACE cluster_client::
        FILE cluster_clientTargets.cmake
        DESTINATION ${CLUSTER_CLIENT_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/cluster_clientConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/cluster_clientConfig.cmake
                              INSTALL_DESTINATION ${CLUSTER_CLIENT_CMAKE_DIR})
# 0.x: a new minor version may change the API.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cluster_clientConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cluster_clientConfig.cmake ${PROJECT_BINARY_DIR}/cluster_clientConfigVersion.cmake
        DESTINATION ${CLUSTER_CLIENT_CMAKE_DIR})

# Relative to the .pc file, so the tree works wherever it is installed (--prefix, a .deb).
file(RELATIVE_PATH CLUSTER_CLIENT_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
configure_file(${PROJECT_SOURCE_DIR}/cmake/cluster_client.pc.in ${PROJECT_BINARY_DIR}/cluster_client.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/cluster_client.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE ${PROJECT_SOURCE_DIR}/CHANGELOG.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

if(CLUSTER_CLIENT_BUILD_APPS)
  install(TARGETS cluster-client cluster-node cluster-bench RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

set(CPACK_PACKAGE_NAME cluster-client)
set(CPACK_PACKAGE_VENDOR "cluster-client")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "cluster-client developers <cluster-client@localhost>")
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# The programs' shared libraries are found by dpkg-shlibdeps; the headers and the static
# library need the development packages they were built against.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libboost1.81-dev, libboost-json1.81-dev, libboost-url1.81-dev, libboost-system1.81-dev, libssl-dev, libspdlog-dev, libsqlite3-dev")
include(CPack)
