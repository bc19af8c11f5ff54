/*
 * contact.h - the encrypted contact block of a case.
 *
 * The follow-up task needs to reach the resident: name, phone, e-mail, BSN
 * and birth date of the latest signal's client.  Nowhere else does vroeg
 * keep them.  In a store they are sealed with AES-256-GCM under a key from
 * a file, with the case id as associated data, so a block copied to another
 * case does not open.  Sealed form: version byte, 12-byte nonce,
 * ciphertext, 16-byte tag.  A key object counts the blocks it seals (for
 * unique nonces): use one per thread.
 */
#ifndef VR_CONTACT_H
#define VR_CONTACT_H

#include <stddef.h>

#include "signal.h"

#define CONTACT_KEY_LEN 32
#define CONTACT_PLAIN_MAX 768
#define CONTACT_SEALED_MAX (CONTACT_PLAIN_MAX + 1 + 12 + 16)

struct contact_key;

/* 32 raw bytes or 64 hex digits from a file; NULL + err on failure. */
struct contact_key *contact_key_file(const char *path, char *err, size_t errlen);
struct contact_key *contact_key_ephemeral(char *err, size_t errlen);
void contact_key_free(struct contact_key *k);

/* The client's contact details as compact JSON; returns its length, 0 when
 * the client gave nothing to contact. */
size_t contact_plain(const struct sig_client *c, char *out, size_t len);

/* Seal plain[0, n) for case_id into out (CONTACT_SEALED_MAX); returns the
 * sealed length or 0 on failure. */
size_t contact_seal(struct contact_key *k, const char *case_id, const char *plain,
		    size_t n, unsigned char *out);
/* The same for any n bytes (a record on the repartition topic, sealed
 * with its household key as the associated data): out holds n +
 * CONTACT_SEAL_OVERHEAD.  contact_open() opens it. */
#define CONTACT_SEAL_OVERHEAD (1 + 12 + 16)
size_t contact_seal_msg(struct contact_key *k, const char *aad, const void *plain,
			size_t n, unsigned char *out);
/* Open a sealed block; returns the plain length, or -1 when it was not
 * sealed with this key for this case (or is corrupt). */
long contact_open(const struct contact_key *k, const char *case_id, const unsigned char *in,
		  size_t n, char *plain, size_t len);

#endif
