# SPDX-License-Identifier: MIT
# The Python package (python/): the library's core as the extension module
# cluster_client._core, with pybind11. On by default when the project is built on its own
# and the Python 3 development files and pybind11 are present.

# The distribution's Python, where its packages (pytest, httpx) are, unless one is named.
if(NOT DEFINED Python3_EXECUTABLE AND EXISTS /usr/bin/python3)
  set(Python3_EXECUTABLE /usr/bin/python3 CACHE FILEPATH "The Python the package is built for")
endif()

set(cluster_client_python_default OFF)
if(CLUSTER_CLIENT_TOP_LEVEL)
  find_package(Python3 3.9 QUIET COMPONENTS Interpreter Development.Module)
  find_package(pybind11 2.6 CONFIG QUIET)
  if(Python3_FOUND AND pybind11_FOUND)
    set(cluster_client_python_default ON)
  endif()
endif()
option(CLUSTER_CLIENT_BUILD_PYTHON "Build the Python package (needs pybind11 and Python 3.9+ headers)"
       ${cluster_client_python_default})

if(CLUSTER_CLIENT_BUILD_PYTHON)
  find_package(Python3 3.9 REQUIRED COMPONENTS Interpreter Development.Module)
  find_package(pybind11 2.6 CONFIG REQUIRED)
  # The extension links the static libraries, so every object must be position independent;
  # one flag for every target keeps the shared precompiled header valid for all of them.
  # Without semantic interposition, calls inside the library are still inlined.
  add_compile_options(-fPIC -fno-semantic-interposition)

  # Where `cmake --install` puts the package, under the prefix it installs to: Debian's
  # Python looks in lib/python3/dist-packages under /usr (where a .deb installs) and in
  # lib/python3.X/dist-packages under /usr/local; another Python in lib/python3.X/site-packages.
  execute_process(
    COMMAND ${Python3_EXECUTABLE} -c "import sys, sysconfig
debian = 'dist-packages' in sysconfig.get_path('platlib')
print('%s;lib/python%d.%d/%s' % ('ON' if debian else 'OFF', sys.version_info[0], sys.version_info[1], 'dist-packages' if debian else 'site-packages'))"
    OUTPUT_VARIABLE cluster_client_python_layout OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
  list(GET cluster_client_python_layout 0 CLUSTER_CLIENT_PYTHON_DEBIAN)
  list(GET cluster_client_python_layout 1 CLUSTER_CLIENT_PYTHON_DIR)
endif()
