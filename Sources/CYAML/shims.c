// No shims: SwiftPM needs one C source in the target, and libyaml's API imports into Swift as it is.
#include "cyaml.h"
