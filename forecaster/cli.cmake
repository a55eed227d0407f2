# SPDX-License-Identifier: GPL-2.0-or-later
# The `ebb` command line tool: one dispatcher, one file per subcommand. The subcommands
# of the other parts come from their libraries: forecast, plan, queue and why
# (ebbcommands), replay (ebbreplay), report (ebbledger); check-config reads the file with
# ebbd's and the providers' own checks (ebbdaemon).
add_executable(ebb cli/main.cpp cli/demo_forecast.cpp cli/check_config.cpp)
target_link_libraries(ebb PRIVATE ebbcore ebbcommands ebbreplay ebbledger ebbdaemon)
target_link_libraries(ebb PRIVATE CLI11::CLI11)
target_compile_definitions(ebb PRIVATE EBB_VERSION="${PROJECT_VERSION}")
install(TARGETS ebb RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
