/* SPDX-License-Identifier: MIT
 * Stands in for Wine's dstorage.so: a C shared object built on libds_runtime_static.a. */
#include "ds_runtime.h"

const char *unixlib_link_check_status_name(int status) { return ds_status_name((ds_status)status); }
