# Install layout (GNUInstallDirs) and the Debian package (cpack -G DEB;
# scripts/package.sh wraps configure, build and cpack). Included from the top
# CMakeLists.txt; the package expects CMAKE_INSTALL_PREFIX=/usr, so that the
# config lands in /etc/ttlink and the unit in /lib/systemd/system.
include(GNUInstallDirs)

set(_pkg ${CMAKE_SOURCE_DIR}/packaging)
set(_gen ${CMAKE_BINARY_DIR}/packaging)

# systemd's own directories, as Debian bookworm's systemd.pc names them; under
# another prefix they follow it, so that `cmake --install` never writes
# outside the prefix.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(TTLINK_UNITDIR /lib/systemd/system)
else()
  set(TTLINK_UNITDIR ${CMAKE_INSTALL_PREFIX}/lib/systemd/system)
endif()
set(TTLINK_SYSUSERSDIR ${CMAKE_INSTALL_PREFIX}/lib/sysusers.d)
set(TTLINK_TMPFILESDIR ${CMAKE_INSTALL_PREFIX}/lib/tmpfiles.d)
set(TTLINK_CONFDIR ${CMAKE_INSTALL_FULL_SYSCONFDIR}/ttlink)

install(TARGETS ttlinkd RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
install(TARGETS ttlinkctl ttlink-sandbox RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The unit names the daemon's and the config's paths: rewrite them for this
# prefix (identical for /usr, the package's).
file(READ ${CMAKE_SOURCE_DIR}/systemd/ttlinkd.service _unit)
string(REPLACE "/usr/sbin/ttlinkd" "${CMAKE_INSTALL_FULL_SBINDIR}/ttlinkd" _unit "${_unit}")
string(REPLACE "/etc/ttlink/" "${TTLINK_CONFDIR}/" _unit "${_unit}")
file(CONFIGURE OUTPUT ${_gen}/ttlinkd.service CONTENT "${_unit}" @ONLY)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/systemd/ttlinkd.service)
install(FILES ${_gen}/ttlinkd.service DESTINATION ${TTLINK_UNITDIR})
install(FILES systemd/ttlink.sysusers DESTINATION ${TTLINK_SYSUSERSDIR} RENAME ttlink.conf)
install(FILES systemd/ttlink.tmpfiles DESTINATION ${TTLINK_TMPFILESDIR} RENAME ttlink.conf)
# The commented default config (a conffile in the package: upgrades keep the admin's edits).
install(FILES config/ttlinkd.toml DESTINATION ${TTLINK_CONFDIR})

# Man pages are plain roff (no generator needed), installed gzipped as Debian wants.
set(_man_pages ttlinkd.8 ttlinkd.toml.5 ttlinkctl.1 ttlink-sandbox.1)
set(_man_outputs)
foreach(page ${_man_pages})
  string(REGEX MATCH "[0-9]$" section ${page})
  add_custom_command(OUTPUT ${_gen}/man/${page}.gz
    COMMAND ${CMAKE_COMMAND} -E make_directory ${_gen}/man
    COMMAND gzip -9nc ${CMAKE_SOURCE_DIR}/man/${page} > ${_gen}/man/${page}.gz
    DEPENDS ${CMAKE_SOURCE_DIR}/man/${page} VERBATIM)
  install(FILES ${_gen}/man/${page}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
  list(APPEND _man_outputs ${_gen}/man/${page}.gz)
endforeach()
add_custom_target(ttlink-man ALL DEPENDS ${_man_outputs})

install(FILES completion/ttlinkctl.bash DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME ttlinkctl)
install(FILES completion/_ttlinkctl DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)

# Debian's documentation files: a native package's changelog, the copyright.
add_custom_command(OUTPUT ${_gen}/changelog.gz
  COMMAND gzip -9nc ${_pkg}/changelog > ${_gen}/changelog.gz
  DEPENDS ${_pkg}/changelog VERBATIM)
add_custom_target(ttlink-changelog ALL DEPENDS ${_gen}/changelog.gz)
install(FILES ${_gen}/changelog.gz ${_pkg}/copyright
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/ttlink)
install(FILES contrib/grafana/ttlink.json contrib/prometheus/ttlink-rules.yml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/ttlink/contrib)

# --- cpack -G DEB ---------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ttlink)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "the ttlink authors")
set(CPACK_PACKAGE_CONTACT "ttlink maintainers <ttlink@example.org>" CACHE STRING
    "Maintainer field of the Debian package")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# The install rules use absolute paths (/etc, /lib/systemd): stage through DESTDIR.
set(CPACK_SET_DESTDIR ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# (CPack indents the extended lines itself.)
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
"keeps TikTok Business Accounts linked to TikTok Ads Manager healthy
ttlinkd links TikTok Business Accounts to Ads Manager accounts for Spark Ads,
refreshes their tokens, checks every prerequisite of the link, syncs Spark
Ads posts and comments, and alerts (webhook, Alertmanager, Slack, a program)
when a person must act. ttlinkctl drives it over a Unix socket;
ttlink-sandbox simulates the TikTok API for Business for tests and demos.")
# Library dependencies come from dpkg-shlibdeps; systemd provides
# systemd-sysusers and systemd-tmpfiles for the maintainer scripts.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${_pkg}/debian/conffiles ${_pkg}/debian/postinst ${_pkg}/debian/prerm ${_pkg}/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# A Debian package installs under /usr and /etc, never /usr/local: cpack in
# a build configured for another prefix (the default /usr/local) refuses,
# naming the fix, instead of making a package with /usr/local/etc/ttlink.
set(CPACK_TTLINK_PACKAGE_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_PROJECT_CONFIG_FILE ${CMAKE_CURRENT_LIST_DIR}/cpack_prefix_check.cmake)
include(CPack)
