// pipe2(2) is a GNU extension that Swift's Glibc module does not export. A pipe made close-on-exec
// atomically cannot leak into a child that another thread spawns between pipe() and fcntl().
#ifndef BILOBA_CSPAWN_SHIM_H
#define BILOBA_CSPAWN_SHIM_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <unistd.h>

static inline int biloba_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }
#endif
