// libFuzzer's entry for programs with their own main. Declared only: the symbol comes from
// the fuzzer runtime that -sanitize=fuzzer links, and only scripts/fuzz builds call it.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
