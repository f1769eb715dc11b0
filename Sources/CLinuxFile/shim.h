// Linux file calls that are GNU extensions, which Swift's Glibc module does not export:
// syncfs(2) flushes one filesystem, so a batch of files costs one disk flush instead of one per file;
// copy_file_range(2) copies a range between files inside the kernel, without passing through memory
// of ours (the pixel data of a rewritten object).
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <unistd.h>

static inline int biloba_syncfs(int fd) { return syncfs(fd); }

static inline ssize_t biloba_copy_file_range(int in, long long *in_offset, int out, size_t count) {
  __off64_t offset = (__off64_t)*in_offset;
  ssize_t n = copy_file_range(in, &offset, out, NULL, count, 0);
  *in_offset = (long long)offset;
  return n;
}
