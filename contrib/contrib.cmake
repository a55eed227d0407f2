# SPDX-License-Identifier: GPL-2.0-or-later
# Installs the SPANK plugin and the files an admin needs next to it. On Debian:
#   cmake -S . -B build -DCMAKE_INSTALL_PREFIX=/usr && cmake --build build --target spank_ebb
#   cmake --install build
# puts spank_ebb.so and the planner it loads, libebb-spank-core.so, side by side in
# /usr/lib/x86_64-linux-gnu/slurm-wlm (where Debian's Slurm looks)
# and the plugstack snippet in /etc/slurm/plugstack.conf.d.
include(GNUInstallDirs)

if(CMAKE_LIBRARY_ARCHITECTURE)
  set(_ebb_libdir "lib/${CMAKE_LIBRARY_ARCHITECTURE}")
else()
  set(_ebb_libdir "${CMAKE_INSTALL_LIBDIR}")
endif()
set(EBB_SLURM_PLUGIN_DIR "${_ebb_libdir}/slurm-wlm" CACHE STRING
    "Where spank_ebb.so goes, relative to the prefix (Debian's Slurm PluginDir)")
# GNUInstallDirs maps the /usr prefix's sysconfdir to /etc.
set(EBB_SLURM_SYSCONF_DIR "${CMAKE_INSTALL_FULL_SYSCONFDIR}/slurm" CACHE PATH
    "Where Slurm's config files live")

if(TARGET spank_ebb)
  # The front finds the core in its own directory, so both go to the same place.
  install(TARGETS spank_ebb ebb_spank_core LIBRARY DESTINATION ${EBB_SLURM_PLUGIN_DIR})
endif()
install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/plugstack.conf.d/ebb.conf
        DESTINATION ${EBB_SLURM_SYSCONF_DIR}/plugstack.conf.d)
# job_submit.lua is an example: a site may already have its own job_submit.lua to merge it into.
install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/job_submit.lua
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/ebb/examples)
# Manual pages: ebb(1), ebb.conf(5), ebbd(8), spank_ebb(8).
foreach(_ebb_page ebb.1 ebb.conf.5 ebbd.8 spank_ebb.8)
  string(REGEX REPLACE ".*\\.([0-9])$" "\\1" _ebb_section ${_ebb_page})
  install(FILES ${PROJECT_SOURCE_DIR}/doc/man/${_ebb_page}
          DESTINATION ${CMAKE_INSTALL_MANDIR}/man${_ebb_section})
endforeach()
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/ebb)
