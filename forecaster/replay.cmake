# SPDX-License-Identifier: GPL-2.0-or-later
# The replay: job traces against historical grid data through ebb's planner.
# Library ebbreplay (linked by the `ebb` CLI for `ebb replay`) and the standalone tool
# ebb-replay. Needs zlib (Debian: zlib1g-dev) for gzip-compressed traces and grid files.
find_package(ZLIB REQUIRED)
# LEMON (Debian: liblemon-dev): the network simplex behind the capacity bound (bound.cpp),
# used header-only (LEMON_ONLY_TEMPLATES), so nothing of liblemon.a (nor its GLPK) is linked.
find_package(LEMON REQUIRED CONFIG NAMES lemon LEMON)
set_source_files_properties(${CMAKE_CURRENT_SOURCE_DIR}/replay/bound.cpp
  PROPERTIES COMPILE_DEFINITIONS LEMON_ONLY_TEMPLATES)
add_library(ebbreplay STATIC
  ${CMAKE_CURRENT_SOURCE_DIR}/replay/io.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/replay/trace.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/replay/grid.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/replay/archive.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/replay/archive_correction.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/replay/forecast.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/replay/error_profile.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/replay/simulator.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/replay/deadline.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/replay/runtime.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/replay/bound.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/replay/engine.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/replay/sites.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/replay/report.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/replay/ledger_csv.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/replay/experiments.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/replay/reproduce.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/replay/main.cpp
)
target_include_directories(ebbreplay
  PUBLIC ${PROJECT_SOURCE_DIR}/include ${CMAKE_CURRENT_SOURCE_DIR}/replay)
target_include_directories(ebbreplay SYSTEM PRIVATE ${LEMON_INCLUDE_DIRS})
target_link_libraries(ebbreplay PUBLIC ebbcore ZLIB::ZLIB simdjson::simdjson Threads::Threads
                                PRIVATE CLI11::CLI11 nlohmann_json::nlohmann_json)

add_executable(ebb-replay ${CMAKE_CURRENT_SOURCE_DIR}/replay/tool.cpp)
target_link_libraries(ebb-replay PRIVATE ebbreplay)
# `ebb replay` is wired by cli.cmake, which forecaster/CMakeLists.txt includes last.
