// SPDX-License-Identifier: GPL-2.0-or-later
// ebb-replay: the replay on its own, the same function `ebb replay` runs.
#include "ebb/replay.hpp"

int main(int argc, char** argv) { return ebb::replay_main(argc, argv); }
