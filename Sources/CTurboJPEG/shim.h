#ifndef BILOBA_CTURBOJPEG_SHIM_H
#define BILOBA_CTURBOJPEG_SHIM_H
#include <stddef.h>
#include <turbojpeg.h>
#endif
