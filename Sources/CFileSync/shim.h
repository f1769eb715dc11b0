// syncfs(2) is a GNU extension that Swift's Glibc module does not export: flushes one filesystem,
// so a batch of files costs one disk flush instead of one per file.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <unistd.h>

static inline int biloba_syncfs(int fd) { return syncfs(fd); }
