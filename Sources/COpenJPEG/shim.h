#ifndef BILOBA_COPENJPEG_SHIM_H
#define BILOBA_COPENJPEG_SHIM_H
#include <openjpeg.h>
#endif
