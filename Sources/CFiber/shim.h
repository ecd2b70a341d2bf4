#ifndef SLUICE_CFIBER_SHIM_H
#define SLUICE_CFIBER_SHIM_H

// A fiber: a stack of its own that a thread can switch into and out of (glibc's ucontext), so
// a pull-model reader (libavformat reading through its AVIO callback) can wait for data by
// handing the thread back instead of blocking it. One thread runs many fibers, one at a time,
// and a fiber only ever runs on the thread that created it.

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLUICE_FIBER_ASAN 1
#include <sanitizer/common_interface_defs.h>
#endif
#if __has_feature(thread_sanitizer)
#define SLUICE_FIBER_TSAN 1
#include <sanitizer/tsan_interface.h>
#endif
#endif

typedef struct sluice_fiber {
    ucontext_t caller;
    ucontext_t context;
    void *mapping;
    size_t mapping_bytes;
    void (*entry)(void *);
    void *argument;
    int finished;
#ifdef SLUICE_FIBER_ASAN
    void *fake_stack;
    const void *caller_stack;
    size_t caller_stack_bytes;
#endif
#ifdef SLUICE_FIBER_TSAN
    void *tsan_fiber;
    void *tsan_caller;
#endif
} sluice_fiber;

static inline void sluice_fiber_switch_in(sluice_fiber *fiber) {
#ifdef SLUICE_FIBER_ASAN
    __sanitizer_start_switch_fiber(&fiber->fake_stack, (char *)fiber->mapping + getpagesize(),
                                   fiber->mapping_bytes - getpagesize());
#endif
#ifdef SLUICE_FIBER_TSAN
    fiber->tsan_caller = __tsan_get_current_fiber();
    __tsan_switch_to_fiber(fiber->tsan_fiber, 0);
#endif
    swapcontext(&fiber->caller, &fiber->context);
#ifdef SLUICE_FIBER_ASAN
    __sanitizer_finish_switch_fiber(fiber->fake_stack, NULL, NULL);
#endif
}

static inline void sluice_fiber_switch_out(sluice_fiber *fiber) {
#ifdef SLUICE_FIBER_ASAN
    void *fake_stack = NULL;
    __sanitizer_start_switch_fiber(fiber->finished ? NULL : &fake_stack, fiber->caller_stack,
                                   fiber->caller_stack_bytes);
#endif
#ifdef SLUICE_FIBER_TSAN
    __tsan_switch_to_fiber(fiber->tsan_caller, 0);
#endif
    swapcontext(&fiber->context, &fiber->caller);
#ifdef SLUICE_FIBER_ASAN
    __sanitizer_finish_switch_fiber(fake_stack, &fiber->caller_stack, &fiber->caller_stack_bytes);
#endif
}

static inline void sluice_fiber_start(unsigned int high, unsigned int low) {
    sluice_fiber *fiber = (sluice_fiber *)(((uintptr_t)high << 32) | (uintptr_t)low);
#ifdef SLUICE_FIBER_ASAN
    __sanitizer_finish_switch_fiber(NULL, &fiber->caller_stack, &fiber->caller_stack_bytes);
#endif
    fiber->entry(fiber->argument);
    fiber->finished = 1;
    // A finished fiber is never switched into again: this switch does not return.
    sluice_fiber_switch_out(fiber);
}

/// Makes a fiber that will run `entry(argument)` on a stack of `stack_bytes`, under a guard
/// page so that an overflow faults instead of writing over other memory. The stack is
/// reserved, not committed: only the pages it touches become resident. Returns NULL if the
/// memory cannot be mapped.
static inline sluice_fiber *sluice_fiber_create(size_t stack_bytes, void (*entry)(void *), void *argument) {
    size_t page = (size_t)getpagesize();
    size_t bytes = ((stack_bytes + page - 1) / page + 1) * page;
    void *mapping = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (mapping == MAP_FAILED) return NULL;
    if (mprotect(mapping, page, PROT_NONE) != 0) {
        munmap(mapping, bytes);
        return NULL;
    }
    sluice_fiber *fiber = (sluice_fiber *)calloc(1, sizeof(sluice_fiber));
    if (fiber == NULL) {
        munmap(mapping, bytes);
        return NULL;
    }
    fiber->mapping = mapping;
    fiber->mapping_bytes = bytes;
    fiber->entry = entry;
    fiber->argument = argument;
    getcontext(&fiber->context);
    fiber->context.uc_stack.ss_sp = (char *)mapping + page;
    fiber->context.uc_stack.ss_size = bytes - page;
    fiber->context.uc_link = NULL;
    uintptr_t address = (uintptr_t)fiber;
    makecontext(&fiber->context, (void (*)(void))sluice_fiber_start, 2, (unsigned int)(address >> 32),
                (unsigned int)(address & 0xffffffffu));
#ifdef SLUICE_FIBER_TSAN
    fiber->tsan_fiber = __tsan_create_fiber(0);
#endif
    return fiber;
}

/// Runs the fiber until it suspends or its entry returns. Returns 1 once it has finished.
static inline int sluice_fiber_resume(sluice_fiber *fiber) {
    if (fiber->finished) return 1;
    sluice_fiber_switch_in(fiber);
    return fiber->finished;
}

/// From inside the fiber: hands the thread back to whoever resumed it.
static inline void sluice_fiber_suspend(sluice_fiber *fiber) { sluice_fiber_switch_out(fiber); }

/// Frees a fiber that has finished or was never resumed.
static inline void sluice_fiber_destroy(sluice_fiber *fiber) {
#ifdef SLUICE_FIBER_TSAN
    __tsan_destroy_fiber(fiber->tsan_fiber);
#endif
    munmap(fiber->mapping, fiber->mapping_bytes);
    free(fiber);
}

#endif
