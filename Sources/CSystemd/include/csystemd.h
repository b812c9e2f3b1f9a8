#ifndef CSYSTEMD_H
#define CSYSTEMD_H
// Forwarding shims over libsystemd (sd-bus, sd-journal). No logic lives here:
// each function exists because Swift cannot import the variadic or macro form.
#include <systemd/sd-bus.h>
#include <systemd/sd-journal.h>
#endif
