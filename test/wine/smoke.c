/* SPDX-License-Identifier: MIT */
#include "common.h"
int main(void)
{
    WCHAR path[MAX_PATH];
    IDStorageFactory *factory = get_factory();
    IDStorageFile *file;
    IDStorageQueue3 *queue;
    IDStorageStatusArray *status;
    static BYTE dst[4096];
    DSTORAGE_REQUEST r;

    make_pattern_file(path, L"ds_smoke.bin", 65536);
    REQUIRE_HR(IDStorageFactory_OpenFile(factory, path, &IID_IDStorageFile, (void **)&file),
               "OpenFile");
    REQUIRE_HR(IDStorageFactory_CreateStatusArray(factory, 4, "s", &IID_IDStorageStatusArray,
                                                  (void **)&status),
               "CreateStatusArray");
    queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_FILE, 128, DSTORAGE_PRIORITY_NORMAL, NULL,
                         "smoke");
    r = file_request(file, 100, sizeof(dst), dst, "smoke");
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueStatus(queue, status, 0);
    submit_and_wait(queue, "smoke");
    CHECK_HR(S_OK, IDStorageStatusArray_GetHResult(status, 0), "status");
    check_pattern(dst, 100, sizeof(dst), "smoke data");
    IDStorageQueue3_Release(queue);
    IDStorageFile_Release(file);
    IDStorageStatusArray_Release(status);
    IDStorageFactory_Release(factory);
    return finish("smoke");
}
