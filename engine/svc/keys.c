/*
 * keys.c - what the service demands of its key files, beyond being keys:
 * readable by their owner only (as ssh demands of a private key), not all
 * zeros, the pseudonym and contact keys different, and no key that is
 * public (the demo key ships in the repository and in every binary).
 * Replay and the other verbs take any key: they are tools, their output
 * stays with who runs them.
 */
#include "svc_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "keyfile.h"
#include "vr.h"

const struct conf_key svc_key_conf_keys[] = {
	{"engine", "key.mode.check", CONF_BOOL, "true",
	 "refuse key files readable by group or others (false where a mount sets the mode)",
	 0, 0},
	{NULL, NULL, 0, NULL, NULL, 0, 0},
};

struct key_bytes {
	unsigned char b[KEYFILE_MAX];
	size_t n;
};

/* Read the key of [engine] key for its bytes, checking its file's mode. */
static int read_key(const struct svc *r, const char *key, bool mode_check,
		    struct key_bytes *out, char *err, size_t n)
{
	const char *path = conf_get(r->cf, "engine", key);
	char at[300], why[512];
	struct stat st;
	conf_where(r->cf, "engine", key, at, sizeof(at));
	out->n = 0;
	if (!path)
		return VR_OK;
	if (mode_check && stat(path, &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO))) {
		snprintf(err, n, "%s: [engine] %s %s is readable by others than its owner (mode "
			 "%03o): chmod 600 it, or set [engine] key.mode.check = false where a "
			 "mount decides the mode", at, key, path, (unsigned)(st.st_mode & 0777));
		return VR_EINVAL;
	}
	out->n = keyfile_read(path, key, 16, KEYFILE_MAX, out->b, why, sizeof(why));
	if (!out->n) {
		snprintf(err, n, "%s: %s", at, why);
		return VR_EINVAL;
	}
	size_t zeros = 0;
	while (zeros < out->n && out->b[zeros] == 0)
		zeros++;
	if (zeros == out->n) {
		snprintf(err, n, "%s: [engine] %s %s is all zeros: not a secret", at, key, path);
		return VR_EINVAL;
	}
	for (size_t i = 0; r->o->public_keys && r->o->public_keys[i].len; i++)
		if (r->o->public_keys[i].len == out->n &&
		    memcmp(r->o->public_keys[i].data, out->b, out->n) == 0) {
			snprintf(err, n, "%s: [engine] %s %s is the public demo key: anyone can "
				 "compute its pseudonyms; make a key of your own (head -c 32 "
				 "/dev/urandom)", at, key, path);
			return VR_EINVAL;
		}
	return VR_OK;
}

int svc_check_keys(const struct svc *r, char *err, size_t n)
{
	static struct key_bytes pk, ck;
	bool mode_check;
	int rc = VR_OK;
	if (conf_get_bool(r->cf, "engine", "key.mode.check", true, &mode_check, err, n))
		return VR_EINVAL;
	if (!r->o->ps)
		rc = read_key(r, "key.file", mode_check, &pk, err, n);
	if (rc == VR_OK)
		rc = read_key(r, "contact.key.file", mode_check, &ck, err, n);
	if (rc == VR_OK && pk.n && ck.n && pk.n == ck.n && memcmp(pk.b, ck.b, pk.n) == 0) {
		char at[300];
		conf_where(r->cf, "engine", "contact.key.file", at, sizeof(at));
		snprintf(err, n, "%s: [engine] contact.key.file holds the pseudonym key: the keys "
			 "must differ, or one leaked key opens both", at);
		rc = VR_EINVAL;
	}
	memset(&pk, 0, sizeof(pk));
	memset(&ck, 0, sizeof(ck));
	return rc;
}
