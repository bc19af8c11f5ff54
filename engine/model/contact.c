/* contact.c - AES-256-GCM sealing of contact blocks (OpenSSL libcrypto). */
#include "contact.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "keyfile.h"
#include "vr.h"

#define SEAL_VERSION 1
#define NONCE_LEN 12
#define TAG_LEN 16

struct contact_key {
	unsigned char k[CONTACT_KEY_LEN];
	/* Nonces: a random 96-bit start per key object, then a counter added
	 * to its low 64 bits (NIST SP 800-38D's deterministic construction):
	 * unique within the process without a call to the RNG per block, and
	 * unique across processes with the odds of a random nonce. */
	unsigned char nonce0[NONCE_LEN];
	uint64_t counter;
	/* Contexts with the key schedule done once: a block then only sets
	 * its nonce (setting up the cipher is most of the cost of a block). */
	EVP_CIPHER_CTX *enc, *dec;
};

void contact_key_free(struct contact_key *k)
{
	if (!k)
		return;
	EVP_CIPHER_CTX_free(k->enc);
	EVP_CIPHER_CTX_free(k->dec);
	OPENSSL_cleanse(k, sizeof(*k));
	free(k);
}

/* The key's two contexts, keyed; false when libcrypto cannot. */
static bool key_ready(struct contact_key *k)
{
	return (k->enc = EVP_CIPHER_CTX_new()) && (k->dec = EVP_CIPHER_CTX_new()) &&
	       EVP_EncryptInit_ex(k->enc, EVP_aes_256_gcm(), NULL, k->k, NULL) == 1 &&
	       EVP_DecryptInit_ex(k->dec, EVP_aes_256_gcm(), NULL, k->k, NULL) == 1;
}

struct contact_key *contact_key_file(const char *path, char *err, size_t errlen)
{
	struct contact_key *k = calloc(1, sizeof(*k));
	if (!k) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (!keyfile_read(path, "contact key", CONTACT_KEY_LEN, CONTACT_KEY_LEN, k->k, err,
			  errlen)) {
		contact_key_free(k);
		return NULL;
	}
	if (RAND_bytes(k->nonce0, NONCE_LEN) != 1 || !key_ready(k)) {
		snprintf(err, errlen, "no random bytes for nonces, or no AES-256-GCM");
		contact_key_free(k);
		return NULL;
	}
	return k;
}

struct contact_key *contact_key_ephemeral(char *err, size_t errlen)
{
	struct contact_key *k = calloc(1, sizeof(*k));
	if (!k || RAND_bytes(k->k, sizeof(k->k)) != 1 || RAND_bytes(k->nonce0, NONCE_LEN) != 1 ||
	    !key_ready(k)) {
		snprintf(err, errlen, "no random bytes for a contact key, or no AES-256-GCM");
		contact_key_free(k);
		return NULL;
	}
	return k;
}

size_t contact_plain(const struct sig_client *c, char *out, size_t len)
{
	struct jbuf b;
	bool first = true;
	char day[VR_DATE_STRLEN];

	if (!c->name[0] && !c->phone[0] && !c->email[0] && !c->bsn[0] && !c->postcode[0])
		return 0;
	jbuf_init(&b, CONTACT_PLAIN_MAX);
	jbuf_raw(&b, "{", 1);
	if (c->bsn[0]) {
		jbuf_key(&b, "bsn", &first);
		jbuf_str(&b, c->bsn);
	}
	if (c->name[0]) {
		jbuf_key(&b, "naam", &first);
		jbuf_str(&b, c->name);
	}
	if (c->phone[0]) {
		jbuf_key(&b, "telefoon", &first);
		jbuf_str(&b, c->phone);
	}
	if (c->email[0]) {
		jbuf_key(&b, "email", &first);
		jbuf_str(&b, c->email);
	}
	if (c->postcode[0]) {
		/* The address the team visits or writes to. */
		jbuf_key(&b, "postcode", &first);
		jbuf_str(&b, c->postcode);
		if (c->huisnummer[0]) {
			jbuf_key(&b, "huisnummer", &first);
			jbuf_str(&b, c->huisnummer);
		}
		if (c->toevoeging[0]) {
			jbuf_key(&b, "toevoeging", &first);
			jbuf_str(&b, c->toevoeging);
		}
	}
	if (c->birth != VR_DATE_NONE) {
		jbuf_key(&b, "geboortedatum", &first);
		jbuf_str(&b, date_format(c->birth, day));
	}
	jbuf_raw(&b, "}", 1);
	size_t n = jbuf_ok(&b) && b.len < len ? b.len : 0;
	if (n)
		memcpy(out, b.p, n);
	OPENSSL_cleanse(b.p, b.cap);
	jbuf_fini(&b);
	return n;
}

size_t contact_seal(struct contact_key *k, const char *case_id, const char *plain,
		    size_t n, unsigned char *out)
{
	return n > CONTACT_PLAIN_MAX ? 0 : contact_seal_msg(k, case_id, plain, n, out);
}

size_t contact_seal_msg(struct contact_key *k, const char *case_id, const void *plain,
			size_t n, unsigned char *out)
{
	EVP_CIPHER_CTX *ctx = k->enc;
	int len = 0, fin = 0;
	size_t total = 0;

	if (n > INT_MAX - 64)
		return 0;
	out[0] = SEAL_VERSION;
	unsigned char *nonce = out + 1, *ct = out + 1 + NONCE_LEN;
	uint64_t low = 0, ctr = ++k->counter;
	memcpy(nonce, k->nonce0, NONCE_LEN);
	for (int i = 0; i < 8; i++)
		low |= (uint64_t)nonce[4 + i] << (8 * i);
	low += ctr;
	for (int i = 0; i < 8; i++)
		nonce[4 + i] = (unsigned char)(low >> (8 * i));
	if (EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, nonce) == 1 &&
	    EVP_EncryptUpdate(ctx, NULL, &len, (const unsigned char *)case_id,
			      (int)strlen(case_id)) == 1 &&
	    EVP_EncryptUpdate(ctx, ct, &len, (const unsigned char *)plain, (int)n) == 1 &&
	    EVP_EncryptFinal_ex(ctx, ct + len, &fin) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, ct + len + fin) == 1)
		total = 1 + NONCE_LEN + (size_t)(len + fin) + TAG_LEN;
	return total;
}

long contact_open(const struct contact_key *k, const char *case_id, const unsigned char *in,
		  size_t n, char *plain, size_t len)
{
	EVP_CIPHER_CTX *ctx = k->dec;
	int out = 0, fin = 0;
	long rc = -1;

	if (n < 1 + NONCE_LEN + TAG_LEN || in[0] != SEAL_VERSION)
		return -1;
	size_t ctlen = n - 1 - NONCE_LEN - TAG_LEN;
	if (ctlen > len)
		return -1;
	const unsigned char *nonce = in + 1, *ct = in + 1 + NONCE_LEN, *tag = ct + ctlen;
	if (EVP_DecryptInit_ex(ctx, NULL, NULL, NULL, nonce) == 1 &&
	    EVP_DecryptUpdate(ctx, NULL, &out, (const unsigned char *)case_id,
			      (int)strlen(case_id)) == 1 &&
	    EVP_DecryptUpdate(ctx, (unsigned char *)plain, &out, ct, (int)ctlen) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, (void *)tag) == 1 &&
	    EVP_DecryptFinal_ex(ctx, (unsigned char *)plain + out, &fin) == 1)
		rc = out + fin;
	if (rc < 0)
		OPENSSL_cleanse(plain, ctlen);
	return rc;
}
