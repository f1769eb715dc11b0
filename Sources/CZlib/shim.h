#ifndef BILOBA_CZLIB_SHIM_H
#define BILOBA_CZLIB_SHIM_H
#include <zlib.h>

// zlib's inflateInit2/deflateInit2 are macros; Swift cannot call macros, so wrap them.
static inline int biloba_inflateInit2(z_streamp strm, int windowBits) {
  return inflateInit2(strm, windowBits);
}
static inline int biloba_deflateInit2(z_streamp strm, int level, int windowBits) {
  return deflateInit2(strm, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY);
}
#endif
