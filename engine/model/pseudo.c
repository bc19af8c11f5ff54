/* pseudo.c - HMAC-SHA256 pseudonyms with precomputed pads. */
#include "pseudo.h"

/*
 * The SHA256_* functions are deprecated in OpenSSL 3 in favour of EVP, but
 * an HMAC here is two copies of a 112-byte struct instead of two EVP context
 * duplications through the provider layer (which allocate): at two HMACs
 * per signal that difference is visible in replay throughput.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyfile.h"
#include "signal.h"
#include "vr.h"

#define SHA256_BLOCK 64

struct pseudo {
	/* SHA-256 states that have absorbed key^ipad and key^opad: each
	 * HMAC then costs two struct copies instead of two extra block hashes. */
	SHA256_CTX inner;
	SHA256_CTX outer;
	unsigned char short_key[crypto_shorthash_KEYBYTES]; /* pseudo_short() */
};

void pseudo_free(struct pseudo *ps)
{
	if (!ps)
		return;
	OPENSSL_cleanse(ps, sizeof(*ps));
	free(ps);
}

struct pseudo *pseudo_new_key(const unsigned char *key, size_t len, char *err, size_t errlen)
{
	unsigned char k[SHA256_BLOCK] = {0}, pad[SHA256_BLOCK];
	struct pseudo *ps;

	if (len < PSEUDO_KEY_MIN) {
		snprintf(err, errlen, "pseudonym key too short (%zu bytes, need %d)", len,
			 PSEUDO_KEY_MIN);
		return NULL;
	}
	if (len > SHA256_BLOCK) {
		unsigned int n = 0;
		if (!EVP_Digest(key, len, k, &n, EVP_sha256(), NULL))
			goto out_crypto;
	} else {
		memcpy(k, key, len);
	}
	ps = calloc(1, sizeof(*ps));
	if (!ps) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (int i = 0; i < SHA256_BLOCK; i++)
		pad[i] = k[i] ^ 0x36;
	if (!SHA256_Init(&ps->inner) || !SHA256_Update(&ps->inner, pad, sizeof(pad)))
		goto out_free;
	for (int i = 0; i < SHA256_BLOCK; i++)
		pad[i] = k[i] ^ 0x5c;
	if (!SHA256_Init(&ps->outer) || !SHA256_Update(&ps->outer, pad, sizeof(pad)))
		goto out_free;
	OPENSSL_cleanse(k, sizeof(k));
	OPENSSL_cleanse(pad, sizeof(pad));
	/* The short digest's own key, derived so one key file serves both. */
	struct hkey sk;
	_Static_assert(sizeof(sk.b) >= crypto_shorthash_KEYBYTES, "an hkey holds a shorthash key");
	pseudo_digest(ps, 'S', "shorthash", 9, &sk);
	memcpy(ps->short_key, sk.b, sizeof(ps->short_key));
	OPENSSL_cleanse(&sk, sizeof(sk));
	return ps;

out_free:
	pseudo_free(ps);
out_crypto:
	OPENSSL_cleanse(k, sizeof(k));
	snprintf(err, errlen, "cannot set up HMAC-SHA256 (libcrypto)");
	return NULL;
}

struct pseudo *pseudo_new_file(const char *path, char *err, size_t errlen)
{
	unsigned char key[KEYFILE_MAX];
	size_t n = keyfile_read(path, "key", PSEUDO_KEY_MIN, sizeof(key), key, err, errlen);
	struct pseudo *ps = n ? pseudo_new_key(key, n, err, errlen) : NULL;
	OPENSSL_cleanse(key, sizeof(key));
	return ps;
}

struct pseudo *pseudo_new_ephemeral(char *err, size_t errlen)
{
	unsigned char k[32];
	if (RAND_bytes(k, sizeof(k)) != 1) {
		snprintf(err, errlen, "no random bytes for an ephemeral key");
		return NULL;
	}
	struct pseudo *ps = pseudo_new_key(k, sizeof(k), err, errlen);
	OPENSSL_cleanse(k, sizeof(k));
	return ps;
}

uint64_t pseudo_short(const struct pseudo *ps, const void *data, size_t len)
{
	unsigned char out[crypto_shorthash_BYTES];
	uint64_t v;
	crypto_shorthash(out, data, len, ps->short_key);
	memcpy(&v, out, sizeof(v));
	return v;
}

void pseudo_digest(const struct pseudo *ps, char ns, const void *data, size_t len,
		   struct hkey *out)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	unsigned char tag[2] = {(unsigned char)ns, 0};
	SHA256_CTX w = ps->inner;

	SHA256_Update(&w, tag, sizeof(tag));
	SHA256_Update(&w, data, len);
	SHA256_Final(md, &w);
	w = ps->outer;
	SHA256_Update(&w, md, sizeof(md));
	SHA256_Final(md, &w);
	memcpy(out->b, md, HKEY_LEN);
	OPENSSL_cleanse(&w, sizeof(w));
}

void pseudo_household(const struct pseudo *ps, const struct sig_client *c, struct hkey *out)
{
	char buf[32];
	if (c->postcode[0]) {
		/* postcode|huisnummer|toevoeging; the parts are bounded by signal.h */
		size_t n = 0, l;
		memcpy(buf, c->postcode, l = strlen(c->postcode));
		n += l;
		buf[n++] = '|';
		memcpy(buf + n, c->huisnummer, l = strlen(c->huisnummer));
		n += l;
		buf[n++] = '|';
		memcpy(buf + n, c->toevoeging, l = strlen(c->toevoeging));
		n += l;
		pseudo_digest(ps, 'A', buf, n, out);
	} else {
		pseudo_digest(ps, 'P', c->bsn, strlen(c->bsn), out);
	}
}

bool pseudo_person(const struct pseudo *ps, const struct sig_client *c, struct hkey *out)
{
	if (!c->bsn[0])
		return false;
	pseudo_digest(ps, 'P', c->bsn, strlen(c->bsn), out);
	return true;
}

char *hkey_format(const struct hkey *h, char out[HKEY_STRLEN])
{
	static const char hex[] = "0123456789abcdef";
	out[0] = 'h';
	out[1] = '-';
	for (int i = 0; i < HKEY_LEN; i++) {
		out[2 + 2 * i] = hex[h->b[i] >> 4];
		out[3 + 2 * i] = hex[h->b[i] & 15];
	}
	out[HKEY_STRLEN - 1] = '\0';
	return out;
}
