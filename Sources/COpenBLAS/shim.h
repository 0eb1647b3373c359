// OpenBLAS's CBLAS interface (cblas_sgemm, ...) and its thread controls
// (openblas_set_num_threads, openblas_get_num_threads).
#ifndef SWIFTDDK_COPENBLAS_SHIM_H
#define SWIFTDDK_COPENBLAS_SHIM_H

#include <cblas.h>

#endif
