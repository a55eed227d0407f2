// SPDX-License-Identifier: GPL-2.0-or-later
// The `ebb` subcommands of library ebbcommands, which the `ebb` tool (cli/main.cpp) and
// the tests run. argv[0] is the subcommand's name ("ebb plan"); the return value is the
// exit status.
#pragma once

namespace ebb {

int forecast_main(int argc, char** argv);  // `ebb forecast`: a region's forecast from ebbd
int plan_main(int argc, char** argv);      // `ebb plan`: what ebb would decide for a job
int queue_main(int argc, char** argv);     // `ebb queue`: the queue as ebbd sees it
int why_main(int argc, char** argv);       // `ebb why`: why a pending job waits

}  // namespace ebb
