#include "csystemd.h"

sd_bus_error csystemd_SD_BUS_ERROR_NULL(void) {
    return SD_BUS_ERROR_NULL;
}
