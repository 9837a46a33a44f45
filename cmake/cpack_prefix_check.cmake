# Run by cpack before it packages (CPACK_PROJECT_CONFIG_FILE): the Debian
# package is only made from a build configured for /usr.
if(CPACK_GENERATOR STREQUAL "DEB" AND NOT CPACK_TTLINK_PACKAGE_PREFIX STREQUAL "/usr")
  message(FATAL_ERROR
    "ttlink: this build is configured for CMAKE_INSTALL_PREFIX=${CPACK_TTLINK_PACKAGE_PREFIX}; "
    "a Debian package installs under /usr (config in /etc/ttlink, the unit in "
    "/lib/systemd/system). Configure with -DCMAKE_INSTALL_PREFIX=/usr, or run "
    "scripts/package.sh, which does.")
endif()
