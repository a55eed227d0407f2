// SPDX-License-Identifier: GPL-2.0-or-later
// The `ebb` subcommands defined in this folder, and `ebb report` and `ebb history`, whose
// library (ebbledger, forecaster/ledger/) has no header of its own for them. The
// others are declared by their libraries: client/subcommands.hpp, ebb/replay.hpp.
#pragma once

namespace ebb {

int check_config_main(int argc, char** argv);   // check_config.cpp
int demo_forecast_main(int argc, char** argv);  // demo_forecast.cpp
int report_main(int argc, char** argv);         // ledger/report_command.cpp
int history_main(int argc, char** argv);        // ledger/history_command.cpp

}  // namespace ebb
