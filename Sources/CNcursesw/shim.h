// ncursesw for the workstation's view. Many curses entry points are macros, which Swift cannot call:
// these inline functions are the few the view needs.
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#define NCURSES_WIDECHAR 1
#include <ncursesw/curses.h>
#include <locale.h>
#include <wchar.h>

static inline void biloba_curses_start(void) {
  setlocale(LC_ALL, "");
  initscr();
  cbreak();
  noecho();
  nonl();
  keypad(stdscr, TRUE);
  curs_set(0);
  set_escdelay(25);
  mouseinterval(0);
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

static inline void biloba_refresh(void) { wrefresh(stdscr); }
static inline void biloba_clear(void) { wclear(stdscr); }

/// The next key: returns OK with a character, KEY_CODE_YES with a function key code, or ERR on timeout.
static inline int biloba_get_key(int timeout_ms, wint_t *key) {
  wtimeout(stdscr, timeout_ms);
  return wget_wch(stdscr, key);
}

/// Reports wheel turns (and nothing else of the mouse, so the terminal's own selection still works).
static inline void biloba_enable_wheel(void) { mousemask(BUTTON4_PRESSED | BUTTON5_PRESSED, NULL); }

/// After KEY_MOUSE: -1 for the wheel turned up, 1 for down, 0 for anything else.
static inline int biloba_wheel_direction(void) {
  MEVENT event;
  if (getmouse(&event) != OK) return 0;
  if (event.bstate & BUTTON4_PRESSED) return -1;
  if (event.bstate & BUTTON5_PRESSED) return 1;
  return 0;
}
