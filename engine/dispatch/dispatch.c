/*
 * dispatch.c - case lifecycle, team queues and release (dispatch.h).
 *
 * Each case known to dispatch has an entry in a hash table keyed by its
 * id.  A queued entry owns a copy of its case (the latest, as the task
 * must show it) and sits in its team's queue, a binary heap in release
 * order that knows each entry's position, so a case that changes moves in
 * place.  Once released an entry keeps only its status and version.
 */
#include "dispatch.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch_int.h"
#include "jsonw.h"
#include "rules.h"
#include "vr.h"

const char *case_status_name(enum case_status s)
{
	static const char *const n[] = {"queued", "dispatched", "opgepakt", "closed"};
	return (unsigned)s < CASE_STATUS__COUNT ? n[s] : "?";
}

/* ---- the case table ---------------------------------------------------- */

static uint64_t id_hash(const char *id)
{
	uint64_t h = 1469598103934665603ull;
	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 1099511628211ull;
	return h;
}

static int table_grow(struct dispatch *d)
{
	size_t cap = d->cap ? d->cap * 2 : 1024;
	struct dcase **v = calloc(cap, sizeof(*v));
	if (!v)
		return VR_ENOMEM;
	for (size_t i = 0; i < d->cap; i++) {
		struct dcase *x = d->table[i];
		if (!x)
			continue;
		size_t k = id_hash(x->id) & (cap - 1);
		while (v[k])
			k = (k + 1) & (cap - 1);
		v[k] = x;
	}
	free(d->table);
	d->table = v;
	d->cap = cap;
	return VR_OK;
}

/* The entry of case id, added (zeroed, status queued) when new and add. */
static struct dcase *table_get(struct dispatch *d, const char *id, bool add, bool *added)
{
	*added = false;
	if (add && 2 * (d->n + 1) > d->cap && table_grow(d) != VR_OK)
		return NULL;
	size_t k = id_hash(id) & (d->cap - 1);
	for (; d->table[k]; k = (k + 1) & (d->cap - 1))
		if (strcmp(d->table[k]->id, id) == 0)
			return d->table[k];
	if (!add)
		return NULL;
	struct dcase *x = calloc(1, sizeof(*x));
	if (!x)
		return NULL;
	snprintf(x->id, sizeof(x->id), "%s", id);
	x->heap_pos = SIZE_MAX;
	x->opgepakt = VR_DATE_NONE;
	x->resultaat = -1;
	d->table[k] = x;
	d->n++;
	*added = true;
	return x;
}

struct dcase *dispatch_case_get(struct dispatch *d, const char *id)
{
	bool added;
	return table_get(d, id, true, &added);
}

struct dcase *dispatch_case_find(struct dispatch *d, const char *id)
{
	bool added;
	return table_get(d, id, false, &added);
}

int dispatch_case_info(struct dispatch *d, const char *id, struct dispatch_case_info *out)
{
	const struct dcase *x = dispatch_case_find(d, id);
	if (!x)
		return VR_ENOTFOUND;
	*out = (struct dispatch_case_info){x->status,   x->version,   x->team ? x->team->name : "",
					   x->opgepakt, x->resultaat, x->n_attempts};
	return VR_OK;
}

size_t dispatch_prune(struct dispatch *d, vr_date before, vr_date today)
{
	size_t gone = 0, cap = d->cap;
	struct dcase **old = d->table;
	struct dcase **keep = calloc(cap, sizeof(*keep));
	if (!keep)
		return 0;
	for (size_t i = 0; i < cap; i++) {
		struct dcase *x = old[i];
		if (!x)
			continue;
		if (x->changed == VR_DATE_NONE) /* restored: counted from now */
			x->changed = today;
		if (x->status != CASE_QUEUED && x->changed < before) {
			free(x->snap);
			free(x);
			gone++;
			continue;
		}
		size_t k = id_hash(x->id) & (cap - 1);
		while (keep[k])
			k = (k + 1) & (cap - 1);
		keep[k] = x;
	}
	free(old);
	d->table = keep;
	d->n -= gone;
	return gone;
}

/* ---- teams ----------------------------------------------------------------- */

struct team *dispatch_team_get(struct dispatch *d, const char *name)
{
	for (size_t i = 0; i < d->n_teams; i++)
		if (strcmp(d->teams[i].name, name) == 0)
			return &d->teams[i];
	if (d->n_teams == DISPATCH_TEAMS_MAX)
		return NULL;
	struct team *t = &d->teams[d->n_teams++];
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->capacity = DISPATCH_UNLIMITED;
	for (size_t i = 0; i < d->conf.n_teams; i++)
		if (strcmp(d->conf.teams[i].name, name) == 0)
			t->capacity = d->conf.teams[i].capacity;
	return t;
}

size_t dispatch_n_teams(const struct dispatch *d)
{
	return d->n_teams;
}

const char *dispatch_team(const struct dispatch *d, size_t i, long *capacity)
{
	if (capacity)
		*capacity = d->teams[i].capacity;
	return d->teams[i].name;
}

/* ---- life cycle -------------------------------------------------------- */

struct dispatch *dispatch_new(const struct dispatch_conf *conf, const struct engine *e,
			      const struct contact_key *ck, const struct dispatch_observer *obs,
			      char *err, size_t errlen)
{
	struct dispatch *d = calloc(1, sizeof(*d));
	if (!d || table_grow(d) != VR_OK) {
		free(d);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d->conf = *conf;
	d->e = e;
	d->ck = ck;
	d->obs = *obs;
	d->last = VR_DATE_NONE;
	jbuf_init(&d->json, 1u << 20);
	return d;
}

void dispatch_free(struct dispatch *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->cap; i++)
		if (d->table[i]) {
			free(d->table[i]->snap);
			free(d->table[i]);
		}
	for (size_t i = 0; i < d->n_teams; i++) {
		free(d->teams[i].heap);
		free(d->teams[i].waits);
	}
	free(d->restored);
	free(d->table);
	jbuf_fini(&d->json);
	free(d);
}

void dispatch_stats(const struct dispatch *d, struct dispatch_stats *out)
{
	*out = d->stats;
	out->in_queue = 0;
	for (size_t i = 0; i < d->n_teams; i++)
		out->in_queue += d->teams[i].n_heap;
}

/* Build and hand out version v of case c's task.  A fresh task (not one
 * the outbox sends again) enters the outbox first and counts. */
int dispatch_emit(struct dispatch *d, unsigned version, const struct case_rec *c, vr_date day,
		  bool fresh)
{
	char task_id[CASE_ID_STRLEN + 16];
	int rc = fresh ? journal_task(d, c, version, day) : VR_OK;
	if (rc == VR_OK)
		rc = task_json(&d->json, d->e, d->ck, c, version, day);
	if (rc != VR_OK)
		return rc;
	snprintf(task_id, sizeof(task_id), "%s.v%u", c->id, version);
	struct dispatch_task t = {task_id, c->id,          version, c->team,
				  (enum case_priority)c->priority, day, d->json.p,
				  d->json.len};
	d->stats.tasks += version == 1 && fresh;
	d->stats.versions += fresh;
	rc = d->obs.task(d->obs.ud, &t);
	/* The task held the household's contact details in the clear. */
	if (d->ck && c->contact_len)
		OPENSSL_cleanse(d->json.p, d->json.len);
	return rc;
}

static int waits_add(struct team *t, int wait)
{
	if (t->n_waits == t->cap_waits) {
		size_t cap = t->cap_waits ? 2 * t->cap_waits : 64;
		int *v = realloc(t->waits, cap * sizeof(*v));
		if (!v)
			return VR_ENOMEM;
		t->waits = v;
		t->cap_waits = cap;
	}
	t->waits[t->n_waits++] = wait;
	return VR_OK;
}

/* ---- snapshots: a queued case kept encoded ---- */

/* x's snapshot becomes p[0, len). */
static int snap_store(struct dcase *x, const unsigned char *p, size_t len)
{
	if (len > x->snap_cap) {
		uint32_t cap = (uint32_t)(len + 63) & ~63u;
		unsigned char *v = realloc(x->snap, cap);
		if (!v)
			return VR_ENOMEM;
		x->snap = v;
		x->snap_cap = cap;
	}
	memcpy(x->snap, p, len);
	x->snap_len = (uint32_t)len;
	return VR_OK;
}

int dispatch_snap_set_encoded(struct dispatch *d, struct dcase *x, const unsigned char *p,
			      size_t len)
{
	if (len > CASE_ENCODED_MAX || case_decode(p, len, &d->open) != VR_OK)
		return VR_EPARSE;
	return snap_store(x, p, len);
}

int dispatch_snap_set(struct dispatch *d, struct dcase *x, const struct case_rec *c)
{
	return snap_store(x, d->enc, case_encode(c, d->enc));
}

const struct case_rec *dispatch_snap_open(struct dispatch *d, const struct dcase *x)
{
	if (!x->snap || case_decode(x->snap, x->snap_len, &d->open) != VR_OK)
		return NULL;
	return &d->open;
}

void dispatch_snap_drop(struct dcase *x)
{
	free(x->snap);
	x->snap = NULL;
	x->snap_len = x->snap_cap = 0;
}

/* Release queued entry x of team t on day: version 1 of its task. */
static int release(struct dispatch *d, struct team *t, struct dcase *x, vr_date day)
{
	const struct case_rec *c = dispatch_snap_open(d, x);
	if (!c)
		return VR_EPARSE; /* written by this process: cannot happen */
	queue_remove(t, x);
	x->status = CASE_DISPATCHED;
	x->version = 1;
	x->changed = day;
	int wait = (int)(day - c->received);
	t->day.released++;
	t->day.released_crisis += c->priority == PRIO_CRISIS;
	if (day > c->due) {
		t->day.late++;
		d->stats.late++;
	}
	int rc = waits_add(t, wait < 0 ? 0 : wait);
	if (rc == VR_OK)
		rc = dispatch_emit(d, x->version, c, day, true);
	if (!d->keep_cases)
		dispatch_snap_drop(x);
	return rc == VR_OK ? journal_case(d, x) : rc;
}

/* A change to a case: queue it, move it in its queue, or issue a new
 * version of its task. */
static int case_changed(struct dispatch *d, const struct hkey *hh, const struct case_rec *c,
			vr_date day)
{
	bool added;
	struct dcase *x = table_get(d, c->id, true, &added);
	struct team *t = dispatch_team_get(d, c->team);
	if (!x || !t)
		return VR_ENOMEM;
	/* A change it already had (the deciding stage sends a batch's changes
	 * again when the batch is read again, docs/connectors.md): a case's
	 * every change lists one signal more, so one listing no more than
	 * its latest is not news.  While queued, applying it again is
	 * harmless; after release it would be a task version too many. */
	const struct case_rec *had = !added && x->status != CASE_QUEUED ? dispatch_snap_open(d, x)
									: NULL;
	if (had && c->n_signals <= had->n_signals)
		return VR_OK;
	x->changed = day;
	if (x->status != CASE_QUEUED) {
		x->version++;
		if (x->snap && dispatch_snap_set(d, x, c) != VR_OK)
			return VR_ENOMEM;
		int rc = dispatch_emit(d, x->version, c, day, true);
		return rc == VR_OK ? journal_case(d, x) : rc;
	}
	if (dispatch_snap_set(d, x, c) != VR_OK)
		return VR_ENOMEM;
	x->priority = c->priority;
	x->due = c->due;
	x->score = c->score;
	x->household = *hh;
	if (added) {
		x->queued = day;
		d->stats.queued++;
		t->day.arrived++;
	}
	/* A case whose team changed leaves the old queue. */
	if (x->team && x->team != t)
		queue_remove(x->team, x);
	x->team = t;
	if (queue_put(t, x) != VR_OK)
		return VR_ENOMEM;
	return c->priority == PRIO_CRISIS ? release(d, t, x, day) : journal_case(d, x);
}

static void day_figures(struct team *t, struct dispatch_day *out);

/* The figures of day `last`, for every team. */
static int flush_day(struct dispatch *d)
{
	int rc = VR_OK;
	for (size_t i = 0; i < d->n_teams && rc == VR_OK; i++) {
		struct team *t = &d->teams[i];
		struct dispatch_day day;
		day_figures(t, &day);
		day.date = d->last;
		day.working = d->last_working;
		if (d->obs.day && (day.working || day.released || day.arrived))
			rc = d->obs.day(d->obs.ud, &day);
		memset(&t->day, 0, sizeof(t->day));
		t->n_waits = 0;
	}
	return rc;
}

static bool is_working(const struct dispatch *d, vr_date day)
{
	return !date_is_weekend(day) && !ruleset_is_holiday(engine_get_rules(d->e), day);
}

/* The morning of working day `day`: each team's queue head, up to its
 * capacity. */
static int release_morning(struct dispatch *d, vr_date day)
{
	for (size_t i = 0; i < d->n_teams; i++) {
		struct team *t = &d->teams[i];
		for (long n = 0; t->n_heap && (t->capacity < 0 || n < t->capacity); n++) {
			int rc = release(d, t, t->heap[0], day);
			if (rc != VR_OK)
				return rc;
		}
	}
	return VR_OK;
}

int dispatch_advance(struct dispatch *d, vr_date today)
{
	int rc;
	if (today == VR_DATE_NONE)
		return VR_OK;
	if (d->last == VR_DATE_NONE) {
		d->last = today;
		d->last_working = false;
		return journal_last(d);
	}
	if (d->last >= today)
		return VR_OK;
	while (d->last < today) {
		if ((rc = flush_day(d)) != VR_OK)
			return rc;
		d->last++;
		d->last_working = is_working(d, d->last);
		if (d->last_working && (rc = release_morning(d, d->last)) != VR_OK)
			return rc;
	}
	return journal_last(d);
}

int dispatch_decision(struct dispatch *d, const struct decision *dec)
{
	int rc = dispatch_advance(d, dec->today);
	if (rc != VR_OK || !dec->has_case || !dec->case_after)
		return rc;
	return case_changed(d, &dec->household, dec->case_after, dec->today);
}

int dispatch_finish(struct dispatch *d)
{
	return d->last == VR_DATE_NONE ? VR_OK : flush_day(d);
}

static int int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* Nearest-rank percentile of the sorted v[0, n). */
static int pct(const int *v, size_t n, unsigned p)
{
	size_t k = (n * p + 99) / 100;
	return v[k ? k - 1 : 0];
}

static void day_figures(struct team *t, struct dispatch_day *out)
{
	memset(out, 0, sizeof(*out));
	out->team = t->name;
	out->capacity = t->capacity;
	out->arrived = t->day.arrived;
	out->released = t->day.released;
	out->released_crisis = t->day.released_crisis;
	out->late = t->day.late;
	out->depth = t->n_heap;
	out->wait_p50 = out->wait_p90 = out->wait_max = -1;
	if (t->n_waits) {
		qsort(t->waits, t->n_waits, sizeof(t->waits[0]), int_cmp);
		out->wait_p50 = pct(t->waits, t->n_waits, 50);
		out->wait_p90 = pct(t->waits, t->n_waits, 90);
		out->wait_max = t->waits[t->n_waits - 1];
	}
}
