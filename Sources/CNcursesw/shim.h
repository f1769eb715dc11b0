// ncursesw for the workstation's view. Many curses entry points are macros, which Swift cannot call:
// these inline functions are the few the view needs.
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#define NCURSES_WIDECHAR 1
#include <ncursesw/curses.h>
#include <locale.h>
#include <wchar.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <fcntl.h>

// Restoring the terminal from a fatal signal: the handler may only do async-signal-safe work, so the
// restore sequence and the terminal's modes are prepared beforehand, and the handler writes the one,
// sets the other (write and tcsetattr are async-signal-safe), then re-raises the signal.
struct biloba_restore_state {
  char sequence[256];
  size_t length;
  struct termios modes;
  int modes_valid;
};

// A function-local static: a header-only module has no place to define a global.
static inline struct biloba_restore_state *biloba_restore(void) {
  static struct biloba_restore_state state;
  return &state;
}

static void biloba_on_fatal_signal(int number) {
  struct biloba_restore_state *state = biloba_restore();
  const char *next = state->sequence;
  size_t left = state->length;
  while (left > 0) {
    ssize_t n = write(1, next, left);
    if (n <= 0) break;
    next += n;
    left -= (size_t)n;
  }
  if (state->modes_valid) tcsetattr(0, TCSANOW, &state->modes);
  // A picture may have been on its way without blocking: the shell gets its terminal back blocking.
  int flags = fcntl(1, F_GETFL);
  if (flags >= 0 && (flags & O_NONBLOCK)) fcntl(1, F_SETFL, flags & ~O_NONBLOCK);
  signal(number, SIG_DFL);
  raise(number);
}

/// Call before curses starts: keeps the terminal's modes and the bytes that undo our screen.
static inline void biloba_install_signal_restore(const char *sequence, size_t length) {
  struct biloba_restore_state *state = biloba_restore();
  if (length > sizeof(state->sequence)) length = sizeof(state->sequence);
  memcpy(state->sequence, sequence, length);
  state->length = length;
  state->modes_valid = tcgetattr(0, &state->modes) == 0;
  int fatal[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE};
  for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++) {
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = biloba_on_fatal_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND;
    sigaction(fatal[i], &action, NULL);
  }
}

static inline void biloba_curses_start(void) {
  setlocale(LC_ALL, "");
  initscr();
  cbreak();
  noecho();
  nonl();
  keypad(stdscr, TRUE);
  curs_set(0);
  set_escdelay(25);
  // No typeahead check: curses would stop drawing whenever input is waiting, and the terminal's answers
  // to our acknowledgement requests are input that arrives while it draws.
  typeahead(-1);
}

/// The key code curses gives for the terminal's answer to our acknowledgement request (a cursor
/// position report at the top left), so answers never reach the keymap as keys.
static inline int biloba_key_acknowledged(void) { return KEY_MAX + 64; }

static inline void biloba_define_acknowledgement(const char *answer) {
  define_key(answer, biloba_key_acknowledged());
}

static inline void biloba_curses_end(void) {
  if (!isendwin()) endwin();
}

static inline int biloba_rows(void) { return LINES; }
static inline int biloba_columns(void) { return COLS; }

/// Writes a UTF-8 line at a row, from column 0.
static inline void biloba_put_line(int row, const char *utf8) {
  mvwaddstr(stdscr, row, 0, utf8);
  wclrtoeol(stdscr);
}

/// Writes UTF-8 text at a row from a column to the end of the line (text beside a picture: the
/// picture's cells left as they are).
static inline void biloba_put_text(int row, int column, const char *utf8) {
  mvwaddstr(stdscr, row, column, utf8);
  wclrtoeol(stdscr);
}

static inline void biloba_refresh(void) { wrefresh(stdscr); }
static inline void biloba_clear(void) { wclear(stdscr); }

/// Gives keys back to curses' input queue, first byte first out (curses takes them before the
/// terminal's, with the same key decoding).
static inline void biloba_unget_keys(const unsigned char *bytes, int count) {
  for (int i = count - 1; i >= 0; i--) ungetch(bytes[i]);
}

/// The next key: returns OK with a character, KEY_CODE_YES with a function key code, or ERR on timeout.
static inline int biloba_get_key(int timeout_ms, wint_t *key) {
  wtimeout(stdscr, timeout_ms);
  return wget_wch(stdscr, key);
}

/// Mouse reports, read by the view itself rather than by curses (whose click resolution merges or drops
/// reports that arrive together): press and release (1000) for the wheel, with `drag` also motion while
/// a button is held (1002), in SGR coordinates (1006) where the terminal has them. Without `drag` the
/// terminal's own selection works as usual, so only the viewer asks for drags.
static inline void biloba_mouse_mode(int drag) {
  fputs(drag ? "\033[?1000h\033[?1002h\033[?1006h" : "\033[?1002l\033[?1000h\033[?1006h", stdout);
  fflush(stdout);
}

/// The key codes curses gives for the start of a mouse report: X10 (`ESC [ M` and three bytes) and SGR
/// (`ESC [ <` up to `M` or `m`); the view reads the rest with `biloba_get_byte`.
static inline int biloba_key_mouse_x10(void) { return KEY_MAX + 65; }
static inline int biloba_key_mouse_sgr(void) { return KEY_MAX + 66; }

static inline void biloba_define_mouse(void) {
  define_key("\033[M", biloba_key_mouse_x10());
  define_key("\033[<", biloba_key_mouse_sgr());
}

/// One byte of input (a mouse report's), or ERR after `timeout_ms`.
static inline int biloba_get_byte(int timeout_ms) {
  wtimeout(stdscr, timeout_ms);
  return wgetch(stdscr);
}
