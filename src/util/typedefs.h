/*
 * util/typedefs.h — forward declarations of the structs that cross module
 * boundaries, so headers can name each other's types without including
 * each other (and without include cycles).
 */
#ifndef UTIL_TYPEDEFS_H
#define UTIL_TYPEDEFS_H

typedef struct AddressSpace AddressSpace;
typedef struct BlockBackend BlockBackend;
typedef struct BottomHalf BottomHalf;
typedef struct Chardev Chardev;
typedef struct CPUState CPUState;
typedef struct DeviceState DeviceState;
typedef struct DeviceType DeviceType;
typedef struct Error Error;
typedef struct Log Log;
typedef struct Machine Machine;
typedef struct MachineType MachineType;
typedef struct MainLoop MainLoop;
typedef struct MemoryRegion MemoryRegion;
typedef struct MemoryRegionOps MemoryRegionOps;
typedef struct Monitor Monitor;
typedef struct NetClient NetClient;
typedef struct OptList OptList;
typedef struct Property Property;
typedef struct RAMBlock RAMBlock;
typedef struct Timer Timer;
typedef struct VmConfig VmConfig;

#endif /* UTIL_TYPEDEFS_H */
