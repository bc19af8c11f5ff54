/*
 * keyfile.h - secret keys from files, and hex decoding.
 *
 * A key file holds either the raw key bytes or their hex spelling (one
 * line, trailing newline allowed), so `head -c 32 /dev/urandom > k` and
 * `... | xxd -p -c 64 > k` both work.  The buffers that held a key are
 * wiped before they are released.
 */
#ifndef VR_KEYFILE_H
#define VR_KEYFILE_H

#include <stddef.h>

#define KEYFILE_MAX 4096

/* Value of one hex digit, or -1. */
int hex_digit(int c);

/* Decode 2n hex digits of s into out[n]; returns 0, or -1 if not hex. */
int hex_decode(const char *s, size_t n, unsigned char *out);

/*
 * Read a key of min..max bytes (raw or hex) from path into out (max bytes);
 * returns its length, or 0 and a message in err (which names the file, never
 * its contents).
 */
size_t keyfile_read(const char *path, const char *what, size_t min, size_t max,
		    unsigned char *out, char *err, size_t errlen);

#endif
