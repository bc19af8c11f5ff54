/* fuzz_signal.c - libFuzzer target: any bytes as a signal record. */
#include <stdint.h>
#include <string.h>

#include "signal.h"
#include "vr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct signal s;
	struct sig_error e;
	int rc = sig_parse((const char *)data, size, date_from_ymd(2030, 1, 1), &s, &e);
	if (rc != VR_OK && (e.code <= REJ_NONE || e.code >= REJ__COUNT || !e.msg[0]))
		__builtin_trap(); /* a reject always says why */
	return 0;
}
