#ifndef BILOBA_CCHARLS_SHIM_H
#define BILOBA_CCHARLS_SHIM_H
#include <stddef.h>
#include <stdint.h>
#include <charls/charls.h>
#endif
