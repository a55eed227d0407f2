#include "ebb/version.hpp"

namespace ebb {

const char* version() { return EBB_VERSION; }

}  // namespace ebb
