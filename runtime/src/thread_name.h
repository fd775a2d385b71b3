// SPDX-License-Identifier: MIT
// Names a thread the runtime starts, for top -H, /proc/PID/task/TID/comm, gdb and perf: each says
// whose it is ("ds-" + its job), also inside a Wine process, where every other thread has the
// program's name.
#pragma once

#include <pthread.h>

#include <thread>

namespace ds {

/// name: at most 15 characters (the kernel's limit); a longer one leaves the thread unnamed.
inline void name_thread(std::thread &thread, const char *name) { pthread_setname_np(thread.native_handle(), name); }

}  // namespace ds
