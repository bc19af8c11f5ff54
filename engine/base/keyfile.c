/* keyfile.c - reading secret keys from files. */
#include "keyfile.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hex_decode(const char *s, size_t n, unsigned char *out)
{
	for (size_t i = 0; i < n; i++) {
		int hi = hex_digit((unsigned char)s[2 * i]), lo = hex_digit((unsigned char)s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

size_t keyfile_read(const char *path, const char *what, size_t min, size_t max,
		    unsigned char *out, char *err, size_t errlen)
{
	unsigned char buf[KEYFILE_MAX + 1];
	size_t n, len = 0;
	FILE *f = fopen(path, "rb");

	if (!f) {
		snprintf(err, errlen, "cannot open %s file %s: %s", what, path, strerror(errno));
		return 0;
	}
	n = fread(buf, 1, sizeof(buf), f);
	if (ferror(f)) {
		snprintf(err, errlen, "cannot read %s file %s", what, path);
	} else if (n > KEYFILE_MAX) {
		snprintf(err, errlen, "%s file %s is larger than %d bytes", what, path, KEYFILE_MAX);
	} else {
		size_t t = n;
		while (t && (buf[t - 1] == '\n' || buf[t - 1] == '\r' || buf[t - 1] == ' '))
			t--;
		if (t % 2 == 0 && t / 2 >= min && t / 2 <= max &&
		    hex_decode((const char *)buf, t / 2, out) == 0)
			len = t / 2;
		else if (n >= min && n <= max)
			memcpy(out, buf, len = n);
		else
			snprintf(err, errlen, "%s file %s: need %zu to %zu bytes, raw or in hex", what,
				 path, min, max);
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	fclose(f);
	return len;
}
