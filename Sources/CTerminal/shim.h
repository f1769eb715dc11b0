#ifndef BILOBA_CTERMINAL_SHIM_H
#define BILOBA_CTERMINAL_SHIM_H
#include <sys/ioctl.h>
#include <termios.h>
#include <pty.h>

// ioctl is variadic, which Swift cannot call: the window size query wrapped.
static inline int biloba_window_size(int fd, unsigned short *rows, unsigned short *cols,
                                     unsigned short *xpixel, unsigned short *ypixel) {
  struct winsize ws;
  int r = ioctl(fd, TIOCGWINSZ, &ws);
  if (r == 0) {
    *rows = ws.ws_row;
    *cols = ws.ws_col;
    *xpixel = ws.ws_xpixel;
    *ypixel = ws.ws_ypixel;
  }
  return r;
}

// A pseudo-terminal pair, for tests that play a terminal (openpty is in glibc's libc since 2.34).
static inline int biloba_openpty(int *master, int *slave) {
  return openpty(master, slave, 0, 0, 0);
}
#endif
