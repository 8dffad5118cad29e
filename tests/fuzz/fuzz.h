/*
 * fuzz.h - what the fuzz targets share: the libFuzzer entry point and an
 * assertion that always aborts (also in release builds), so that a broken
 * invariant is a crash libFuzzer records and tests/fuzz/replay.c reports.
 */
#ifndef KEFU_FUZZ_H
#define KEFU_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: invariant broken: %s\n", \
		    __FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

#endif
