#ifndef CSYSTEMD_H
#define CSYSTEMD_H
// Forwarding shims over libsystemd (sd-bus, sd-journal). No logic lives here:
// each function exists because Swift cannot import the variadic or macro form.
// Method calls are built with the non-variadic sd_bus_message_new_method_call +
// sd_bus_message_append_basic/append_strv and read back with read_basic /
// read_strv / enter_container, so no variadic shim is needed for them.
#include <systemd/sd-bus.h>
#include <systemd/sd-journal.h>

// SD_BUS_ERROR_NULL is a macro (compound literal); Swift cannot import it.
sd_bus_error csystemd_SD_BUS_ERROR_NULL(void);

#endif
