# SPDX-License-Identifier: GPL-2.0-or-later
# ebbd, the forecaster daemon, and ebbclient, the small HTTP client that the plugin and
# the `ebb forecast` / `ebb plan` commands use to ask it. Included from
# forecaster/CMakeLists.txt.

# ebbclient: raw-socket HTTP with one total deadline, and the JSON wire format. Linked
# into spank_ebb.so, so it stays small: no cpp-httplib, no CLI11.
add_library(ebbclient STATIC
  client/http_request.cpp
  client/protocol.cpp
  client/daemon_client.cpp
  client/daemon_auth.cpp
)
target_include_directories(ebbclient PUBLIC ${PROJECT_SOURCE_DIR}/include)
target_link_libraries(ebbclient PUBLIC nlohmann_json::nlohmann_json)
# MUNGE signs and checks ebbd's answers, SHA-256 (libcrypto) binds them to the request
# (daemon_auth.hpp); both are shared libraries, so spank_ebb.so exports none of it.
if(NOT TARGET PkgConfig::EBB_MUNGE)
  pkg_check_modules(EBB_MUNGE REQUIRED IMPORTED_TARGET GLOBAL munge libcrypto)
endif()
target_link_libraries(ebbclient PUBLIC ebbcore simdjson::simdjson PkgConfig::EBB_MUNGE)

# ebbcommands: the `ebb forecast`, `ebb plan`, `ebb queue` and `ebb why` subcommands
# (ebb::forecast_main, ...), which cli.cmake links into the `ebb` tool. `ebb why` runs
# squeue with ebbd's own command runner (daemon/cluster_view.hpp), hence ebbdaemon.
add_library(ebbcommands STATIC
  client/command_common.cpp
  client/terminal_chart.cpp
  client/forecast_command.cpp
  client/plan_command.cpp
  client/job_explanation.cpp
  client/why_command.cpp
  client/queue_view.cpp
  client/queue_command.cpp
)
# subcommands.hpp: the entry points the `ebb` tool and the tests call.
target_include_directories(ebbcommands PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/client)
target_link_libraries(ebbcommands PUBLIC ebbclient ebbdaemon PRIVATE CLI11::CLI11)

# Debian's cpp-httplib is a compiled library; its pkg-config file carries the feature
# macros (OpenSSL, zlib, brotli) that the header must see to match it.
if(NOT TARGET PkgConfig::EBB_HTTPLIB)
  pkg_check_modules(EBB_HTTPLIB REQUIRED IMPORTED_TARGET GLOBAL cpp-httplib)
endif()

add_library(ebbdaemon STATIC
  daemon/settings.cpp
  daemon/log.cpp
  daemon/history.cpp
  daemon/cache.cpp
  daemon/metrics.cpp
  daemon/region.cpp
  daemon/refresher.cpp
  daemon/http_guard.cpp
  daemon/server.cpp
  daemon/unix_socket.cpp
  daemon/cluster_view.cpp
  daemon/cluster_state.cpp
  daemon/replanner.cpp
  daemon/runtime_learner.cpp
  daemon/power_history.cpp
)
target_include_directories(ebbdaemon PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/daemon
                                            ${HTTPLIB_INCLUDE_DIR})
# ebbgridsources (the provider adapters) is defined in gridsources/, added after this folder.
target_link_libraries(ebbdaemon PUBLIC ebbclient ebbcore ebbgridsources PkgConfig::EBB_HTTPLIB
                                       Threads::Threads)

add_executable(ebbd daemon/main.cpp)
target_link_libraries(ebbd PRIVATE CLI11::CLI11)
target_compile_definitions(ebbd PRIVATE EBB_VERSION="${PROJECT_VERSION}")
# ebbledger: the savings counters and budget use (ledger/savings_tracker.hpp).
target_link_libraries(ebbd PRIVATE ebbdaemon ebbledger)

install(TARGETS ebbd RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/contrib/systemd/ebbd.service
        DESTINATION lib/systemd/system)

