/* test_contact.c - sealed contact blocks open only with their key and case. */
#define _GNU_SOURCE /* memmem */
#include <string.h>

#include "contact.h"
#include "harness.h"

int main(void)
{
	char err[128], plain[CONTACT_PLAIN_MAX], back[CONTACT_PLAIN_MAX];
	unsigned char sealed[CONTACT_SEALED_MAX], sealed2[CONTACT_SEALED_MAX];
	struct sig_client c;

	memset(&c, 0, sizeof(c));
	c.birth = VR_DATE_NONE;
	CHECK_INT(contact_plain(&c, plain, sizeof(plain)), 0); /* nothing to keep */
	strcpy(c.bsn, "111222333");
	strcpy(c.name, "J. \"Jan\" Jansen");
	strcpy(c.phone, "0612345678");
	c.birth = date_from_ymd(1980, 5, 17);
	size_t n = contact_plain(&c, plain, sizeof(plain));
	CHECK(n > 0);
	plain[n] = '\0';
	CHECK_STR(plain, "{\"bsn\":\"111222333\",\"naam\":\"J. \\\"Jan\\\" Jansen\","
			 "\"telefoon\":\"0612345678\",\"geboortedatum\":\"1980-05-17\"}");

	struct contact_key *k1 = contact_key_ephemeral(err, sizeof(err));
	struct contact_key *k2 = contact_key_ephemeral(err, sizeof(err));
	CHECK(k1 && k2);
	size_t s1 = contact_seal(k1, "c-1-20240101", plain, n, sealed);
	size_t s2 = contact_seal(k1, "c-1-20240101", plain, n, sealed2);
	CHECK_INT(s1, 1 + 12 + n + 16);
	CHECK(s1 == s2 && memcmp(sealed, sealed2, s1) != 0); /* fresh nonce each time */
	CHECK(memmem(sealed, s1, "111222333", 9) == NULL);
	CHECK(memmem(sealed, s1, "Jansen", 6) == NULL);

	long m = contact_open(k1, "c-1-20240101", sealed, s1, back, sizeof(back));
	CHECK_INT(m, (long)n);
	CHECK(m > 0 && memcmp(back, plain, n) == 0);
	CHECK_INT(contact_open(k2, "c-1-20240101", sealed, s1, back, sizeof(back)), -1);
	CHECK_INT(contact_open(k1, "c-2-20240101", sealed, s1, back, sizeof(back)), -1);
	sealed[20] ^= 1;
	CHECK_INT(contact_open(k1, "c-1-20240101", sealed, s1, back, sizeof(back)), -1);
	sealed[20] ^= 1;
	CHECK_INT(contact_open(k1, "c-1-20240101", sealed, 10, back, sizeof(back)), -1);
	CHECK_INT(contact_open(k1, "c-1-20240101", sealed, s1, back, 4), -1);

	/* A whole record (the repartition topic's), longer than a contact
	 * block: sealed for its household key, opened only with it. */
	static char rec[4000], rback[4000];
	static unsigned char rsealed[4000 + CONTACT_SEAL_OVERHEAD];
	memset(rec, 'x', sizeof(rec));
	memcpy(rec + 100, "111222333", 9);
	size_t rs = contact_seal_msg(k1, "h-0123", rec, sizeof(rec), rsealed);
	CHECK_INT(rs, sizeof(rec) + CONTACT_SEAL_OVERHEAD);
	CHECK(memmem(rsealed, rs, "111222333", 9) == NULL);
	CHECK_INT(contact_open(k1, "h-0123", rsealed, rs, rback, sizeof(rback)), (long)sizeof(rec));
	CHECK(memcmp(rback, rec, sizeof(rec)) == 0);
	CHECK_INT(contact_open(k1, "h-0124", rsealed, rs, rback, sizeof(rback)), -1);
	CHECK_INT(contact_open(k2, "h-0123", rsealed, rs, rback, sizeof(rback)), -1);
	CHECK_INT(contact_seal(k1, "c-1", rec, sizeof(rec), rsealed), 0); /* a block is bounded */

	CHECK(contact_key_file("/nonexistent", err, sizeof(err)) == NULL);
	contact_key_free(k1);
	contact_key_free(k2);
	return harness_done();
}
