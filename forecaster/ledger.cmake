# SPDX-License-Identifier: GPL-2.0-or-later
# The savings ledger: `ebb report` (ebb::report_main), which cli.cmake links
# into the `ebb` tool. It reads ebbd's history (ebbdaemon) and shares ebb.conf handling
# with the other client commands (ebbcommands).
if(TARGET ebbdaemon AND TARGET ebbcommands)
  add_library(ebbledger STATIC
    ledger/ledger.cpp
    ledger/report.cpp
    ledger/svg_chart.cpp
    ledger/report_html.cpp
    ledger/report_command.cpp
    ledger/sacct_command.cpp
    ledger/history_command.cpp
    ledger/budget_use.cpp
    ledger/ledger_inputs.cpp
    ledger/savings_tracker.cpp
  )
  target_include_directories(ebbledger
    PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/ledger
    PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/client)
  target_link_libraries(ebbledger PUBLIC ebbcore ebbdaemon ebbcommands simdjson::simdjson
                                  PRIVATE CLI11::CLI11 nlohmann_json::nlohmann_json)
endif()
