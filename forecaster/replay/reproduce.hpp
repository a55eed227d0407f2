// SPDX-License-Identifier: GPL-2.0-or-later
// `ebb replay reproduce [which] [--data DIR]`: the reproductions, ours beside published.
#pragma once

namespace ebb::replay {

int reproduce_main(int argc, char** argv);

}  // namespace ebb::replay
