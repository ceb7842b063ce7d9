# SPDX-License-Identifier: MIT
# Man pages generated at build time from each program's --help with help2man, and installed in
# ${CMAKE_INSTALL_MANDIR}/man<section>, compressed. Without help2man (Debian package help2man), or when the
# programs cannot run on the build machine (cross-compiling), no man page is made.
include_guard(GLOBAL)
include(GNUInstallDirs)

find_program(HELP2MAN_EXECUTABLE help2man DOC "help2man, which makes the man pages from --help")

# cluster_client_man_page(TARGET SECTION DESCRIPTION HELP_OPTION [INCLUDE FILE])
#   Makes ${CMAKE_CURRENT_BINARY_DIR}/TARGET.SECTION from `TARGET --help` (target TARGET-man,
#   part of ALL) and installs it. DESCRIPTION is the one line of the page's NAME section.
#   The programs have no --version: the version is the project's (--version-string), so
#   help2man runs only HELP_OPTION (--help-all for programs with commands, so every
#   command's options are in the page). INCLUDE adds the sections of a help2man include
#   file (EXIT STATUS, ENVIRONMENT, FILES, EXAMPLES), which --help cannot carry as such.
function(cluster_client_man_page TARGET SECTION DESCRIPTION HELP_OPTION)
  cmake_parse_arguments(PARSE_ARGV 4 PAGE "" "INCLUDE" "")
  if(NOT TARGET ${TARGET})
    message(FATAL_ERROR "cluster_client_man_page: no target named '${TARGET}'")
  endif()
  if(NOT HELP2MAN_EXECUTABLE OR CMAKE_CROSSCOMPILING)
    get_property(told GLOBAL PROPERTY CLUSTER_CLIENT_MAN_PAGES_SKIPPED)
    if(NOT told)
      if(NOT HELP2MAN_EXECUTABLE)
        message(STATUS "help2man not found: the man pages are not built (install help2man to get them)")
      else()
        message(STATUS "Cross-compiling: the man pages are not built (the programs cannot run here)")
      endif()
      set_property(GLOBAL PROPERTY CLUSTER_CLIENT_MAN_PAGES_SKIPPED TRUE)
    endif()
    return()
  endif()

  set(page ${CMAKE_CURRENT_BINARY_DIR}/${TARGET}.${SECTION})
  set(include_option)
  if(PAGE_INCLUDE)
    set(include_option --include=${PAGE_INCLUDE})
  endif()
  add_custom_command(
    OUTPUT ${page}
    COMMAND ${HELP2MAN_EXECUTABLE} --no-info --section=${SECTION} --name=${DESCRIPTION}
            --help-option=${HELP_OPTION} --version-string=${PROJECT_VERSION} --output=${page} ${include_option}
            $<TARGET_FILE:${TARGET}>
    DEPENDS ${TARGET} ${PAGE_INCLUDE}
    COMMENT "Generating the man page ${TARGET}.${SECTION}"
    VERBATIM)
  # Installed compressed, as Debian's policy asks; man reads it as it is.
  add_custom_command(
    OUTPUT ${page}.gz
    COMMAND gzip -9 -n -c ${page} > ${page}.gz
    DEPENDS ${page}
    VERBATIM)
  add_custom_target(${TARGET}-man ALL DEPENDS ${page} ${page}.gz)
  install(FILES ${page}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man${SECTION} COMPONENT programs)
endfunction()
