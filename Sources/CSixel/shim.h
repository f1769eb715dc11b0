#ifndef BILOBA_CSIXEL_SHIM_H
#define BILOBA_CSIXEL_SHIM_H
#include <sixel.h>
#endif
