/*
 * store_redis.c - household state in Redis (hiredis), for the service.
 *
 * Key layout (docs/state.md), every key under a deployment prefix:
 *   PREFIX{H}:hh            household state (state_encode), TTL retention_household
 *   PREFIX{H}:case:CASEID   a completed case, TTL retention_cases
 *   PREFIXKEY               the caller's own values (store_kv: dispatch's
 *                           d:q:CASEID queue entries, d:o:TASKID outbox)
 * A case carries its sealed contact block (contact.h) inside its value.
 * H is a pseudonym (32 hex digits): no key or value holds a BSN,
 * name or address.  {H} is a Cluster hash tag: a household's keys share a
 * slot.
 *
 * A batch costs one MGET of its households and one MULTI ... EXEC with
 * every write (whole values with their TTL), which Redis applies completely
 * or not at all.  Writing whole values makes a repeated apply harmless.
 * Both are pipelined (store.h): the engine sends batch N's EXEC, then batch
 * N+1's MGET on the same connection, which Redis runs after the EXEC, and
 * reads both answers at once: one round trip per batch.  A lost connection
 * is VR_EAGAIN; the next call reconnects, never while a sent apply's answer
 * is still to be read (a load must see that apply).
 */
#include <errno.h>
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "store_redis.h"
#include "store_redis_int.h"
#include "vr.h"

static void disconnect(struct redis_store *r)
{
	if (r->c)
		redisFree(r->c);
	r->c = NULL;
}

/* Replies that mean "try again later" rather than "this will never work". */
static bool error_is_retryable(const char *s)
{
	static const char *const codes[] = {"OOM", "READONLY", "LOADING", "BUSY", "MASTERDOWN",
					    "TRYAGAIN", "CLUSTERDOWN", "NOREPLICAS"};
	for (size_t i = 0; i < VR_ARRAY_LEN(codes); i++)
		if (!strncmp(s, codes[i], strlen(codes[i])))
			return true;
	return false;
}

static int reply_error(struct redis_store *r, const redisReply *rep, const char *what)
{
	snprintf(r->err, sizeof(r->err), "redis %s: %.160s", what, rep->str);
	return error_is_retryable(rep->str) ? VR_EAGAIN : VR_EIO;
}

static int io_error(struct redis_store *r, const char *what)
{
	snprintf(r->err, sizeof(r->err), "redis %s: %s", what,
		 r->c && r->c->errstr[0] ? r->c->errstr : "connection lost");
	disconnect(r);
	return VR_EAGAIN;
}

static int run_simple(struct redis_store *r, const char *what, int argc, const char **argv)
{
	redisReply *rep = redisCommandArgv(r->c, argc, argv, NULL);
	if (!rep)
		return io_error(r, what);
	int rc = rep->type == REDIS_REPLY_ERROR ? reply_error(r, rep, what) : VR_OK;
	freeReplyObject(rep);
	return rc;
}

static int ensure_connected(struct redis_store *r)
{
	if (r->c)
		return VR_OK;
	r->c = r->port ? redisConnectWithTimeout(r->host, r->port, r->connect_timeout)
		       : redisConnectUnixWithTimeout(r->host, r->connect_timeout);
	if (!r->c || r->c->err)
		return io_error(r, "connect");
	redisSetTimeout(r->c, r->timeout);
	int rc;
	if (r->password[0]) {
		const char *a[3] = {"AUTH", r->user[0] ? r->user : r->password, r->password};
		if ((rc = run_simple(r, "AUTH", r->user[0] ? 3 : 2, a)) != VR_OK) {
			disconnect(r);
			return rc == VR_EAGAIN ? rc : VR_EIO;
		}
	}
	if (r->db) {
		char db[16];
		snprintf(db, sizeof(db), "%d", r->db);
		const char *a[2] = {"SELECT", db};
		if ((rc = run_simple(r, "SELECT", 2, a)) != VR_OK) {
			disconnect(r);
			return rc;
		}
	}
	/* A server that wants a password answers NOAUTH here, before a
	 * pipeline it would cut off: that is a configuration error, not a
	 * reason to wait. */
	const char *ping[1] = {"PING"};
	if ((rc = run_simple(r, "PING", 1, ping)) != VR_OK) {
		disconnect(r);
		return rc;
	}
	return VR_OK;
}

static int redis_check(const char *url, char *err, size_t errlen)
{
	struct redis_store *r = calloc(1, sizeof(*r));
	if (!r)
		return VR_ENOMEM;
	int rc = redis_parse_url(r, url, err, errlen);
	free(r);
	return rc;
}

static int redis_open(struct store *st, const char *url, char *err, size_t errlen)
{
	struct redis_store *r = calloc(1, sizeof(*r));
	if (!r)
		return VR_ENOMEM;
	if (redis_parse_url(r, url, err, errlen) != VR_OK) {
		free(r);
		return VR_EINVAL;
	}
	st->impl = r;
	/* A first connection now, so a wrong address or password is reported
	 * at start-up; an unreachable server is only a warning for the
	 * caller to decide on (the service waits for it). */
	int rc = ensure_connected(r);
	if (rc == VR_EIO) {
		snprintf(err, errlen, "%s", r->err);
		disconnect(r);
		free(r);
		st->impl = NULL;
		return VR_EINVAL;
	}
	return VR_OK;
}

static void redis_close(struct store *st)
{
	struct redis_store *r = st->impl;
	if (!r)
		return;
	disconnect(r);
	free(r->out);
	free(r);
}

/* Room for n more bytes in r->out. */
static char *out_room(struct redis_store *r, size_t n)
{
	if (r->out_len + n > r->out_cap) {
		size_t cap = r->out_cap ? r->out_cap : 1 << 16;
		while (cap < r->out_len + n)
			cap *= 2;
		char *p = realloc(r->out, cap);
		if (!p) {
			r->out_bad = true;
			return NULL;
		}
		r->out = p;
		r->out_cap = cap;
	}
	return r->out + r->out_len;
}

/* "<c><n>\r\n": an array header ('*') or a bulk string's length ('$'). */
static void out_head(struct redis_store *r, char c, size_t n)
{
	char *p = out_room(r, 24), tmp[21];
	int k = 0;
	if (!p)
		return;
	do
		tmp[k++] = (char)('0' + n % 10);
	while ((n /= 10));
	*p++ = c;
	while (k)
		*p++ = tmp[--k];
	*p++ = '\r';
	*p++ = '\n';
	r->out_len = (size_t)(p - r->out);
}

static void out_bulk(struct redis_store *r, const void *v, size_t n)
{
	out_head(r, '$', n);
	char *p = out_room(r, n + 2);
	if (!p)
		return;
	memcpy(p, v, n);
	p[n] = '\r';
	p[n + 1] = '\n';
	r->out_len += n + 2;
}

static void out_word(struct redis_store *r, const char *w)
{
	out_bulk(r, w, strlen(w));
}

/* Hand the commands in r->out to hiredis and write them to the server
 * without waiting for replies. */
static int out_send(struct redis_store *r, const char *what)
{
	int done = 0;
	size_t len = r->out_len;
	r->out_len = 0;
	if (r->out_bad) {
		r->out_bad = false;
		snprintf(r->err, sizeof(r->err), "redis %s: out of memory", what);
		return VR_ENOMEM;
	}
	if (redisAppendFormattedCommand(r->c, r->out, len) != REDIS_OK)
		return io_error(r, what);
	while (!done)
		if (redisBufferWrite(r->c, &done) != REDIS_OK)
			return io_error(r, what);
	return VR_OK;
}

/* PREFIX{32 hex digits}SUFFIX[ID] as a bulk string. */
static void out_key(struct redis_store *r, const struct hkey *h, const char *suffix,
		    const char *id)
{
	static const char hex[] = "0123456789abcdef";
	char k[KEY_MAX], *p = k;
	size_t pl = strlen(r->prefix), sl = strlen(suffix), il = id ? strlen(id) : 0;
	if (pl + 2 * HKEY_LEN + 2 + sl + il > sizeof(k)) {
		r->out_bad = true;
		return;
	}
	memcpy(p, r->prefix, pl);
	p += pl;
	*p++ = '{';
	for (int i = 0; i < HKEY_LEN; i++) {
		*p++ = hex[h->b[i] >> 4];
		*p++ = hex[h->b[i] & 15];
	}
	*p++ = '}';
	memcpy(p, suffix, sl);
	p += sl;
	if (il)
		memcpy(p, id, il);
	p += il;
	out_bulk(r, k, (size_t)(p - k));
}

static int redis_load_send(struct store *st, struct store_batch *b)
{
	struct redis_store *r = st->impl;
	int rc = VR_OK;

	/* With an apply's replies outstanding the load must go down the same
	 * connection after it (it reads the apply's writes): never a new one. */
	if (!r->apply_replies && (rc = ensure_connected(r)) != VR_OK)
		return rc;
	if (!r->c)
		return VR_EAGAIN;
	if (!b->n_items)
		return VR_OK;
	out_head(r, '*', b->n_items + 1);
	out_word(r, "MGET");
	for (size_t i = 0; i < b->n_items; i++)
		out_key(r, &b->items[i].key, ":hh", NULL);
	rc = out_send(r, "MGET");
	r->load_sent = rc == VR_OK;
	return rc;
}

/*
 * Households stored by version 5 kept their case's contact block under a key
 * of its own; the first load after the upgrade brings it into the case
 * (written back with the household's next change).  One extra round trip,
 * only for batches that hold such households.
 */
static bool stored_v5(const redisReply *mget, const struct store_batch *b, size_t i)
{
	const redisReply *e = mget->element[i];
	return b->items[i].found && e->type == REDIS_REPLY_STRING && e->len > 0 &&
	       e->str[0] == 5 && b->items[i].state.has_case;
}

static int load_v5_contacts(struct redis_store *r, const redisReply *mget,
			    struct store_batch *b)
{
	for (size_t i = 0; i < b->n_items; i++) {
		if (!stored_v5(mget, b, i))
			continue;
		out_head(r, '*', 2);
		out_word(r, "GET");
		out_key(r, &b->items[i].key, ":contact:", b->items[i].state.cur.id);
	}
	int rc = out_send(r, "GET");
	for (size_t i = 0; rc == VR_OK && i < b->n_items; i++) {
		struct case_rec *c = &b->items[i].state.cur;
		redisReply *v;
		if (!stored_v5(mget, b, i))
			continue;
		if (redisGetReply(r->c, (void **)&v) != REDIS_OK)
			return io_error(r, "GET");
		if (v->type == REDIS_REPLY_STRING && v->len > 0 &&
		    (size_t)v->len <= sizeof(c->contact)) {
			memcpy(c->contact, v->str, (size_t)v->len);
			c->contact_len = (uint16_t)v->len;
		}
		freeReplyObject(v);
	}
	return rc;
}

static int redis_load_wait(struct store *st, struct store_batch *b)
{
	struct redis_store *r = st->impl;
	redisReply *rep = NULL;
	int rc = VR_OK;

	if (!r->load_sent)
		return VR_OK; /* nothing to read: an empty batch */
	r->load_sent = false;
	if (!r->c)
		return VR_EAGAIN; /* lost while reading the apply: its error stands */
	if (redisGetReply(r->c, (void **)&rep) != REDIS_OK)
		return io_error(r, "MGET");
	if (rep->type == REDIS_REPLY_ERROR) {
		rc = reply_error(r, rep, "MGET");
	} else if (rep->type != REDIS_REPLY_ARRAY || rep->elements != b->n_items) {
		snprintf(r->err, sizeof(r->err), "redis MGET: unexpected reply");
		rc = VR_EIO;
	}
	size_t v5 = 0;
	for (size_t i = 0; rc == VR_OK && i < b->n_items; i++) {
		const redisReply *e = rep->element[i];
		if (e->type == REDIS_REPLY_NIL)
			continue;
		if (e->type != REDIS_REPLY_STRING ||
		    state_decode((const unsigned char *)e->str, e->len, &b->items[i].state)) {
			snprintf(r->err, sizeof(r->err), "redis: corrupt household state");
			rc = VR_EPARSE;
			break;
		}
		b->items[i].found = true;
		v5 += stored_v5(rep, b, i);
	}
	if (rc == VR_OK && v5)
		rc = load_v5_contacts(r, rep, b);
	freeReplyObject(rep);
	return rc;
}

/* SET key value [PX ms], the key written by out_key */
static void out_set(struct redis_store *r, const struct hkey *h, const char *suffix,
		    const char *id, const void *val, size_t vlen, int64_t ttl)
{
	char ms[24];
	out_head(r, '*', ttl > 0 ? 5 : 3);
	out_word(r, "SET");
	out_key(r, h, suffix, id);
	out_bulk(r, val, vlen);
	if (ttl > 0) {
		out_word(r, "PX");
		out_bulk(r, ms, (size_t)snprintf(ms, sizeof(ms), "%lld", (long long)ttl * 1000));
	}
}

/* PREFIX + the caller's key, as a bulk string. */
static void out_pkey(struct redis_store *r, const char *key)
{
	char k[KEY_MAX];
	int n = snprintf(k, sizeof(k), "%s%s", r->prefix, key);
	if (n < 0 || (size_t)n >= sizeof(k)) {
		r->out_bad = true;
		return;
	}
	out_bulk(r, k, (size_t)n);
}

/* SET PREFIXKEY value [PX ms], or DEL PREFIXKEY */
static void out_kv(struct redis_store *r, const struct store_kv *kv)
{
	char ms[24];
	if (!kv->val) {
		out_head(r, '*', 2);
		out_word(r, "DEL");
		out_pkey(r, kv->key);
		return;
	}
	out_head(r, '*', kv->ttl > 0 ? 5 : 3);
	out_word(r, "SET");
	out_pkey(r, kv->key);
	out_bulk(r, kv->val, kv->len);
	if (kv->ttl > 0) {
		out_word(r, "PX");
		out_bulk(r, ms, (size_t)snprintf(ms, sizeof(ms), "%lld", (long long)kv->ttl * 1000));
	}
}

static int redis_apply_send(struct store *st, const struct store_batch *b)
{
	struct redis_store *r = st->impl;
	unsigned char buf[STATE_ENCODED_MAX];
	size_t queued = 0;
	int rc;

	if ((rc = ensure_connected(r)) != VR_OK)
		return rc;
	out_head(r, '*', 1);
	out_word(r, "MULTI");
	for (size_t i = 0; i < b->n_items; i++) {
		const struct store_item *it = &b->items[i];
		if (!it->dirty)
			continue;
		out_set(r, &it->key, ":hh", NULL, buf, state_encode(&it->state, buf),
			b->ttl_household);
		queued++;
	}
	for (size_t i = 0; i < b->n_cases; i++) {
		/* A completed case is stored as a state holding only that case. */
		static struct hh_state one;
		one.key = b->cases[i].household;
		one.n_arrears = 0;
		one.n_cases = 0;
		one.has_prev = false;
		one.has_case = true;
		one.cur = b->cases[i].c;
		out_set(r, &one.key, ":case:", one.cur.id, buf, state_encode(&one, buf), b->ttl_case);
		queued++;
	}
	for (size_t i = 0; i < b->n_kv; i++) {
		out_kv(r, &b->kv[i]);
		queued++;
	}
	out_head(r, '*', 1);
	out_word(r, "EXEC");
	rc = out_send(r, "MULTI/EXEC");
	r->apply_replies = rc == VR_OK ? queued + 2 : 0;
	return rc;
}

static int redis_apply_wait(struct store *st)
{
	struct redis_store *r = st->impl;
	size_t n = r->apply_replies;
	int rc = VR_OK;

	/* MULTI's +OK, one +QUEUED (or an error) per write, then EXEC. */
	redisReply *rep;
	char first_err[160] = "";
	r->apply_replies = 0;
	if (!r->c)
		return io_error(r, "MULTI/EXEC");
	for (size_t i = 0; i < n; i++) {
		if (redisGetReply(r->c, (void **)&rep) != REDIS_OK)
			return io_error(r, "MULTI/EXEC");
		if (rep->type == REDIS_REPLY_ERROR && !first_err[0])
			snprintf(first_err, sizeof(first_err), "%s", rep->str);
		bool last = i == n - 1;
		if (last && rep->type == REDIS_REPLY_ARRAY) {
			for (size_t k = 0; k < rep->elements && rc == VR_OK; k++)
				if (rep->element[k]->type == REDIS_REPLY_ERROR)
					rc = reply_error(r, rep->element[k], "EXEC");
		} else if (last) {
			/* EXECABORT: a queued write was refused, so none ran.
			 * Judge by why that write was refused. */
			redisReply why = *rep;
			if (first_err[0])
				why.str = first_err;
			rc = why.type == REDIS_REPLY_ERROR || first_err[0]
				     ? reply_error(r, &why, "EXEC")
				     : VR_EIO;
		}
		freeReplyObject(rep);
	}
	return rc;
}

/* SCAN the household keys; fn sees each decoded state. */
static int redis_foreach(struct store *st, int (*fn)(void *ud, const struct hh_state *s),
			 void *ud)
{
	struct redis_store *r = st->impl;
	char pattern[KEY_MAX], cursor[32] = "0";
	struct hh_state *s = malloc(sizeof(*s));
	int rc;

	if (!s)
		return VR_ENOMEM;
	if ((rc = ensure_connected(r)) != VR_OK) {
		free(s);
		return rc;
	}
	snprintf(pattern, sizeof(pattern), "%s{*}:hh", r->prefix);
	do {
		redisReply *rep = redisCommand(r->c, "SCAN %s MATCH %s COUNT 4096", cursor, pattern);
		if (!rep) {
			rc = io_error(r, "SCAN");
			break;
		}
		if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 2) {
			rc = rep->type == REDIS_REPLY_ERROR ? reply_error(r, rep, "SCAN") : VR_EIO;
			freeReplyObject(rep);
			break;
		}
		snprintf(cursor, sizeof(cursor), "%s", rep->element[0]->str);
		const redisReply *keys = rep->element[1];
		if (keys->elements == 0) {
			freeReplyObject(rep);
			continue;
		}
		/* The page's values in one MGET. */
		out_head(r, '*', keys->elements + 1);
		out_word(r, "MGET");
		for (size_t i = 0; i < keys->elements; i++)
			out_bulk(r, keys->element[i]->str, (size_t)keys->element[i]->len);
		freeReplyObject(rep);
		redisReply *v = NULL;
		if ((rc = out_send(r, "MGET")) != VR_OK)
			break;
		if (redisGetReply(r->c, (void **)&v) != REDIS_OK) {
			rc = io_error(r, "MGET");
			break;
		}
		if (v->type != REDIS_REPLY_ARRAY)
			rc = v->type == REDIS_REPLY_ERROR ? reply_error(r, v, "MGET") : VR_EIO;
		for (size_t i = 0; rc == VR_OK && i < v->elements; i++) {
			const redisReply *e = v->element[i];
			/* Expired between SCAN and MGET: gone, not an error. */
			if (e->type != REDIS_REPLY_STRING)
				continue;
			if (state_decode((const unsigned char *)e->str, e->len, s)) {
				snprintf(r->err, sizeof(r->err), "redis: corrupt household state");
				rc = VR_EPARSE;
			} else {
				rc = fn(ud, s);
			}
		}
		freeReplyObject(v);
	} while (rc == VR_OK && strcmp(cursor, "0") != 0);
	free(s);
	return rc;
}

static int redis_kv_get(struct store *st, const char *key,
			int (*fn)(void *ud, const char *key, const void *val, size_t len), void *ud)
{
	struct redis_store *r = st->impl;
	char k[KEY_MAX];
	int rc;
	if ((rc = ensure_connected(r)) != VR_OK)
		return rc;
	int n = snprintf(k, sizeof(k), "%s%s", r->prefix, key);
	if (n < 0 || (size_t)n >= sizeof(k))
		return VR_EINVAL;
	redisReply *v = redisCommand(r->c, "GET %b", k, (size_t)n);
	if (!v)
		return io_error(r, "GET");
	if (v->type == REDIS_REPLY_STRING)
		rc = fn(ud, key, v->str, v->len);
	else if (v->type == REDIS_REPLY_ERROR)
		rc = reply_error(r, v, "GET");
	freeReplyObject(v);
	return rc;
}

/* s with the glob characters of SCAN MATCH escaped, into out. */
static void glob_escape(const char *s, char *out, size_t n)
{
	size_t k = 0;
	for (; *s && k + 2 < n; s++) {
		if (strchr("*?[]\\", *s))
			out[k++] = '\\';
		out[k++] = *s;
	}
	out[k] = '\0';
}

/* SCAN PREFIX<prefix>* and MGET each page: fn sees key (without the
 * store's prefix) and value. */
static int redis_kv_scan(struct store *st, const char *prefix,
			 int (*fn)(void *ud, const char *key, const void *val, size_t len),
			 void *ud)
{
	struct redis_store *r = st->impl;
	char pattern[4 * KEY_MAX + 2], a[2 * KEY_MAX], b[2 * KEY_MAX], cursor[32] = "0";
	size_t pl = strlen(r->prefix);
	int rc;
	if ((rc = ensure_connected(r)) != VR_OK)
		return rc;
	glob_escape(r->prefix, a, sizeof(a));
	glob_escape(prefix, b, sizeof(b));
	snprintf(pattern, sizeof(pattern), "%s%s*", a, b);
	do {
		redisReply *rep = redisCommand(r->c, "SCAN %s MATCH %s COUNT 4096", cursor, pattern);
		if (!rep)
			return io_error(r, "SCAN");
		if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 2) {
			rc = rep->type == REDIS_REPLY_ERROR ? reply_error(r, rep, "SCAN") : VR_EIO;
			freeReplyObject(rep);
			return rc;
		}
		snprintf(cursor, sizeof(cursor), "%s", rep->element[0]->str);
		const redisReply *keys = rep->element[1];
		for (size_t i = 0; i < keys->elements && rc == VR_OK; i++) {
			const redisReply *k = keys->element[i];
			redisReply *v = redisCommand(r->c, "GET %b", k->str, (size_t)k->len);
			if (!v) {
				rc = io_error(r, "GET");
				break;
			}
			/* Deleted or expired since the SCAN: gone, not an error. */
			if (v->type == REDIS_REPLY_STRING && (size_t)k->len > pl)
				rc = fn(ud, k->str + pl, v->str, v->len);
			else if (v->type == REDIS_REPLY_ERROR)
				rc = reply_error(r, v, "GET");
			freeReplyObject(v);
		}
		freeReplyObject(rep);
	} while (rc == VR_OK && strcmp(cursor, "0") != 0);
	return rc;
}

static size_t count_keys(struct redis_store *r, const char *pattern)
{
	char cursor[32] = "0";
	size_t n = 0;
	if (ensure_connected(r) != VR_OK)
		return 0;
	do {
		redisReply *rep = redisCommand(r->c, "SCAN %s MATCH %s COUNT 4096", cursor, pattern);
		if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements != 2) {
			if (rep)
				freeReplyObject(rep);
			else
				disconnect(r);
			return n;
		}
		snprintf(cursor, sizeof(cursor), "%s", rep->element[0]->str);
		n += rep->element[1]->elements;
		freeReplyObject(rep);
	} while (strcmp(cursor, "0") != 0);
	return n;
}

static void redis_stats(const struct store *st, struct store_stats *out)
{
	struct redis_store *r = st->impl;
	char pattern[KEY_MAX];
	snprintf(pattern, sizeof(pattern), "%s{*}:hh", r->prefix);
	out->households = count_keys(r, pattern);
}

static const char *redis_error(const struct store *st)
{
	const struct redis_store *r = st->impl;
	return r->err;
}

static const struct store_ops store_redis_ops = {
	.name = "redis",
	.accepts = redis_accepts,
	.open = redis_open,
	.apply_send = redis_apply_send,
	.apply_wait = redis_apply_wait,
	.load_send = redis_load_send,
	.load_wait = redis_load_wait,
	.check = redis_check,
	.foreach = redis_foreach,
	.kv_scan = redis_kv_scan,
	.kv_get = redis_kv_get,
	.stats = redis_stats,
	.error = redis_error,
	.close = redis_close,
};

void store_redis_register(void)
{
	store_register(&store_redis_ops);
}
