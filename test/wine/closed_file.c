/* SPDX-License-Identifier: MIT
 * Requests whose file is closed before they run, and file offsets no file can have.
 *
 * A request holds what it reads from until it completes: IDStorageFile::Close() while reads of it
 * are queued makes them fail with E_DSTORAGE_FILE_NOT_OPEN (status array and error record, the
 * closed file's name in it); they never read the file opened next, which the kernel may give the
 * same descriptor number. Offsets at or past 2^63 end past the end of the file:
 * E_DSTORAGE_END_OF_FILE, as for any read past the end. */
#include "common.h"

#define READS 100
#define READ_SIZE 4096
#define UNTOUCHED 0xEE
#define OTHER_BYTE 0xB5

static IDStorageFactory *factory;
static BYTE buffers[READS][READ_SIZE];

static void make_constant_file(WCHAR *path, const WCHAR *name, BYTE value, DWORD size)
{
    BYTE *data = malloc(size);
    DWORD written;
    HANDLE file;

    memset(data, value, size);
    GetTempPathW(MAX_PATH, path);
    lstrcatW(path, name);
    file = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (file == INVALID_HANDLE_VALUE)
    {
        printf("FAIL: cannot create %ls, error %lu\n", path, GetLastError());
        exit(1);
    }
    WriteFile(file, data, size, &written, NULL);
    CloseHandle(file);
    free(data);
}

static void test_close_before_submit(void)
{
    WCHAR path_a[MAX_PATH], path_b[MAX_PATH];
    IDStorageFile *a, *b;
    IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_FILE, 256,
                                          DSTORAGE_PRIORITY_NORMAL, NULL, "closed");
    IDStorageStatusArray *status;
    DSTORAGE_ERROR_RECORD record;
    DSTORAGE_REQUEST r;
    unsigned int i, other = 0, untouched = 0;

    make_pattern_file(path_a, L"ds_closed_a.bin", READS * READ_SIZE);
    make_constant_file(path_b, L"ds_closed_b.bin", OTHER_BYTE, READS * READ_SIZE);
    REQUIRE_HR(IDStorageFactory_CreateStatusArray(factory, 1, "closed", &IID_IDStorageStatusArray,
                                                  (void **)&status),
               "CreateStatusArray");
    REQUIRE_HR(IDStorageFactory_OpenFile(factory, path_a, &IID_IDStorageFile, (void **)&a),
               "OpenFile(a)");
    memset(buffers, UNTOUCHED, sizeof(buffers));
    for (i = 0; i < READS; ++i)
    {
        r = file_request(a, (UINT64)i * READ_SIZE, READ_SIZE, buffers[i], "read of a closed file");
        IDStorageQueue3_EnqueueRequest(queue, &r);
    }
    IDStorageQueue3_EnqueueStatus(queue, status, 0);
    /* Close a, then open b: the kernel hands out the lowest free descriptor number. */
    IDStorageFile_Close(a);
    REQUIRE_HR(IDStorageFactory_OpenFile(factory, path_b, &IID_IDStorageFile, (void **)&b),
               "OpenFile(b)");
    submit_and_wait(queue, "reads of a closed file");

    for (i = 0; i < READS; ++i)
    {
        if (buffers[i][0] == OTHER_BYTE && buffers[i][READ_SIZE - 1] == OTHER_BYTE) ++other;
        if (buffers[i][0] == UNTOUCHED && buffers[i][READ_SIZE - 1] == UNTOUCHED) ++untouched;
    }
    CHECK_EQ(0, other, "reads of a closed file that returned the next file's bytes");
    CHECK_EQ(READS, untouched, "reads of a closed file whose destination was left untouched");
    CHECK_HR(E_DSTORAGE_FILE_NOT_OPEN, IDStorageStatusArray_GetHResult(status, 0),
             "status after reads of a closed file");
    IDStorageQueue3_RetrieveErrorRecord(queue, &record);
    CHECK_EQ(READS, record.FailureCount, "reads of a closed file: FailureCount");
    CHECK_HR(E_DSTORAGE_FILE_NOT_OPEN, record.FirstFailure.HResult,
             "reads of a closed file: FirstFailure.HResult");
    CHECK_EQ(DSTORAGE_COMMAND_TYPE_REQUEST, record.FirstFailure.CommandType,
             "reads of a closed file: CommandType");
    CHECK(!lstrcmpW(record.FirstFailure.Request.Filename, path_a),
          "reads of a closed file: Filename: expected %ls, got %ls", path_a,
          record.FirstFailure.Request.Filename);

    /* A request enqueued after Close fails the same way; the file opened next reads its own bytes.
     */
    memset(buffers, UNTOUCHED, sizeof(buffers));
    r = file_request(a, 0, READ_SIZE, buffers[0], "enqueued after Close");
    IDStorageQueue3_EnqueueRequest(queue, &r);
    r = file_request(b, 0, READ_SIZE, buffers[1], "the next file");
    IDStorageQueue3_EnqueueRequest(queue, &r);
    IDStorageQueue3_EnqueueStatus(queue, status, 0);
    submit_and_wait(queue, "after Close");
    CHECK_HR(E_DSTORAGE_FILE_NOT_OPEN, IDStorageStatusArray_GetHResult(status, 0),
             "status of a request enqueued after Close");
    CHECK(buffers[0][0] == UNTOUCHED,
          "request enqueued after Close: destination: expected untouched (%#x), got %#x", UNTOUCHED,
          buffers[0][0]);
    CHECK(buffers[1][0] == OTHER_BYTE && buffers[1][READ_SIZE - 1] == OTHER_BYTE,
          "the next file: expected its bytes (%#x), got %#x", OTHER_BYTE, buffers[1][0]);
    IDStorageQueue3_RetrieveErrorRecord(queue, &record);
    CHECK_EQ(1, record.FailureCount, "after Close: FailureCount");

    IDStorageFile_Release(a);
    IDStorageFile_Release(b);
    IDStorageStatusArray_Release(status);
    IDStorageQueue3_Release(queue);
    DeleteFileW(path_a);
    DeleteFileW(path_b);
}

static void test_offsets_past_2_63(void)
{
    static const struct
    {
        UINT64 offset;
        UINT32 size;
        const char *what;
    } cases[] = {
        {1ull << 63, 16, "offset 2^63"},
        {~0ull, 1, "offset 2^64 - 1"},
        {~0ull - 15, 32, "offset + size wrapping around 2^64"},
        {(1ull << 63) - 1, 2, "the second byte at 2^63"},
        {1ull << 40, 16, "offset 2^40 (past this file's end)"},
    };
    IDStorageQueue3 *queue = create_queue(factory, DSTORAGE_REQUEST_SOURCE_FILE, 128,
                                          DSTORAGE_PRIORITY_NORMAL, NULL, "offsets");
    IDStorageStatusArray *status;
    DSTORAGE_ERROR_RECORD record;
    WCHAR path[MAX_PATH];
    IDStorageFile *file;
    DSTORAGE_REQUEST r;
    unsigned int i;

    make_pattern_file(path, L"ds_offsets.bin", 65536);
    REQUIRE_HR(IDStorageFactory_OpenFile(factory, path, &IID_IDStorageFile, (void **)&file),
               "OpenFile");
    REQUIRE_HR(IDStorageFactory_CreateStatusArray(factory, 1, "offsets", &IID_IDStorageStatusArray,
                                                  (void **)&status),
               "CreateStatusArray");
    for (i = 0; i < ARRAY_SIZE(cases); ++i)
    {
        memset(buffers[0], UNTOUCHED, READ_SIZE);
        r = file_request(file, cases[i].offset, cases[i].size, buffers[0], cases[i].what);
        IDStorageQueue3_EnqueueRequest(queue, &r);
        IDStorageQueue3_EnqueueStatus(queue, status, 0);
        submit_and_wait(queue, cases[i].what);
        CHECK_HR(E_DSTORAGE_END_OF_FILE, IDStorageStatusArray_GetHResult(status, 0), cases[i].what);
        IDStorageQueue3_RetrieveErrorRecord(queue, &record);
        CHECK_EQ(1, record.FailureCount, cases[i].what);
        CHECK_HR(E_DSTORAGE_END_OF_FILE, record.FirstFailure.HResult, cases[i].what);
        CHECK(buffers[0][0] == UNTOUCHED, "%s: destination: expected untouched, got %#x",
              cases[i].what, buffers[0][0]);
    }
    IDStorageStatusArray_Release(status);
    IDStorageFile_Release(file);
    IDStorageQueue3_Release(queue);
    DeleteFileW(path);
}

int main(void)
{
    factory = get_factory();
    test_close_before_submit();
    test_offsets_past_2_63();
    IDStorageFactory_Release(factory);
    return finish("closed_file");
}
