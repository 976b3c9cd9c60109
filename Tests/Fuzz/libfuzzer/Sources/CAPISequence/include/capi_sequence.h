#ifndef CAPI_SEQUENCE_H
#define CAPI_SEQUENCE_H
#include <stddef.h>
#include <stdint.h>

/* The C-ABI call-sequence harness (capi_sequence.c): loads the bundled models once from
 * `root` (the repository), returns 0 on success. */
int capi_sequence_setup(const char *root);
/* Runs the calls the bytes describe; aborts (a libFuzzer finding) on a broken ABI contract. */
void capi_sequence_run(const uint8_t *data, size_t size);

#endif
