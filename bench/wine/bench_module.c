/* SPDX-License-Identifier: MIT
 * The Wine module's own benchmark: a Windows program, run under Wine with the module loaded builtin
 * (`ds-kit bench --wine`, scripts/bench/wine.ts). For 64 KiB, 1 MiB and 16 MiB requests it measures
 *   dstorage  file -> memory, file -> default-heap buffer, plain and GDeflate;
 *   baseline  ReadFile -> memory, and ReadFile -> mapped UPLOAD heap -> CopyBufferRegion into a
 *             default-heap buffer (two halves of a ring, each executed and waited for in turn),
 * all in one process, page-cached file (each row reads its file once before timing). Each row
 * prints GB/s (bytes delivered to the destination, decoded bytes for GDeflate) and CPU-seconds per
 * GB from GetProcessTimes (under Wine that is times() of the whole Unix process: the runtime's own
 * worker threads, which are not Wine threads, are counted; checked with GDeflate rows, whose
 * decoding runs only on those workers). Every destination byte is checked afterwards (GPU
 * buffers through a READBACK copy); a wrong byte fails the program (exit 1).
 *
 * Usage: bench_module.exe [--quick] [--dir DIR] [--mib N] [--reps N] [--staging MIB] [--only plain|gdeflate]
 *                         [--size KIB] [--dest buffer] [--format gdeflate|zstd]
 *                         [--data texture|mixed] [--threads] [--submit-threads N] [--scatter]
 *   --quick   16 MiB per row, one repetition (the CI smoke test)
 *   --mib N   bytes per row (default 1024 MiB), --reps N best of N (default 3)
 *   --staging IDStorageFactory::SetStagingBufferSize in MiB (default: the module's, 32 MiB)
 *   --only    only the plain rows (with the baselines) or only the compressed rows
 *   --size    only the rows of one request size: 64, 1024 or 16384 (KiB)
 *   --dest    buffer: only the dstorage -> GPU buffer rows (no baselines, no memory rows)
 *   --format  what the compressed rows use: GDeflate (default) or Zstandard (DirectStorage 1.4)
 *   --data    texture (default: every byte a literal) or mixed (npm run bench's GDeflate data)
 *   --threads after each measurement, its CPU seconds by Linux thread name (/proc through Z:)
 *   --submit-threads  DSTORAGE_CONFIGURATION.NumSubmitThreads (the runtime's reader threads;
 *             default 0: one per CPU), set with DStorageSetConfiguration before the factory
 *   --scatter GPU buffer rows: request i goes to an odd-stride permutation of the slots instead of
 *             slot i, so neighbouring requests do not merge into one copy region
 * GDeflate rows decode the same few compressed chunks over and over (64 MiB of unique data, encoded
 * per request size with the module's own codec), so that setting up costs seconds, not minutes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define COBJMACROS
#define INITGUID
#include <windows.h>
#include <initguid.h>
#include <d3d12.h>
#include "dstorage.h"

static ID3D12Device *device;
static IDStorageFactory *factory;
static int failures;

static UINT64 row_bytes = 1024ull << 20, unique_bytes = 64ull << 20;
static int reps = 3;
static WCHAR dir[MAX_PATH] = L".";
static UINT32 staging_mib;
static UINT32 submit_threads;
static BOOL scatter; /* --scatter: request i lands at slot slot_of(i) of the destination buffer */

/* The destination slot of request i of count: i itself, or with --scatter an odd-stride
 * permutation, so that requests neighbouring in the file are not neighbours in the buffer (a game
 * loads into many resources; neighbouring copies would merge into one large region). */
static UINT64 slot_of(UINT64 i, UINT64 count)
{
    static UINT64 stride_count, stride;
    UINT64 a, b, t;

    if (!scatter || count < 2) return i;
    if (stride_count != count) /* the first odd stride from 40503 coprime with count: a bijection */
    {
        for (stride = 40503;; stride += 2)
        {
            for (a = stride, b = count; b; t = a % b, a = b, b = t) {}
            if (a == 1) break;
        }
        stride_count = count;
    }
    return i * stride % count;
}
static int only_plain, only_gdeflate;
static UINT32 only_size; /* --size KIB: only the rows of that request size */
static int only_buffer;   /* --dest buffer: only the dstorage -> GPU buffer rows */
static DSTORAGE_COMPRESSION_FORMAT packed_format = DSTORAGE_COMPRESSION_FORMAT_GDEFLATE;
static const char *packed_name = "GDeflate";

static int mixed_data; /* --data mixed: the runtime benchmark's kind of data */

static UINT64 mix64(UINT64 x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* Default (texture): four random bits a byte over a slowly changing base, about 1.7:1 for
 * GDeflate, every byte a Huffman literal (the decoders' slowest case). --data mixed: what
 * `npm run bench`'s GDeflate rows use (runtime/node/src/gdeflate_throughput.cpp, about 2:1):
 * 64 KiB tiles alternately of repeated words (long matches) and of random bytes (stored). */
static BYTE data_byte(UINT64 i)
{
    static const char words[] = "texture mesh shader vertex normal index stream tile asset level ";

    if (mixed_data)
        return (i >> 16) & 1 ? (BYTE)(mix64(i >> 3 ^ 0x5bd1e995) >> (8 * (i & 7)))
                             : (BYTE)words[(i * 7 + (i >> 9)) % (sizeof(words) - 1)];
    return (BYTE)(((mix64(i >> 1) >> ((i & 1) * 4)) & 0x0f) | ((i >> 12) & 0xf0));
}

static void fill(BYTE *p, UINT64 offset, UINT64 size)
{
    UINT64 i;
    for (i = 0; i < size; ++i) p[i] = data_byte(offset + i);
}

static double now(void)
{
    LARGE_INTEGER c, f;
    QueryPerformanceCounter(&c);
    QueryPerformanceFrequency(&f);
    return (double)c.QuadPart / f.QuadPart;
}

static double process_cpu(void)
{
    FILETIME a, b, k, u;
    GetProcessTimes(GetCurrentProcess(), &a, &b, &k, &u);
    return (((UINT64)k.dwHighDateTime << 32 | k.dwLowDateTime) + ((UINT64)u.dwHighDateTime << 32 | u.dwLowDateTime)) / 1e7;
}

/* --threads: where a row's CPU time went, by Linux thread name, read from /proc/PID/task through
 * Wine's Z: drive (the runtime names its threads "ds-..."; Wine 8 threads all carry the program's
 * name, so the main thread, whose tid is the process id, is shown apart as "main"). Wine opens
 * files in the wineserver, so /proc/self is the server's: the program's own Unix process is the
 * one whose name is the first 15 characters of the exe's (the only one, in a benchmark run). */
#define MAX_THREADS 512
struct thread_cpu { char name[24]; UINT64 ticks; DWORD tid; };
struct thread_table { struct thread_cpu t[MAX_THREADS]; UINT count; };
static BOOL thread_table_wanted;

static BOOL read_small_file(const char *path, char *buf, DWORD size)
{
    HANDLE h = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
    DWORD n = 0;
    if (h == INVALID_HANDLE_VALUE) return FALSE;
    ReadFile(h, buf, size - 1, &n, NULL);
    CloseHandle(h);
    buf[n] = 0;
    return n > 0;
}

/* Splits a /proc .../stat line in place: *comm is the name between its parentheses; returns the
 * fields after ") ", or NULL when the line has no name. */
static char *stat_fields(char *stat, char **comm)
{
    char *open_paren = strchr(stat, '('), *close_paren = strrchr(stat, ')');

    if (!open_paren || !close_paren || close_paren < open_paren) return NULL;
    *close_paren = 0;
    *comm = open_paren + 1;
    return close_paren + 2;
}

static DWORD own_unix_pid(void)
{
    static DWORD pid = ~0u;
    WIN32_FIND_DATAA found;
    char exe[MAX_PATH], name[16], path[MAX_PATH], stat[1024], *base;
    HANDLE search;

    if (pid != ~0u) return pid;
    pid = 0;
    GetModuleFileNameA(NULL, exe, sizeof(exe));
    base = strrchr(exe, '\\') ? strrchr(exe, '\\') + 1 : exe;
    snprintf(name, sizeof(name), "%s", base);
    if ((search = FindFirstFileA("Z:\\proc\\*", &found)) == INVALID_HANDLE_VALUE) return pid;
    do
    {
        char *comm;
        if (found.cFileName[0] < '0' || found.cFileName[0] > '9') continue;
        snprintf(path, sizeof(path), "Z:\\proc\\%s\\stat", found.cFileName);
        if (!read_small_file(path, stat, sizeof(stat)) || !stat_fields(stat, &comm)) continue;
        if (!strcmp(comm, name)) { pid = strtoul(stat, NULL, 10); break; }
    } while (FindNextFileA(search, &found));
    FindClose(search);
    if (!pid) printf("--threads: no process named %s in Z:\\proc (no Z: drive?)\n", name);
    return pid;
}

static void thread_table_read(struct thread_table *table)
{
    WIN32_FIND_DATAA found;
    char path[MAX_PATH], stat[1024];
    DWORD pid = own_unix_pid();
    HANDLE search;

    table->count = 0;
    if (!pid) return;
    snprintf(path, sizeof(path), "Z:\\proc\\%lu\\task\\*", pid);
    if ((search = FindFirstFileA(path, &found)) == INVALID_HANDLE_VALUE) return;
    do
    {
        struct thread_cpu *t = &table->t[table->count];
        unsigned long long utime, stime;
        char *comm, *fields;
        if (found.cFileName[0] == '.') continue;
        snprintf(path, sizeof(path), "Z:\\proc\\%lu\\task\\%s\\stat", pid, found.cFileName);
        if (!read_small_file(path, stat, sizeof(stat)) || !(fields = stat_fields(stat, &comm))) continue;
        t->tid = strtoul(stat, NULL, 10);
        if (t->tid == pid) strcpy(t->name, "main");
        else snprintf(t->name, sizeof(t->name), "%s", comm);
        /* state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
        if (sscanf(fields, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2) continue;
        t->ticks = utime + stime;
        if (++table->count == MAX_THREADS) break;
    } while (FindNextFileA(search, &found));
    FindClose(search);
}

/* CPU seconds per thread name during the last measurement (threads that ended in it are missed),
 * printed by print_row under the row. */
static char thread_line[2048];

static void thread_table_print(const struct thread_table *before, const struct thread_table *after)
{
    int used;
    char names[MAX_THREADS][24];
    double seconds[MAX_THREADS];
    UINT counts[MAX_THREADS], n = 0, i, j, k;

    for (i = 0; i < after->count; ++i)
    {
        UINT64 start = 0;
        for (j = 0; j < before->count; ++j)
            if (before->t[j].tid == after->t[i].tid) { start = before->t[j].ticks; break; }
        for (k = 0; k < n && strcmp(names[k], after->t[i].name); ++k) {}
        if (k == n) { strcpy(names[n], after->t[i].name); seconds[n] = 0; counts[n] = 0; ++n; }
        seconds[k] += (after->t[i].ticks - start) / 100.0; /* USER_HZ */
        if (after->t[i].ticks > start) ++counts[k];
    }
    used = snprintf(thread_line, sizeof(thread_line), "  its threads, last repetition (CPU s, threads that ran):");
    for (k = 0; k < n && used < (int)sizeof(thread_line); ++k)
        if (seconds[k] > 0)
            used += snprintf(thread_line + used, sizeof(thread_line) - used, " %s %.2f (%u);", names[k], seconds[k], counts[k]);
}

struct measure { double t0, c0; struct thread_table *threads; };
struct result { double gbps, cpu_per_gb; };

static void measure_start(struct measure *m)
{
    m->threads = NULL;
    if (thread_table_wanted && (m->threads = malloc(sizeof(*m->threads)))) thread_table_read(m->threads);
    m->c0 = process_cpu();
    m->t0 = now();
}

static struct result measure_end(const struct measure *m, UINT64 bytes)
{
    double t = now() - m->t0, c = process_cpu() - m->c0, gb = bytes / 1e9;
    struct result r = { gb / t, c / gb };
    struct thread_table *after;
    if (m->threads && (after = malloc(sizeof(*after))))
    {
        thread_table_read(after);
        thread_table_print(m->threads, after);
        free(after);
    }
    free(m->threads);
    return r;
}

static void print_row(const char *what, UINT32 size, struct result r)
{
    printf("| %-40s | %8s | %7.2f | %6.3f |\n", what,
           size >= (1 << 20) ? (size == (1 << 20) ? "1 MiB" : "16 MiB") : "64 KiB", r.gbps, r.cpu_per_gb);
    if (thread_line[0]) printf("%s\n", thread_line);
    thread_line[0] = 0;
    fflush(stdout);
}

#define FAIL(...) do { ++failures; printf("FAIL: "); printf(__VA_ARGS__); printf("\n"); fflush(stdout); } while (0)

static HANDLE write_file(const WCHAR *name, const void *data, UINT64 size, WCHAR *path)
{
    HANDLE h;
    UINT64 done = 0;
    DWORD n;

    swprintf(path, MAX_PATH, L"%ls\\%ls", dir, name);
    h = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    if (h == INVALID_HANDLE_VALUE) { printf("cannot create %ls (error %lu); pass --dir DIR\n", path, GetLastError()); exit(2); }
    while (done < size)
    {
        DWORD chunk = (DWORD)min(size - done, 64u << 20);
        if (!WriteFile(h, (const BYTE *)data + done, chunk, &n, NULL)) { printf("writing %ls failed\n", path); exit(2); }
        done += n;
    }
    CloseHandle(h);
    return NULL;
}

static void warm(const WCHAR *path)
{
    static BYTE buf[1 << 20];
    HANDLE h = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    DWORD n;
    while (ReadFile(h, buf, sizeof(buf), &n, NULL) && n) {}
    CloseHandle(h);
}

static ID3D12Resource *create_buffer(D3D12_HEAP_TYPE type, UINT64 size, D3D12_RESOURCE_STATES state)
{
    D3D12_HEAP_PROPERTIES heap = { .Type = type };
    D3D12_RESOURCE_DESC desc = { .Dimension = D3D12_RESOURCE_DIMENSION_BUFFER, .Width = size, .Height = 1,
                                 .DepthOrArraySize = 1, .MipLevels = 1, .SampleDesc.Count = 1,
                                 .Layout = D3D12_TEXTURE_LAYOUT_ROW_MAJOR };
    ID3D12Resource *r = NULL;
    HRESULT hr = ID3D12Device_CreateCommittedResource(device, &heap, D3D12_HEAP_FLAG_NONE, &desc, state, NULL,
                                                      &IID_ID3D12Resource, (void **)&r);
    if (FAILED(hr)) { printf("CreateCommittedResource(%llu bytes) failed, hr %#lx\n", (unsigned long long)size, hr); exit(2); }
    return r;
}

struct gpu { ID3D12CommandQueue *queue; ID3D12CommandAllocator *alloc[2]; ID3D12GraphicsCommandList *list[2];
             ID3D12Fence *fence; UINT64 value; HANDLE event; };

static void gpu_init(struct gpu *g, D3D12_COMMAND_LIST_TYPE type)
{
    D3D12_COMMAND_QUEUE_DESC qd = { .Type = type };
    int i;

    ID3D12Device_CreateCommandQueue(device, &qd, &IID_ID3D12CommandQueue, (void **)&g->queue);
    for (i = 0; i < 2; ++i)
    {
        ID3D12Device_CreateCommandAllocator(device, type, &IID_ID3D12CommandAllocator, (void **)&g->alloc[i]);
        ID3D12Device_CreateCommandList(device, 0, type, g->alloc[i], NULL, &IID_ID3D12GraphicsCommandList, (void **)&g->list[i]);
        ID3D12GraphicsCommandList_Close(g->list[i]);
    }
    ID3D12Device_CreateFence(device, 0, D3D12_FENCE_FLAG_NONE, &IID_ID3D12Fence, (void **)&g->fence);
    g->value = 0;
    g->event = CreateEventW(NULL, FALSE, FALSE, NULL);
}

static void gpu_wait(struct gpu *g, UINT64 value)
{
    if (ID3D12Fence_GetCompletedValue(g->fence) >= value) return;
    ID3D12Fence_SetEventOnCompletion(g->fence, value, g->event);
    WaitForSingleObject(g->event, INFINITE);
}

static void gpu_release(struct gpu *g)
{
    int i;
    for (i = 0; i < 2; ++i) { ID3D12GraphicsCommandList_Release(g->list[i]); ID3D12CommandAllocator_Release(g->alloc[i]); }
    ID3D12Fence_Release(g->fence);
    ID3D12CommandQueue_Release(g->queue);
    CloseHandle(g->event);
}

/* Bytes [0, size) of a GPU buffer, compared with expected(offset) (request i covers chunk i % unique). */
static void check_buffer(ID3D12Resource *buffer, UINT64 size, UINT32 request, UINT64 unique, const char *what)
{
    ID3D12Resource *readback = create_buffer(D3D12_HEAP_TYPE_READBACK, size, D3D12_RESOURCE_STATE_COPY_DEST);
    UINT64 count = size / request, *from = malloc(count * sizeof(*from));
    struct gpu g;
    const BYTE *p;
    UINT64 i;

    gpu_init(&g, D3D12_COMMAND_LIST_TYPE_DIRECT);
    ID3D12CommandAllocator_Reset(g.alloc[0]);
    ID3D12GraphicsCommandList_Reset(g.list[0], g.alloc[0], NULL);
    ID3D12GraphicsCommandList_CopyBufferRegion(g.list[0], readback, 0, buffer, 0, size);
    ID3D12GraphicsCommandList_Close(g.list[0]);
    ID3D12CommandQueue_ExecuteCommandLists(g.queue, 1, (ID3D12CommandList **)&g.list[0]);
    ID3D12CommandQueue_Signal(g.queue, g.fence, 1);
    gpu_wait(&g, 1);
    ID3D12Resource_Map(readback, 0, NULL, (void **)&p);
    for (i = 0; i < count; ++i) from[slot_of(i, count)] = i;
    for (i = 0; i < size; ++i)
    {
        /* Byte i is in slot i / request, filled by request from[slot]. */
        UINT64 expected_offset = (from[i / request] % (unique / request)) * request + i % request;
        if (p[i] == data_byte(expected_offset)) continue;
        FAIL("%s: byte %llu of the GPU buffer: expected %#x, got %#x", what, (unsigned long long)i,
             data_byte(expected_offset), p[i]);
        break;
    }
    ID3D12Resource_Unmap(readback, 0, NULL);
    free(from);
    gpu_release(&g);
    ID3D12Resource_Release(readback);
}

static void check_memory(const BYTE *p, UINT64 size, UINT32 request, UINT64 unique, const char *what)
{
    UINT64 i;
    for (i = 0; i < size; ++i)
    {
        UINT64 expected_offset = (i / request % (unique / request)) * request + i % request;
        if (p[i] == data_byte(expected_offset)) continue;
        FAIL("%s: byte %llu: expected %#x, got %#x", what, (unsigned long long)i, data_byte(expected_offset), p[i]);
        return;
    }
}

/* One dstorage row: row_bytes in requests of `request` bytes; source chunk i % (unique / request),
 * at file offset offsets[chunk] with size sizes[chunk]. */
static struct result run_dstorage(IDStorageFile *file, const UINT64 *offsets, const UINT32 *sizes, UINT64 unique,
                                  UINT32 request, BOOL gdeflate, BYTE *memory, ID3D12Resource *buffer, const char *what)
{
    DSTORAGE_QUEUE_DESC qd = { .Capacity = DSTORAGE_MAX_QUEUE_CAPACITY, .Priority = DSTORAGE_PRIORITY_NORMAL,
                               .SourceType = DSTORAGE_REQUEST_SOURCE_FILE, .Device = buffer ? device : NULL };
    UINT64 count = row_bytes / request, i, chunks = unique / request;
    IDStorageQueue *queue;
    ID3D12Fence *fence;
    HANDLE event = CreateEventW(NULL, FALSE, FALSE, NULL);
    DSTORAGE_ERROR_RECORD record;
    struct result best = {0}, r;
    struct measure m;
    int rep;

    if (FAILED(IDStorageFactory_CreateQueue(factory, &qd, &IID_IDStorageQueue, (void **)&queue)))
    {
        FAIL("%s: CreateQueue failed", what);
        return best;
    }
    ID3D12Device_CreateFence(device, 0, D3D12_FENCE_FLAG_NONE, &IID_ID3D12Fence, (void **)&fence);
    for (rep = 0; rep < reps; ++rep)
    {
        if (memory) memset(memory, 0, row_bytes);
        measure_start(&m);
        for (i = 0; i < count; ++i)
        {
            DSTORAGE_REQUEST q;
            UINT64 chunk = i % chunks;

            memset(&q, 0, sizeof(q));
            q.Options.SourceType = DSTORAGE_REQUEST_SOURCE_FILE;
            q.Options.CompressionFormat = gdeflate ? packed_format : DSTORAGE_COMPRESSION_FORMAT_NONE;
            q.Source.File.Source = file;
            q.Source.File.Offset = offsets[chunk];
            q.Source.File.Size = sizes[chunk];
            q.UncompressedSize = request;
            if (buffer)
            {
                q.Options.DestinationType = DSTORAGE_REQUEST_DESTINATION_BUFFER;
                q.Destination.Buffer.Resource = buffer;
                q.Destination.Buffer.Offset = slot_of(i, count) * request;
                q.Destination.Buffer.Size = request;
            }
            else
            {
                q.Options.DestinationType = DSTORAGE_REQUEST_DESTINATION_MEMORY;
                q.Destination.Memory.Buffer = memory + i * request;
                q.Destination.Memory.Size = request;
            }
            IDStorageQueue_EnqueueRequest(queue, &q);
        }
        IDStorageQueue_EnqueueSignal(queue, fence, rep + 1);
        IDStorageQueue_Submit(queue);
        ID3D12Fence_SetEventOnCompletion(fence, rep + 1, event);
        if (WaitForSingleObject(event, 300000) != WAIT_OBJECT_0) { FAIL("%s: no completion within 300 s", what); break; }
        r = measure_end(&m, row_bytes);
        if (r.gbps > best.gbps) best = r;
    }
    IDStorageQueue_RetrieveErrorRecord(queue, &record);
    if (record.FailureCount) FAIL("%s: %u request(s) failed, first hr %#lx", what, record.FailureCount, record.FirstFailure.HResult);
    if (memory) check_memory(memory, row_bytes, request, unique, what);
    else check_buffer(buffer, row_bytes, request, unique, what);
    IDStorageQueue_Release(queue);
    ID3D12Fence_Release(fence);
    CloseHandle(event);
    return best;
}

static struct result run_readfile_memory(const WCHAR *path, UINT32 request, BYTE *memory, const char *what)
{
    HANDLE h = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    UINT64 count = row_bytes / request, chunks = unique_bytes / request, i;
    struct result best = {0}, r;
    struct measure m;
    int rep;
    DWORD n;

    for (rep = 0; rep < reps; ++rep)
    {
        memset(memory, 0, row_bytes);
        measure_start(&m);
        for (i = 0; i < count; ++i)
        {
            LARGE_INTEGER at = { .QuadPart = (LONGLONG)((i % chunks) * request) };
            SetFilePointerEx(h, at, NULL, FILE_BEGIN);
            ReadFile(h, memory + i * request, request, &n, NULL);
        }
        r = measure_end(&m, row_bytes);
        if (r.gbps > best.gbps) best = r;
    }
    CloseHandle(h);
    check_memory(memory, row_bytes, request, unique_bytes, what);
    return best;
}

/* ReadFile into a mapped UPLOAD heap (two 32 MiB halves), CopyBufferRegion per request, each half
 * executed on a COPY queue and waited for before it is refilled. */
static struct result run_readfile_gpu(const WCHAR *path, UINT32 request, ID3D12Resource *buffer, const char *what)
{
    const UINT64 half = 32ull << 20;
    HANDLE h = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    ID3D12Resource *upload = create_buffer(D3D12_HEAP_TYPE_UPLOAD, 2 * half, D3D12_RESOURCE_STATE_GENERIC_READ);
    UINT64 count = row_bytes / request, chunks = unique_bytes / request, i, used = 0, waits[2] = {0, 0};
    struct result best = {0}, r;
    D3D12_RANGE none = {0, 0};
    struct measure m;
    struct gpu g;
    BYTE *mapped;
    int rep, side = 0;
    DWORD n;

    gpu_init(&g, D3D12_COMMAND_LIST_TYPE_COPY);
    ID3D12Resource_Map(upload, 0, &none, (void **)&mapped);
    for (rep = 0; rep < reps; ++rep)
    {
        measure_start(&m);
        used = 0;
        gpu_wait(&g, waits[side]);
        ID3D12CommandAllocator_Reset(g.alloc[side]);
        ID3D12GraphicsCommandList_Reset(g.list[side], g.alloc[side], NULL);
        for (i = 0; i < count; ++i)
        {
            LARGE_INTEGER at = { .QuadPart = (LONGLONG)((i % chunks) * request) };
            if (used + request > half)
            {
                ID3D12GraphicsCommandList_Close(g.list[side]);
                ID3D12CommandQueue_ExecuteCommandLists(g.queue, 1, (ID3D12CommandList **)&g.list[side]);
                ID3D12CommandQueue_Signal(g.queue, g.fence, waits[side] = ++g.value);
                side ^= 1;
                used = 0;
                gpu_wait(&g, waits[side]);
                ID3D12CommandAllocator_Reset(g.alloc[side]);
                ID3D12GraphicsCommandList_Reset(g.list[side], g.alloc[side], NULL);
            }
            SetFilePointerEx(h, at, NULL, FILE_BEGIN);
            ReadFile(h, mapped + side * half + used, request, &n, NULL);
            ID3D12GraphicsCommandList_CopyBufferRegion(g.list[side], buffer, i * request, upload, side * half + used, request);
            used += request;
        }
        ID3D12GraphicsCommandList_Close(g.list[side]);
        ID3D12CommandQueue_ExecuteCommandLists(g.queue, 1, (ID3D12CommandList **)&g.list[side]);
        ID3D12CommandQueue_Signal(g.queue, g.fence, waits[side] = ++g.value);
        gpu_wait(&g, g.value);
        r = measure_end(&m, row_bytes);
        if (r.gbps > best.gbps) best = r;
    }
    CloseHandle(h);
    check_buffer(buffer, row_bytes, request, unique_bytes, what);
    gpu_release(&g);
    ID3D12Resource_Release(upload);
    return best;
}

int main(int argc, char **argv)
{
    static const UINT32 sizes[] = { 64 << 10, 1 << 20, 16 << 20 };
    IDStorageCompressionCodec *codec;
    IDStorageFile *plain_file, *gd_file[3];
    WCHAR plain_path[MAX_PATH], gd_path[3][MAX_PATH], name[64];
    D3D12_FEATURE_DATA_D3D12_OPTIONS options = {0};
    BYTE *unique, *memory, *packed;
    ID3D12Resource *buffer;
    UINT64 *offsets[3];
    UINT32 *csizes[3], k;
    DSTORAGE_COMPRESSION_SUPPORT support;
    DSTORAGE_QUEUE_DESC qd = { .Capacity = DSTORAGE_MIN_QUEUE_CAPACITY, .SourceType = DSTORAGE_REQUEST_SOURCE_FILE };
    IDStorageQueue2 *probe;
    char what[96];
    HRESULT hr;
    int i;

    for (i = 1; i < argc; ++i)
    {
        if (!strcmp(argv[i], "--threads")) thread_table_wanted = TRUE;
        else if (!strcmp(argv[i], "--scatter")) scatter = TRUE;
        else if (!strcmp(argv[i], "--quick")) { row_bytes = 8 << 20; unique_bytes = 4 << 20; reps = 1; }
        else if (!strcmp(argv[i], "--dir") && i + 1 < argc) MultiByteToWideChar(CP_UTF8, 0, argv[++i], -1, dir, MAX_PATH);
        else if (!strcmp(argv[i], "--mib") && i + 1 < argc) row_bytes = strtoull(argv[++i], NULL, 10) << 20;
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--staging") && i + 1 < argc) staging_mib = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--submit-threads") && i + 1 < argc) submit_threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--dest") && i + 1 < argc && !strcmp(argv[i + 1], "buffer")) { ++i; only_buffer = 1; }
        else if (!strcmp(argv[i], "--size") && i + 1 < argc) only_size = (UINT32)strtoul(argv[++i], NULL, 10) << 10;
        else if (!strcmp(argv[i], "--only") && i + 1 < argc) { ++i; only_plain = !strcmp(argv[i], "plain"); only_gdeflate = !only_plain; }
        else if (!strcmp(argv[i], "--format") && i + 1 < argc && !strcmp(argv[i + 1], "zstd")) { ++i; packed_format = DSTORAGE_COMPRESSION_FORMAT_ZSTD; packed_name = "Zstandard"; }
        else if (!strcmp(argv[i], "--format") && i + 1 < argc && !strcmp(argv[i + 1], "gdeflate")) ++i;
        else if (!strcmp(argv[i], "--data") && i + 1 < argc && !strcmp(argv[i + 1], "mixed")) { ++i; mixed_data = 1; }
        else if (!strcmp(argv[i], "--data") && i + 1 < argc && !strcmp(argv[i + 1], "texture")) ++i;
        else { printf("usage: bench_module.exe [--quick] [--dir DIR] [--mib N] [--reps N] [--staging MIB] [--only plain|gdeflate] [--size KIB] [--dest buffer] [--format gdeflate|zstd] [--data texture|mixed] [--threads] [--submit-threads N] [--scatter]\n"); return 2; }
    }
    if (row_bytes < (16u << 20)) row_bytes = 16u << 20;
    if (unique_bytes > row_bytes) unique_bytes = row_bytes;
    if (unique_bytes < (16u << 20)) unique_bytes = 16u << 20;
    if (FAILED(D3D12CreateDevice(NULL, D3D_FEATURE_LEVEL_11_0, &IID_ID3D12Device, (void **)&device)))
    {
        printf("D3D12CreateDevice failed: no D3D12 here\n");
        return 2;
    }
    if (submit_threads)
    {
        DSTORAGE_CONFIGURATION config = {.NumSubmitThreads = submit_threads};

        if (FAILED(hr = DStorageSetConfiguration(&config)))
        {
            printf("DStorageSetConfiguration(NumSubmitThreads %u) failed, hr %#lx\n", submit_threads, hr);
            return 2;
        }
    }
    if (FAILED(DStorageGetFactory(&IID_IDStorageFactory, (void **)&factory)))
    {
        printf("DStorageGetFactory failed: is the module loaded (WINEDLLPATH, WINEDLLOVERRIDES)?\n");
        return 2;
    }
    if (staging_mib && FAILED(IDStorageFactory_SetStagingBufferSize(factory, staging_mib << 20)))
    {
        printf("SetStagingBufferSize(%u MiB) failed\n", staging_mib);
        return 2;
    }
    ID3D12Device_CheckFeatureSupport(device, D3D12_FEATURE_D3D12_OPTIONS, &options, sizeof(options));
    qd.Device = device;
    if (FAILED(hr = IDStorageFactory_CreateQueue(factory, &qd, &IID_IDStorageQueue2, (void **)&probe)))
    {
        printf("CreateQueue with a device failed, hr %#lx\n", hr);
        return 2;
    }
    support = IDStorageQueue2_GetCompressionSupport(probe, packed_format);
    IDStorageQueue2_Release(probe);
    printf("bench_module: %llu MiB per row, best of %d, staging %u MiB; %s support %#x; TiledResourcesTier %d; submit threads %u\n",
           (unsigned long long)(row_bytes >> 20), reps, staging_mib ? staging_mib : 32, packed_name, support, options.TiledResourcesTier, submit_threads);

    /* Files: the plain data, and per request size the unique data encoded request by request. */
    unique = malloc(unique_bytes);
    fill(unique, 0, unique_bytes);
    write_file(L"bench_module_plain.bin", unique, unique_bytes, plain_path);
    if (FAILED(DStorageCreateCompressionCodec(packed_format, 0, &IID_IDStorageCompressionCodec, (void **)&codec)))
    {
        printf("DStorageCreateCompressionCodec failed\n");
        return 2;
    }
    for (k = 0; k < 3; ++k)
    {
        UINT64 chunks = unique_bytes / sizes[k], c, at = 0;
        size_t bound = IDStorageCompressionCodec_CompressBufferBound(codec, sizes[k]), written;

        packed = malloc(chunks * bound);
        offsets[k] = malloc(chunks * sizeof(UINT64));
        csizes[k] = malloc(chunks * sizeof(UINT32));
        for (c = 0; c < chunks; ++c)
        {
            if (FAILED(IDStorageCompressionCodec_CompressBuffer(codec, unique + c * sizes[k], sizes[k],
                    DSTORAGE_COMPRESSION_FASTEST, packed + at, bound, &written)))
            {
                printf("CompressBuffer failed\n");
                return 2;
            }
            offsets[k][c] = at;
            csizes[k][c] = (UINT32)written;
            at += written;
        }
        swprintf(name, ARRAYSIZE(name), L"bench_module_gdeflate_%u.bin", sizes[k]);
        write_file(name, packed, at, gd_path[k]);
        printf("%s, %u-byte requests: %.2f:1\n", packed_name, sizes[k], (double)unique_bytes / at);
        free(packed);
    }
    IDStorageCompressionCodec_Release(codec);

    memory = malloc(row_bytes);
    buffer = create_buffer(D3D12_HEAP_TYPE_DEFAULT, row_bytes, D3D12_RESOURCE_STATE_COMMON);
    IDStorageFactory_OpenFile(factory, plain_path, &IID_IDStorageFile, (void **)&plain_file);
    warm(plain_path);
    for (k = 0; k < 3; ++k)
    {
        IDStorageFactory_OpenFile(factory, gd_path[k], &IID_IDStorageFile, (void **)&gd_file[k]);
        warm(gd_path[k]);
    }
    printf("| %-40s | %8s | %7s | %6s |\n", "row", "request", "GB/s", "CPU-s/GB");
    printf("|---|---|---|---|\n");
    for (k = 0; k < 3; ++k)
    {
        UINT32 request = sizes[k];
        UINT64 chunks = unique_bytes / request, c;
        UINT64 *plain_offsets = malloc(chunks * sizeof(UINT64));
        UINT32 *plain_sizes = malloc(chunks * sizeof(UINT32));

        if (only_size && request != only_size)
        {
            free(plain_offsets);
            free(plain_sizes);
            continue;
        }
        for (c = 0; c < chunks; ++c) { plain_offsets[c] = c * request; plain_sizes[c] = request; }
        if (!only_gdeflate)
        {
            if (!only_buffer)
            {
                print_row("baseline ReadFile -> memory", request, run_readfile_memory(plain_path, request, memory, "ReadFile -> memory"));
                print_row("baseline ReadFile -> upload -> buffer", request, run_readfile_gpu(plain_path, request, buffer, "ReadFile -> buffer"));
                snprintf(what, sizeof(what), "dstorage file -> memory");
                print_row(what, request, run_dstorage(plain_file, plain_offsets, plain_sizes, unique_bytes, request, FALSE, memory, NULL, what));
            }
            snprintf(what, sizeof(what), "dstorage file -> buffer");
            print_row(what, request, run_dstorage(plain_file, plain_offsets, plain_sizes, unique_bytes, request, FALSE, NULL, buffer, what));
        }
        if (!only_plain)
        {
            if (!only_buffer)
            {
                snprintf(what, sizeof(what), "dstorage %s file -> memory", packed_name);
                print_row(what, request, run_dstorage(gd_file[k], offsets[k], csizes[k], unique_bytes, request, TRUE, memory, NULL, what));
            }
            snprintf(what, sizeof(what), "dstorage %s file -> buffer", packed_name);
            print_row(what, request, run_dstorage(gd_file[k], offsets[k], csizes[k], unique_bytes, request, TRUE, NULL, buffer, what));
        }
        free(plain_offsets);
        free(plain_sizes);
    }
    IDStorageFile_Release(plain_file);
    for (k = 0; k < 3; ++k) IDStorageFile_Release(gd_file[k]);
    ID3D12Resource_Release(buffer);
    IDStorageFactory_Release(factory);
    ID3D12Device_Release(device);
    DeleteFileW(plain_path);
    for (k = 0; k < 3; ++k) DeleteFileW(gd_path[k]);
    free(memory);
    free(unique);
    if (failures) printf("bench_module: %d check(s) failed\n", failures);
    else printf("bench_module: all bytes checked\n");
    return failures ? 1 : 0;
}
