/*
 * store_redis_int.h - for store_redis.c and store_redis_url.c only: the
 * Redis store's state, and its URL parser.
 */
#ifndef VR_STORE_REDIS_INT_H
#define VR_STORE_REDIS_INT_H

#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/time.h>

#define PREFIX_MAX 96
#define KEY_MAX (PREFIX_MAX + 128)

struct redis_store {
	char host[256];
	int port;               /* 0: unix socket in host */
	char user[128], password[256];
	int db;
	char prefix[PREFIX_MAX];
	struct timeval connect_timeout, timeout;
	redisContext *c;
	char err[256];          /* the last error, for store_error() */
	/* Commands are written here in the protocol's own form (RESP) and
	 * handed to hiredis in one piece: kept between batches. */
	char *out;
	size_t out_len, out_cap;
	bool out_bad;           /* out of memory while writing out */
	/* Sent and not yet read: the replies of an apply (MULTI, one per
	 * write, EXEC), and of a load (its MGET). */
	size_t apply_replies;
	bool load_sent;
};

/* Is url one of the Redis store's (redis://, unix://, /path)? */
bool redis_accepts(const char *url);

/*
 * Fill r's server, credentials, db, prefix and timeouts from url:
 * redis://[[user]:password@]host[:port][/db][?query], unix:///path[?query]
 * or a bare socket path /path[?query]; query: db=N, prefix=P, timeout=S.
 * VR_EINVAL with err, which never echoes the URL (it may hold a password).
 */
int redis_parse_url(struct redis_store *r, const char *url, char *err, size_t errlen);

#endif
