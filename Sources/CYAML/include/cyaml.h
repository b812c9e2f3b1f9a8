#ifndef CYAML_H
#define CYAML_H
// libyaml (Debian's libyaml-dev) for the config composer and the manifest emitter. Its API has no
// macros or variadic functions that Swift cannot import, so this target holds no shims.
#include <yaml.h>
#endif
