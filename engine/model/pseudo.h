/*
 * pseudo.h - keyed pseudonyms for persons and households.
 *
 * Identifiers never leave the engine in the clear: a household is known by
 * HMAC-SHA256(key, normalised address) and a person by HMAC-SHA256(key, BSN),
 * truncated to 128 bits.  Without the key a pseudonym cannot be recomputed
 * from a guessed BSN or address (a plain hash could, the BSN space is small).
 * The key comes from a file; replay may use an ephemeral random key, at the
 * price of pseudonyms that differ between runs.
 *
 * A struct pseudo is immutable after creation and may be shared by threads.
 */
#ifndef VR_PSEUDO_H
#define VR_PSEUDO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sig_client;
struct pseudo;

#define HKEY_LEN 16
#define HKEY_STRLEN 35 /* "h-" + 32 hex + NUL */
#define PSEUDO_KEY_MIN 32

/* A household (or person) pseudonym: 128 bits, compared with memcmp. */
struct hkey {
	unsigned char b[HKEY_LEN];
};

/*
 * Key from a file: either at least 32 raw bytes, or hex text of at least 64
 * digits (trailing newline allowed).  Returns NULL and fills err on failure.
 */
struct pseudo *pseudo_new_file(const char *path, char *err, size_t errlen);
struct pseudo *pseudo_new_key(const unsigned char *key, size_t len, char *err, size_t errlen);
/* A random key that lives only as long as the process. */
struct pseudo *pseudo_new_ephemeral(char *err, size_t errlen);
void pseudo_free(struct pseudo *ps);

/*
 * The household of a client: its normalised address when present, else the
 * person (BSN).  Address and person pseudonyms live in separate namespaces.
 */
void pseudo_household(const struct pseudo *ps, const struct sig_client *c, struct hkey *out);
/* The person pseudonym of a BSN; returns false when the client has none. */
bool pseudo_person(const struct pseudo *ps, const struct sig_client *c, struct hkey *out);
/*
 * Keyed 64-bit digest of arbitrary bytes (SipHash-2-4, libsodium's
 * crypto_shorthash, under a key derived from the pseudonym key): for
 * identifiers inside a household's state that stand for personal data (an
 * arrear: partner, person, date), where 64 bits suffice and an HMAC per
 * signal would cost a tenth of a replay.
 */
uint64_t pseudo_short(const struct pseudo *ps, const void *data, size_t len);
/* Keyed 128-bit digest of arbitrary bytes in namespace `ns` (one letter). */
void pseudo_digest(const struct pseudo *ps, char ns, const void *data, size_t len,
		   struct hkey *out);

/* "h-" + 32 lower-case hex digits. */
char *hkey_format(const struct hkey *h, char out[HKEY_STRLEN]);
/* 64-bit hash of a pseudonym for hash tables (it is already uniform). */
static inline uint64_t hkey_hash(const struct hkey *h)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | h->b[i];
	return v;
}

#endif
