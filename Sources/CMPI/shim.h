// OpenMPI's handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, ...) are macros that
// expand to addresses of global objects, which Swift cannot import. Each one
// is re-exported here as a static inline getter with a Swift name.
#ifndef SWIFTDDK_CMPI_SHIM_H
#define SWIFTDDK_CMPI_SHIM_H

#include <mpi.h>

#define SWIFTDDK_GETTER(type, name) \
    static inline type swiftddk_##name(void) __attribute__((swift_name("getter:" #name "()"))); \
    static inline type swiftddk_##name(void) { return name; }

// Communicators and groups
SWIFTDDK_GETTER(MPI_Comm, MPI_COMM_WORLD)
SWIFTDDK_GETTER(MPI_Comm, MPI_COMM_SELF)
SWIFTDDK_GETTER(MPI_Comm, MPI_COMM_NULL)

// Datatypes
SWIFTDDK_GETTER(MPI_Datatype, MPI_FLOAT)
SWIFTDDK_GETTER(MPI_Datatype, MPI_DOUBLE)
SWIFTDDK_GETTER(MPI_Datatype, MPI_INT32_T)
SWIFTDDK_GETTER(MPI_Datatype, MPI_INT64_T)
SWIFTDDK_GETTER(MPI_Datatype, MPI_UINT8_T)
SWIFTDDK_GETTER(MPI_Datatype, MPI_UINT16_T)
SWIFTDDK_GETTER(MPI_Datatype, MPI_UINT32_T)
SWIFTDDK_GETTER(MPI_Datatype, MPI_UINT64_T)
SWIFTDDK_GETTER(MPI_Datatype, MPI_BYTE)

// Reduction operations
SWIFTDDK_GETTER(MPI_Op, MPI_SUM)
SWIFTDDK_GETTER(MPI_Op, MPI_MAX)
SWIFTDDK_GETTER(MPI_Op, MPI_MIN)

// Requests, error handlers, info
SWIFTDDK_GETTER(MPI_Request, MPI_REQUEST_NULL)
SWIFTDDK_GETTER(MPI_Errhandler, MPI_ERRORS_RETURN)
SWIFTDDK_GETTER(MPI_Info, MPI_INFO_NULL)

// Special buffer and status addresses
SWIFTDDK_GETTER(void *, MPI_IN_PLACE)
SWIFTDDK_GETTER(MPI_Status *, MPI_STATUS_IGNORE)
SWIFTDDK_GETTER(MPI_Status *, MPI_STATUSES_IGNORE)

#undef SWIFTDDK_GETTER

#endif
