#ifndef SLUICE_CMALLOC_SHIM_H
#define SLUICE_CMALLOC_SHIM_H

// glibc's malloc introspection and tuning, which Swift's Glibc module does not carry.
#include <malloc.h>

/// Limits glibc to `count` malloc arenas (M_ARENA_MAX is a macro). Returns 1 on success.
static inline int cmalloc_set_arena_max(int count) { return mallopt(M_ARENA_MAX, count); }

/// Fixes glibc's mmap threshold at `bytes` (M_MMAP_THRESHOLD is a macro). Returns 1 on success.
static inline int cmalloc_set_mmap_threshold(int bytes) { return mallopt(M_MMAP_THRESHOLD, bytes); }

#endif
