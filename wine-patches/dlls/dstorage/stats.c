/*
 * This library is free software; you can redistribute it and/or modify it under the terms of
 * the GNU Lesser General Public License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * DS_KIT_STATS=1: what each queue and the whole process did, printed with MESSAGE (always shown,
 * whatever WINEDEBUG says) when a queue is released and when the process exits. Without it nothing
 * is counted and nothing is printed. Sizes are decimal: 1 kB = 1000 B, 1 MB = 10^6 B, 1 GB = 10^9
 * B.
 *
 * A queue is active while it holds at least one entry (queue.c's slots); its rate is the bytes it
 * delivered over that time. The process is active while any queue is. Every queue file may call
 * these; this file uses none of them.
 */
#include "dstorage_private.h"

static struct
{
    BOOL enabled;
    LARGE_INTEGER frequency;
    struct queue_stats total;
    LONG64 queues;
    CRITICAL_SECTION cs; /* the process's active time */
    UINT32 busy_queues;
} stats;

void stats_init(void)
{
    const char *value = getenv("DS_KIT_STATS");

    stats.enabled = value && *value && strcmp(value, "0");
    QueryPerformanceFrequency(&stats.frequency);
    InitializeCriticalSection(&stats.cs);
}

BOOL stats_enabled(void)
{
    return stats.enabled;
}

void stats_queue_created(void)
{
    if (stats.enabled) InterlockedIncrement64(&stats.queues);
}

/* Aligned 64-bit reads are whole on x86-64; the counts are only ever added to. */
static LONG64 read64(const LONG64 *value)
{
    return *(const volatile LONG64 *)value;
}

static LONG64 now(void)
{
    LARGE_INTEGER counter;

    QueryPerformanceCounter(&counter);
    return counter.QuadPart;
}

/* Callers hold the queue's slot_cs, so one queue's transitions never race. */
void stats_queue_busy(struct queue_stats *queue)
{
    if (!stats.enabled) return;
    queue->busy_since = now();
    EnterCriticalSection(&stats.cs);
    if (!stats.busy_queues++) stats.total.busy_since = queue->busy_since;
    LeaveCriticalSection(&stats.cs);
}

void stats_queue_idle(struct queue_stats *queue)
{
    LONG64 end;

    if (!stats.enabled) return;
    end = now();
    queue->busy_ticks += end - queue->busy_since;
    queue->busy_since = 0;
    EnterCriticalSection(&stats.cs);
    if (stats.busy_queues && !--stats.busy_queues)
    {
        stats.total.busy_ticks += end - stats.total.busy_since;
        stats.total.busy_since = 0;
    }
    LeaveCriticalSection(&stats.cs);
}

static void add(struct queue_stats *queue, SIZE_T field, LONG64 value)
{
    InterlockedAdd64((LONG64 *)((char *)queue + field), value);
    InterlockedAdd64((LONG64 *)((char *)&stats.total + field), value);
}

void stats_request_done(struct queue_stats *queue, const DSTORAGE_REQUEST *request, HRESULT hr,
                        UINT64 bytes, enum stats_decoder decoder)
{
    if (!stats.enabled) return;
    if (FAILED(hr))
    {
        add(queue, offsetof(struct queue_stats, errors), 1);
        return;
    }
    add(queue, offsetof(struct queue_stats, requests), 1);
    add(queue, offsetof(struct queue_stats, bytes), bytes);
    if (request->Options.CompressionFormat == DSTORAGE_COMPRESSION_FORMAT_GDEFLATE)
        add(queue,
            decoder == DECODED_BY_APPLICATION ? offsetof(struct queue_stats, gdeflate_app)
            : decoder == DECODED_BY_GPU       ? offsetof(struct queue_stats, gdeflate_gpu)
                                              : offsetof(struct queue_stats, gdeflate_cpu),
            1);
    else if (decoder == DECODED_BY_APPLICATION)
        add(queue, offsetof(struct queue_stats, custom_app), 1);
}

void stats_gpu_decodes(struct queue_stats *queue, LONG64 gpu)
{
    if (!stats.enabled) return;
    gpu = min(gpu, read64(&queue->gdeflate_cpu));
    add(queue, offsetof(struct queue_stats, gdeflate_cpu), -gpu);
    add(queue, offsetof(struct queue_stats, gdeflate_gpu), gpu);
}

void stats_slot_wait(struct queue_stats *queue)
{
    if (stats.enabled) add(queue, offsetof(struct queue_stats, slot_waits), 1);
}

void stats_completion_round(struct queue_stats *queue)
{
    if (stats.enabled) add(queue, offsetof(struct queue_stats, completion_rounds), 1);
}

/* "1.25 GB": three significant digits or so, decimal units. */
static const char *format_bytes(char *buffer, SIZE_T size, UINT64 bytes)
{
    static const char *const units[] = {"kB", "MB", "GB", "TB"};
    UINT64 scale = 1000;
    UINT unit = 0;

    if (bytes < 1000)
    {
        snprintf(buffer, size, "%u B", (UINT)bytes);
        return buffer;
    }
    while (unit + 1 < ARRAY_SIZE(units) && bytes >= scale * 1000)
    {
        scale *= 1000;
        ++unit;
    }
    /* hundredths of the unit, rounded */
    bytes = (bytes * 100 + scale / 2) / scale;
    snprintf(buffer, size, "%u.%02u %s", (UINT)(bytes / 100), (UINT)(bytes % 100), units[unit]);
    return buffer;
}

static void report(const char *what, const struct queue_stats *counts, LONG64 busy_ticks)
{
    char bytes[32], rate[32];
    double seconds = stats.frequency.QuadPart ? (double)busy_ticks / stats.frequency.QuadPart : 0;
    LONG64 ms = (LONG64)(seconds * 1000 + 0.5);

    if (seconds > 0)
    {
        format_bytes(rate, sizeof(rate) - 2, (UINT64)(LONG64)(read64(&counts->bytes) / seconds));
        strcat(rate, "/s");
    }
    else
        strcpy(rate, "-");
    MESSAGE(
        "ds-kit stats: %s: %I64d requests, %s delivered, %I64d.%03u s active, %s, %I64d errors; "
        "GDeflate decodes: %I64d CPU, %I64d GPU, %I64d application; custom-format requests: "
        "%I64d; enqueue waits for a slot: %I64d; completion rounds: %I64d\n",
        what, read64(&counts->requests), format_bytes(bytes, sizeof(bytes), read64(&counts->bytes)),
        ms / 1000, (UINT)(ms % 1000), rate, read64(&counts->errors), read64(&counts->gdeflate_cpu),
        read64(&counts->gdeflate_gpu), read64(&counts->gdeflate_app), read64(&counts->custom_app),
        read64(&counts->slot_waits), read64(&counts->completion_rounds));
}

/* At the queue's final release, after its threads have ended: the counts are final. */
void stats_queue_report(const void *queue, const char *name, struct queue_stats *counts)
{
    char what[96];
    LONG64 busy = counts->busy_ticks;

    if (!stats.enabled) return;
    if (counts->busy_since) busy += now() - counts->busy_since;
    snprintf(what, sizeof(what), "queue %p %s", queue, debugstr_a(name));
    report(what, counts, busy);
}

/* DLL_PROCESS_DETACH. */
void stats_process_report(void)
{
    char what[32];
    LONG64 busy;

    if (!stats.enabled) return;
    /* No lock: at process exit a thread that held it may have been terminated. */
    busy = read64(&stats.total.busy_ticks);
    if (ReadNoFence((LONG *)&stats.busy_queues)) busy += now() - read64(&stats.total.busy_since);
    snprintf(what, sizeof(what), "process, %I64d queues", read64(&stats.queues));
    report(what, &stats.total, busy);
}

const char *debugstr_size(UINT64 size)
{
    char digits[24], *p = digits + sizeof(digits) - 1;

    *p = 0;
    do *--p = '0' + size % 10;
    while (size /= 10);
    return wine_dbg_sprintf("%s", p);
}
