# SPDX-License-Identifier: MIT
# Where `cmake --install` and the .deb put things (GNUInstallDirs). On Debian, the library
# goes to the multiarch directory (lib/x86_64-linux-gnu) under any prefix, as Debian's
# policy asks under /usr and as its linker, pkg-config and CMake also search under
# /usr/local. Included before anything else reads CMAKE_INSTALL_LIBDIR.
if(CMAKE_LIBRARY_ARCHITECTURE AND NOT CMAKE_INSTALL_LIBDIR)
  set(CMAKE_INSTALL_LIBDIR lib/${CMAKE_LIBRARY_ARCHITECTURE} CACHE PATH "Object code libraries")
endif()
include(GNUInstallDirs)
