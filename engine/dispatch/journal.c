/*
 * journal.c - dispatch's state as values of the store's own (dispatch.h,
 * "Persistence"): written with the batch that changed it, read back at
 * start-up.
 *
 * Values are little-endian, a version byte first:
 *   d:q:CASEID  2, status, version u32, queued u32, household (16 bytes),
 *               team (length byte + bytes), priority, due u32, score u32,
 *               opgepakt u32, resultaat (0xff none), attempts (count, then
 *               soort, bereikt, dagdeel, datum u32 each), then 1 +
 *               case_encode() (always while queued), or 0 (version 1: no
 *               outcome, and the case only while queued)
 *   d:o:TASKID  1, version u32, day u32, case_encode()
 *   d:last      1, day u32
 */
#include <stdlib.h>
#include <string.h>

#include "dispatch_int.h"
#include "vr.h"

#define JOURNAL_VERSION 2
#define KEY_MAX 96

struct out {
	unsigned char *p;
};

static void put_u8(struct out *o, unsigned v)
{
	*o->p++ = (unsigned char)v;
}

static void put_u32(struct out *o, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		*o->p++ = (unsigned char)(v >> (8 * i));
}

struct in {
	const unsigned char *p, *end;
	bool bad;
};

static unsigned get_u8(struct in *r)
{
	if (r->p >= r->end) {
		r->bad = true;
		return 0;
	}
	return *r->p++;
}

static uint32_t get_u32(struct in *r)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++)
		v |= (uint32_t)get_u8(r) << (8 * i);
	return v;
}

static int put(struct dispatch *d, const char *key, const void *val, size_t len)
{
	return d->journal.put(d->journal.ud, key, val, len, d->journal.ttl);
}

/* A d:q: value's fixed part: version, status, version, queued, household,
 * team, priority, due, score, opgepakt, resultaat, attempts, the case flag. */
#define QHEAD_MAX (1 + 1 + 4 + 4 + HKEY_LEN + 1 + CASE_TEAM_MAX + 1 + 4 + 4 + 4 + 1 + 1 + \
		   OUTCOME_ATTEMPTS_MAX * 7 + 1)

int journal_case(struct dispatch *d, const struct dcase *x)
{
	static unsigned char buf[QHEAD_MAX + CASE_ENCODED_MAX];
	char key[KEY_MAX];
	struct out o = {buf};
	if (!d->journal.put)
		return VR_OK;
	size_t tl = strlen(x->team->name);
	put_u8(&o, JOURNAL_VERSION);
	put_u8(&o, x->status);
	put_u32(&o, x->version);
	put_u32(&o, (uint32_t)x->queued);
	memcpy(o.p, x->household.b, HKEY_LEN);
	o.p += HKEY_LEN;
	put_u8(&o, (unsigned)tl);
	memcpy(o.p, x->team->name, tl);
	o.p += tl;
	put_u8(&o, x->priority);
	put_u32(&o, (uint32_t)x->due);
	put_u32(&o, (uint32_t)x->score);
	put_u32(&o, (uint32_t)x->opgepakt);
	put_u8(&o, x->resultaat < 0 ? 0xff : (unsigned)x->resultaat);
	put_u8(&o, x->n_attempts);
	for (unsigned i = 0; i < x->n_attempts; i++) {
		put_u8(&o, x->attempts[i].soort);
		put_u8(&o, x->attempts[i].bereikt);
		put_u8(&o, x->attempts[i].dagdeel);
		put_u32(&o, (uint32_t)x->attempts[i].datum);
	}
	put_u8(&o, x->snap != NULL);
	if (x->snap) {
		memcpy(o.p, x->snap, x->snap_len);
		o.p += x->snap_len;
	}
	snprintf(key, sizeof(key), "d:q:%s", x->id);
	return put(d, key, buf, (size_t)(o.p - buf));
}

int journal_task(struct dispatch *d, const struct case_rec *c, unsigned version, vr_date day)
{
	static unsigned char buf[1 + 4 + 4 + CASE_ENCODED_MAX];
	char key[KEY_MAX];
	struct out o = {buf};
	if (!d->journal.put)
		return VR_OK;
	put_u8(&o, JOURNAL_VERSION);
	put_u32(&o, version);
	put_u32(&o, (uint32_t)day);
	o.p += case_encode(c, o.p);
	snprintf(key, sizeof(key), "d:o:%s.v%u", c->id, version);
	return put(d, key, buf, (size_t)(o.p - buf));
}

int journal_last(struct dispatch *d)
{
	unsigned char buf[8];
	struct out o = {buf};
	if (!d->journal.put)
		return VR_OK;
	put_u8(&o, JOURNAL_VERSION);
	put_u32(&o, (uint32_t)d->last);
	return put(d, "d:last", buf, (size_t)(o.p - buf));
}

void dispatch_set_journal(struct dispatch *d, const struct dispatch_journal *j)
{
	d->journal = *j;
	d->keep_cases = j->put != NULL;
}

int dispatch_task_done(struct dispatch *d, const char *task_id)
{
	char key[KEY_MAX];
	if (!d->journal.put)
		return VR_OK;
	snprintf(key, sizeof(key), "d:o:%s", task_id);
	return put(d, key, NULL, 0);
}

/* A d:q: value: the entry back in its table and, while queued, its queue.
 * Read whole before the table sees it: a value it cannot read adds
 * nothing. */
/* Version 2's outcome fields. */
static void restore_outcome(struct dcase *v, struct in *r)
{
	v->opgepakt = (vr_date)get_u32(r);
	unsigned res = get_u8(r);
	v->resultaat = res == 0xff ? -1 : (int8_t)res;
	v->n_attempts = (uint8_t)get_u8(r);
	if (res != 0xff && !outcome_resultaat_name((int)res))
		r->bad = true;
	if (v->n_attempts > OUTCOME_ATTEMPTS_MAX) {
		r->bad = true;
		return;
	}
	for (unsigned i = 0; i < v->n_attempts; i++) {
		v->attempts[i].soort = (uint8_t)get_u8(r);
		v->attempts[i].bereikt = get_u8(r) != 0;
		v->attempts[i].dagdeel = (uint8_t)get_u8(r);
		v->attempts[i].datum = (vr_date)get_u32(r);
	}
}

static int restore_case(struct dispatch *d, const char *id, struct in *r, unsigned version)
{
	char team[CASE_TEAM_MAX + 1];
	struct dcase v = {0};
	v.opgepakt = VR_DATE_NONE;
	v.resultaat = -1;
	v.status = (enum case_status)get_u8(r);
	v.version = get_u32(r);
	v.queued = (vr_date)get_u32(r);
	if (r->bad || r->end - r->p < HKEY_LEN)
		return VR_EPARSE;
	memcpy(v.household.b, r->p, HKEY_LEN);
	r->p += HKEY_LEN;
	size_t tl = get_u8(r);
	if (r->bad || tl > CASE_TEAM_MAX || (size_t)(r->end - r->p) < tl)
		return VR_EPARSE;
	memcpy(team, r->p, tl);
	team[tl] = '\0';
	r->p += tl;
	v.priority = (uint8_t)get_u8(r);
	v.due = (vr_date)get_u32(r);
	v.score = (int32_t)get_u32(r);
	if (version >= 2)
		restore_outcome(&v, r);
	bool has_case = get_u8(r), queued = v.status == CASE_QUEUED;
	if (r->bad || v.status >= CASE_STATUS__COUNT || (queued && !has_case))
		return VR_EPARSE;
	if (has_case) {
		int rc = dispatch_snap_set_encoded(d, &v, r->p, (size_t)(r->end - r->p));
		if (rc != VR_OK)
			return rc;
	} else if (r->p != r->end) {
		return VR_EPARSE;
	}
	struct dcase *x = dispatch_case_get(d, id);
	if (!x || !(v.team = dispatch_team_get(d, team))) {
		free(v.snap);
		return VR_ENOMEM;
	}
	/* SCAN may return a key twice: the later copy replaces the first. */
	if (x->team)
		queue_remove(x->team, x);
	free(x->snap);
	memcpy(v.id, x->id, sizeof(v.id));
	v.heap_pos = SIZE_MAX;
	v.changed = VR_DATE_NONE; /* unknown: kept until it changes */
	*x = v;
	if (!queued)
		return VR_OK;
	d->stats.queued++;
	return queue_put(x->team, x);
}

static int restore_task(struct dispatch *d, struct in *r)
{
	if (d->n_restored == d->cap_restored) {
		size_t cap = d->cap_restored ? 2 * d->cap_restored : 16;
		struct outbox_rec *v = realloc(d->restored, cap * sizeof(*v));
		if (!v)
			return VR_ENOMEM;
		d->restored = v;
		d->cap_restored = cap;
	}
	struct outbox_rec *o = &d->restored[d->n_restored];
	o->version = get_u32(r);
	o->day = (vr_date)get_u32(r);
	if (r->bad || case_decode(r->p, (size_t)(r->end - r->p), &o->c) != VR_OK)
		return VR_EPARSE;
	d->n_restored++;
	return VR_OK;
}

int dispatch_restore(struct dispatch *d, const char *key, const void *val, size_t len)
{
	struct in r = {val, (const unsigned char *)val + len, false};
	/* Other values under the prefix are not the journal's: the inbox
	 * (d:in, d:inbox) and the zgw sinks' zaak records (d:z:). */
	if (strncmp(key, "d:q:", 4) != 0 && strncmp(key, "d:o:", 4) != 0 &&
	    strcmp(key, "d:last") != 0)
		return VR_OK;
	unsigned version = get_u8(&r);
	if (version < 1 || version > JOURNAL_VERSION)
		return VR_EPARSE;
	if (strncmp(key, "d:q:", 4) == 0 && key[4] && strlen(key + 4) < CASE_ID_STRLEN)
		return restore_case(d, key + 4, &r, version);
	if (strncmp(key, "d:o:", 4) == 0)
		return restore_task(d, &r);
	if (strcmp(key, "d:last") == 0) {
		vr_date last = (vr_date)get_u32(&r);
		if (r.bad)
			return VR_EPARSE;
		d->last = last;
		return VR_OK;
	}
	return VR_EPARSE;
}

static int rec_cmp(const void *a, const void *b)
{
	const struct outbox_rec *x = a, *y = b;
	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	int c = strcmp(x->c.id, y->c.id);
	return c ? c : (x->version > y->version) - (x->version < y->version);
}

int dispatch_resend(struct dispatch *d)
{
	int rc = VR_OK;
	if (d->n_restored)
		qsort(d->restored, d->n_restored, sizeof(*d->restored), rec_cmp);
	for (size_t i = 0; i < d->n_restored && rc == VR_OK; i++)
		rc = dispatch_emit(d, d->restored[i].version, &d->restored[i].c, d->restored[i].day,
				   false);
	free(d->restored);
	d->restored = NULL;
	d->n_restored = d->cap_restored = 0;
	return rc;
}
