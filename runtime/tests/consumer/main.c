/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "ds_runtime.h"

int main(void) {
    ds_backend *backend = NULL;
    if (ds_cpu_backend_create(NULL, &backend) != DS_OK || strcmp(ds_backend_name(backend), "cpu") != 0) {
        fprintf(stderr, "consumer: could not create the CPU backend from the installed library\n");
        return 1;
    }
    ds_backend_destroy(backend);
    puts("consumer: ok");
    return 0;
}
