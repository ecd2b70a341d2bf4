#ifndef SLUICE_CLIBFUZZER_SHIM_H
#define SLUICE_CLIBFUZZER_SHIM_H

#include <stddef.h>
#include <stdint.h>

// libFuzzer's driver for programs that keep their own main (compiler-rt's FuzzerInterface.h).
// SwiftPM points an executable's main at the target's own entry, so libFuzzer's main is never
// linked in; the fuzz targets call this instead. It exists only in a program linked with
// -sanitize=fuzzer, so it is called only in a FUZZING build.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
