/* test_dispatch.c - team queues, release and task versions (dispatch.h). */
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "harness.h"
#include "vr.h"

/* What the observer heard. */
struct heard {
	char ids[64][48];        /* task ids in order */
	vr_date day[64];
	size_t n;
	struct dispatch_day days[64];
	char day_team[64][32];
	size_t n_days;
};

static int on_task(void *ud, const struct dispatch_task *t)
{
	struct heard *h = ud;
	CHECK(t->len > 0 && t->json[0] == '{' && t->json[t->len - 1] == '}');
	CHECK(strstr(t->json, t->task_id) != NULL);
	if (h->n < 64) {
		snprintf(h->ids[h->n], sizeof(h->ids[0]), "%s", t->task_id);
		h->day[h->n++] = t->day;
	}
	return VR_OK;
}

static int on_day(void *ud, const struct dispatch_day *d)
{
	struct heard *h = ud;
	if (h->n_days < 64) {
		snprintf(h->day_team[h->n_days], sizeof(h->day_team[0]), "%s", d->team);
		h->days[h->n_days++] = *d;
	}
	return VR_OK;
}

static struct engine *eng;
static struct store *st;
static struct ruleset *rs;
static struct pseudo *ps;
static struct vr_clock clk;

static int no_dec(void *ud, const struct decision *d)
{
	(void)ud, (void)d;
	return VR_OK;
}

static int no_case(void *ud, const struct hkey *h, const struct case_rec *c)
{
	(void)ud, (void)h, (void)c;
	return VR_OK;
}

/* An engine for the rule set's calendar and names; it decides nothing. */
static void setup(void)
{
	static const unsigned char key[32] = "0123456789abcdef0123456789abcdef";
	char err[256];
	struct engine_conf conf;
	struct engine_observer obs = {.decision = no_dec, .case_done = no_case};
	engine_conf_init(&conf);
	clock_init_event(&clk, VR_DATE_NONE);
	ps = pseudo_new_key(key, 32, err, sizeof(err));
	rs = ruleset_load_default(err, sizeof(err));
	st = store_open("memory", err, sizeof(err));
	eng = engine_new(&conf, rs, st, ps, &clk, &obs, err, sizeof(err));
	CHECK(eng != NULL);
}

static vr_date day(const char *s)
{
	vr_date d;
	CHECK_INT(date_parse(s, strlen(s), &d), VR_OK);
	return d;
}

static struct case_rec mk(const char *id, enum case_priority p, const char *due, int score,
			  const char *team)
{
	struct case_rec c;
	memset(&c, 0, sizeof(c));
	snprintf(c.id, sizeof(c.id), "%s", id);
	c.priority = (uint8_t)p;
	c.due = day(due);
	c.score = score;
	c.received = day("2024-03-01");
	c.n_signals = 1;
	snprintf(c.signals[0].id, sizeof(c.signals[0].id), "S-%s", id);
	c.signals[0].date = c.signals[0].received = c.received;
	snprintf(c.team, sizeof(c.team), "%s", team);
	return c;
}

/* The decision that changed case c, on day `today`. */
static int feed(struct dispatch *d, const struct case_rec *c, const char *today)
{
	struct decision dec;
	memset(&dec, 0, sizeof(dec));
	dec.status = DEC_OPGEPAKT;
	dec.has_case = true;
	dec.case_after = c;
	dec.today = day(today);
	return dispatch_decision(d, &dec);
}

static struct dispatch *open_d(struct heard *h, const char *caps)
{
	struct dispatch_conf conf;
	char err[128];
	dispatch_conf_init(&conf);
	if (caps)
		CHECK_INT(dispatch_conf_parse(&conf, caps, err, sizeof(err)), VR_OK);
	struct dispatch_observer obs = {h, on_task, on_day, NULL};
	memset(h, 0, sizeof(*h));
	return dispatch_new(&conf, eng, NULL, &obs, err, sizeof(err));
}

/* Priority class, then due date, then score, then case id; a team's
 * capacity per working morning; nothing on a weekend. */
static void test_order_and_capacity(void)
{
	struct heard h;
	struct dispatch *d = open_d(&h, "wijk=2");
	/* Friday 1 March 2024: five cases for team wijk. */
	struct case_rec a = mk("c-a", PRIO_NORMAL, "2024-03-29", 10, "wijk");
	struct case_rec b = mk("c-b", PRIO_URGENT, "2024-04-05", 0, "wijk");
	struct case_rec c = mk("c-c", PRIO_NORMAL, "2024-03-20", 0, "wijk");
	struct case_rec e = mk("c-e", PRIO_NORMAL, "2024-03-29", 30, "wijk");
	struct case_rec f = mk("c-f", PRIO_NORMAL, "2024-03-29", 10, "wijk");
	feed(d, &a, "2024-03-01");
	feed(d, &b, "2024-03-01");
	feed(d, &c, "2024-03-01");
	feed(d, &e, "2024-03-01");
	feed(d, &f, "2024-03-01");
	CHECK_INT(h.n, 0); /* none on the day they arrive */
	dispatch_advance(d, day("2024-03-03")); /* the weekend */
	CHECK_INT(h.n, 0);
	dispatch_advance(d, day("2024-03-04")); /* Monday: two */
	CHECK_INT(h.n, 2);
	CHECK_STR(h.ids[0], "c-b.v1");       /* urgent first */
	CHECK_STR(h.ids[1], "c-c.v1");       /* then the earliest due */
	dispatch_advance(d, day("2024-03-05"));
	CHECK_INT(h.n, 4);
	CHECK_STR(h.ids[2], "c-e.v1");       /* then the highest score */
	CHECK_STR(h.ids[3], "c-a.v1");       /* then the case id */
	dispatch_advance(d, day("2024-03-06"));
	CHECK_INT(h.n, 5);
	CHECK_STR(h.ids[4], "c-f.v1");
	CHECK(h.day[4] == day("2024-03-06"));
	dispatch_finish(d);
	/* Day figures: Friday 5 arrived, none released; Saturday and Sunday
	 * quiet (not reported); Monday 2 released, 3 left, waits 3 days. */
	CHECK_INT(h.n_days, 4);
	CHECK(!h.days[0].working && h.days[0].arrived == 5 && h.days[0].depth == 5);
	CHECK(h.days[1].date == day("2024-03-04") && h.days[1].working);
	CHECK_INT(h.days[1].released, 2);
	CHECK_INT(h.days[1].depth, 3);
	CHECK_INT(h.days[1].wait_p50, 3);
	CHECK_INT(h.days[1].capacity, 2);
	CHECK(h.days[3].date == day("2024-03-06"));
	CHECK_INT(h.days[3].depth, 0);
	struct dispatch_stats s;
	dispatch_stats(d, &s);
	CHECK_INT(s.queued, 5);
	CHECK_INT(s.tasks, 5);
	CHECK_INT(s.in_queue, 0);
	CHECK_INT(s.late, 0);
	dispatch_free(d);
}

/* Crisis goes out at once, weekend or not; a queued case that changes moves
 * in place; once released, each change is a new version. */
static void test_crisis_moves_versions(void)
{
	struct heard h;
	struct dispatch *d = open_d(&h, "wijk=1");
	struct case_rec a = mk("c-a", PRIO_NORMAL, "2024-03-29", 10, "wijk");
	struct case_rec b = mk("c-b", PRIO_NORMAL, "2024-03-29", 20, "wijk");
	feed(d, &a, "2024-03-01");
	feed(d, &b, "2024-03-01");
	a.score = 50; /* a new partner: a now goes before b */
	a.n_signals = 2;
	feed(d, &a, "2024-03-02");
	CHECK_INT(h.n, 0); /* a change while queued is no task */
	struct case_rec k = mk("c-k", PRIO_CRISIS, "2024-03-06", 0, "wijk");
	feed(d, &k, "2024-03-02"); /* a Saturday */
	CHECK_INT(h.n, 1);
	CHECK_STR(h.ids[0], "c-k.v1");
	CHECK(h.day[0] == day("2024-03-02"));
	dispatch_advance(d, day("2024-03-04"));
	CHECK_INT(h.n, 2);
	CHECK_STR(h.ids[1], "c-a.v1");
	/* b escalates to crisis while queued: out at once. */
	b.priority = PRIO_CRISIS;
	feed(d, &b, "2024-03-04");
	CHECK_INT(h.n, 3);
	CHECK_STR(h.ids[2], "c-b.v1");
	/* a changes after release: version 2, the same day, capacity or not. */
	a.n_signals = 3;
	feed(d, &a, "2024-03-04");
	CHECK_INT(h.n, 4);
	CHECK_STR(h.ids[3], "c-a.v2");
	feed(d, &a, "2024-03-05");
	CHECK_STR(h.ids[4], "c-a.v3");
	struct dispatch_stats s;
	dispatch_stats(d, &s);
	CHECK_INT(s.tasks, 3);
	CHECK_INT(s.versions, 5);
	dispatch_free(d);
}

/* Holidays of the rule set's calendar have no release; a case released
 * after its due date counts as late; teams are separate queues. */
static void test_holiday_late_teams(void)
{
	struct heard h;
	struct dispatch *d = open_d(&h, "noord=0");
	struct case_rec a = mk("c-a", PRIO_NORMAL, "2024-03-29", 10, "zuid");
	struct case_rec n = mk("c-n", PRIO_NORMAL, "2024-03-29", 10, "noord");
	feed(d, &a, "2024-03-28");
	feed(d, &n, "2024-03-28");
	/* Good Friday 29 March is a working day; Easter Monday 1 April is not. */
	dispatch_advance(d, day("2024-03-29"));
	CHECK_INT(h.n, 1);
	CHECK_STR(h.ids[0], "c-a.v1");
	struct case_rec b = mk("c-b", PRIO_NORMAL, "2024-03-29", 10, "zuid");
	feed(d, &b, "2024-03-29");
	dispatch_advance(d, day("2024-04-01"));
	CHECK_INT(h.n, 1);
	dispatch_advance(d, day("2024-04-02"));
	CHECK_INT(h.n, 2);
	CHECK_STR(h.ids[1], "c-b.v1");
	dispatch_finish(d);
	struct dispatch_stats s;
	dispatch_stats(d, &s);
	CHECK_INT(s.late, 1);        /* c-b, due 29 March, out on 2 April */
	CHECK_INT(s.in_queue, 1);    /* noord takes none */
	long cap;
	CHECK_INT(dispatch_n_teams(d), 2);
	CHECK_STR(dispatch_team(d, 1, &cap), "noord");
	CHECK_INT(cap, 0);
	dispatch_free(d);
}

static int count_q(void *ud, const struct dispatch_queued *q)
{
	size_t *n = ud;
	CHECK_INT(q->position, *n + 1);
	(*n)++;
	return VR_OK;
}

/* Many cases in random order come out in one total order, whatever order
 * they arrived and were changed in. */
static void test_heap_order(void)
{
	struct heard h;
	struct dispatch *d = open_d(&h, "t=0");
	static struct case_rec c[300];
	srand(3);
	for (int i = 0; i < 300; i++) {
		char id[16];
		snprintf(id, sizeof(id), "c-%03d", (i * 7919) % 300);
		c[i] = mk(id, (enum case_priority)(rand() % 2), "2024-03-29", rand() % 50, "t");
		c[i].due += rand() % 20;
		feed(d, &c[i], "2024-03-01");
	}
	for (int i = 0; i < 300; i += 3) { /* changes move cases in place */
		c[i].score = rand() % 50;
		feed(d, &c[i], "2024-03-01");
	}
	size_t n = 0;
	CHECK_INT(dispatch_queue_walk(d, "t", count_q, &n), VR_OK);
	CHECK_INT(n, 300);
	dispatch_free(d);
	/* Released one a day with capacity 1 they come in that order. */
	d = open_d(&h, "t=64");
	for (int i = 0; i < 300; i++)
		feed(d, &c[i], "2024-03-01");
	dispatch_advance(d, day("2024-03-04"));
	CHECK_INT(h.n, 64);
	int bad = 0;
	for (size_t i = 1; i < h.n; i++) {
		const struct case_rec *x = NULL, *y = NULL;
		for (int j = 0; j < 300; j++) {
			if (strncmp(h.ids[i - 1], c[j].id, strlen(c[j].id)) == 0)
				x = &c[j];
			if (strncmp(h.ids[i], c[j].id, strlen(c[j].id)) == 0)
				y = &c[j];
		}
		bad += !x || !y || (y->priority > x->priority) ||
		       (y->priority == x->priority &&
			(y->due < x->due || (y->due == x->due && y->score > x->score)));
	}
	CHECK_INT(bad, 0);
	dispatch_free(d);
}

/* A journal kept in memory: key -> value, as a store would. */
#define KV_MAX 256
static struct kv {
	char key[96];
	unsigned char val[16384];
	size_t len;
	bool live;
} kvs[KV_MAX];

static int kv_put(void *ud, const char *key, const void *val, size_t len, int64_t ttl)
{
	(void)ud;
	CHECK(ttl == 86400);
	int free_at = -1;
	for (int i = 0; i < KV_MAX; i++) {
		if (kvs[i].live && strcmp(kvs[i].key, key) == 0) {
			free_at = i;
			break;
		}
		if (!kvs[i].live && free_at < 0)
			free_at = i;
	}
	if (free_at < 0 || len > sizeof(kvs[0].val))
		return VR_ENOMEM;
	struct kv *k = &kvs[free_at];
	snprintf(k->key, sizeof(k->key), "%s", key);
	k->live = val != NULL;
	k->len = len;
	if (val)
		memcpy(k->val, val, len);
	return VR_OK;
}

/* Task bodies heard, for comparing a resend with the first sending. */
static char bodies[16][4096];
static char body_ids[16][48];
static size_t n_bodies;

static int keep_task(void *ud, const struct dispatch_task *t)
{
	(void)ud;
	if (n_bodies < 16 && t->len < sizeof(bodies[0])) {
		memcpy(bodies[n_bodies], t->json, t->len);
		bodies[n_bodies][t->len] = '\0';
		snprintf(body_ids[n_bodies++], sizeof(body_ids[0]), "%s", t->task_id);
	}
	return VR_OK;
}

static int walk_ids(void *ud, const struct dispatch_queued *q)
{
	char *out = ud;
	strcat(out, q->c->id);
	strcat(out, " ");
	return VR_OK;
}

/* Everything dispatch knows comes back from its values: the queue in its
 * order, released cases' versions, the day reached, and the outbox's tasks
 * with the same bodies; a delivered task does not come back. */
static void test_journal(void)
{
	struct dispatch_conf conf;
	char err[128], before[512] = "", after[512] = "";
	dispatch_conf_init(&conf);
	dispatch_conf_parse(&conf, "wijk=1", err, sizeof(err));
	struct dispatch_observer obs = {NULL, keep_task, NULL, NULL};
	struct dispatch_journal j = {NULL, kv_put, 86400};
	struct dispatch *d = dispatch_new(&conf, eng, NULL, &obs, err, sizeof(err));
	dispatch_set_journal(d, &j);
	struct case_rec a = mk("c-a", PRIO_NORMAL, "2024-03-29", 10, "wijk");
	struct case_rec b = mk("c-b", PRIO_URGENT, "2024-03-29", 10, "wijk");
	struct case_rec c = mk("c-c", PRIO_NORMAL, "2024-03-20", 50, "wijk");
	struct case_rec k = mk("c-k", PRIO_CRISIS, "2024-03-06", 0, "wijk");
	feed(d, &a, "2024-03-01");
	feed(d, &b, "2024-03-01");
	feed(d, &c, "2024-03-01");
	feed(d, &k, "2024-03-01");          /* c-k.v1 at once */
	dispatch_advance(d, day("2024-03-04")); /* c-b.v1 */
	k.n_signals = 2;
	feed(d, &k, "2024-03-04");          /* c-k.v2 */
	CHECK_INT(n_bodies, 3);
	CHECK_STR(body_ids[0], "c-k.v1");
	CHECK_STR(body_ids[1], "c-b.v1");
	CHECK_STR(body_ids[2], "c-k.v2");
	CHECK_INT(dispatch_task_done(d, "c-k.v1"), VR_OK); /* delivered */
	dispatch_queue_walk(d, "wijk", walk_ids, before);
	dispatch_free(d);

	d = dispatch_new(&conf, eng, NULL, &obs, err, sizeof(err));
	dispatch_set_journal(d, &j);
	int bad = 0, n = 0;
	for (int i = 0; i < KV_MAX; i++)
		if (kvs[i].live && (n++, dispatch_restore(d, kvs[i].key, kvs[i].val, kvs[i].len)))
			bad++;
	CHECK_INT(bad, 0);
	CHECK_INT(n, 4 + 2 + 1); /* four cases, two tasks in the outbox, the day */
	/* A SCAN may return a key twice: still one entry, queued once. */
	for (int i = 0; i < KV_MAX; i++)
		if (kvs[i].live && strncmp(kvs[i].key, "d:q:", 4) == 0)
			CHECK_INT(dispatch_restore(d, kvs[i].key, kvs[i].val, kvs[i].len), VR_OK);
	dispatch_queue_walk(d, "wijk", walk_ids, after);
	CHECK_STR(after, before);
	CHECK_STR(after, "c-c c-a ");
	CHECK_INT(dispatch_resend(d), VR_OK);
	CHECK_INT(n_bodies, 5);
	CHECK_STR(body_ids[3], "c-b.v1");
	CHECK_STR(body_ids[4], "c-k.v2");
	CHECK_STR(bodies[3], bodies[1]);   /* the same body again */
	CHECK_STR(bodies[4], bodies[2]);
	/* The morning of 4 March is not released again; 5 March is. */
	dispatch_advance(d, day("2024-03-04"));
	CHECK_INT(n_bodies, 5);
	dispatch_advance(d, day("2024-03-05"));
	CHECK_INT(n_bodies, 6);
	CHECK_STR(body_ids[5], "c-c.v1");
	/* A released case changes: its next version, not version 1 again. */
	b.n_signals = 2;
	feed(d, &b, "2024-03-05");
	CHECK_INT(n_bodies, 7);
	CHECK_STR(body_ids[6], "c-b.v2");
	/* A value it cannot read is an error, not a crash. */
	CHECK_INT(dispatch_restore(d, "d:q:c-x", "\x01\x00", 2), VR_EPARSE);
	CHECK_INT(dispatch_restore(d, "d:o:c-x.v1", "\x01", 1), VR_EPARSE);
	/* Another part's value under the prefix is skipped, not an error. */
	CHECK_INT(dispatch_restore(d, "d:what", "\x01", 1), VR_OK);
	CHECK_INT(dispatch_restore(d, "d:z:sink.zaken:c-x.v1", "https://z/1", 11), VR_OK);
	CHECK_INT(dispatch_restore(d, "d:in:0123", "{}", 2), VR_OK);
	CHECK_INT(dispatch_restore(d, "d:last", "\x07", 1), VR_EPARSE);
	dispatch_free(d);
}

static void outcome_err(const char *json, const char *want)
{
	struct dispatch_outcome o;
	char err[256] = "";
	CHECK_INT(outcome_parse(json, strlen(json), &o, err, sizeof(err)), VR_EINVAL);
	if (!strstr(err, want))
		fprintf(stderr, "outcome %s: error \"%s\", expected \"%s\"\n", json, err, want);
	CHECK(strstr(err, want) != NULL);
}

/* Outcomes: each bad field named; the first contact attempt makes a
 * dispatched case opgepakt, a resultaat closes it, the same outcome twice
 * is one, and the journal keeps it. */
static void test_outcome(void)
{
	outcome_err("[1]", "not a JSON object");
	outcome_err("{\"contactpogingen\":[]}", "case_id");
	outcome_err("{\"case_id\":\"c-a\"}", "needs contactpogingen or a resultaat");
	outcome_err("{\"case_id\":\"c-a\",\"resultaat\":\"Geholpen\"}", "resultaat: expected");
	outcome_err("{\"case_id\":\"c-a\",\"contactpogingen\":[{\"soort\":\"Fax\",\"bereikt\":true,"
		    "\"datum\":\"2024-03-05\"}]}", "contactpogingen[0].soort");
	outcome_err("{\"case_id\":\"c-a\",\"contactpogingen\":[{\"soort\":\"Brief\",\"bereikt\":true,"
		    "\"datum\":\"2024-03-05\"},{\"soort\":\"Telefoon\",\"bereikt\":\"ja\","
		    "\"datum\":\"2024-03-05\"}]}", "contactpogingen[1].bereikt");
	outcome_err("{\"case_id\":\"c-a\",\"contactpogingen\":[{\"soort\":\"Brief\",\"bereikt\":true,"
		    "\"datum\":\"5-3-2024\"}]}", "contactpogingen[0].datum");
	outcome_err("{\"case_id\":\"c-a\",\"contactpogingen\":[{\"soort\":\"Brief\",\"bereikt\":true,"
		    "\"datum\":\"2024-03-05\",\"dagdeel\":\"Nacht\"}]}", "dagdeel");
	outcome_err("{\"case_id\":\"c-a\",\"resultaat\":null,\"bsn\":\"1\"}", "bsn: not a field");

	struct dispatch_conf conf;
	char err[256];
	dispatch_conf_init(&conf);
	struct dispatch_observer obs = {NULL, keep_task, NULL, NULL};
	struct dispatch_journal j = {NULL, kv_put, 86400};
	struct dispatch *d = dispatch_new(&conf, eng, NULL, &obs, err, sizeof(err));
	dispatch_set_journal(d, &j);
	struct case_rec a = mk("c-oa", PRIO_NORMAL, "2024-03-29", 10, "wijk");
	struct case_rec q = mk("c-oq", PRIO_NORMAL, "2024-03-29", 10, "wijk");
	feed(d, &a, "2024-03-01");
	dispatch_advance(d, day("2024-03-04"));  /* c-oa out */
	feed(d, &q, "2024-03-04");               /* c-oq queued */
	struct dispatch_outcome o;
	enum case_status before;
	static const char first[] =
		"{\"case_id\":\"c-oa\",\"contactpogingen\":[{\"soort\":\"Brief\",\"bereikt\":false,"
		"\"datum\":\"2024-03-07\"},{\"soort\":\"Telefoon\",\"bereikt\":true,"
		"\"datum\":\"2024-03-06\",\"dagdeel\":\"Middag\"}]}";
	CHECK_INT(outcome_parse(first, strlen(first), &o, err, sizeof(err)), VR_OK);
	CHECK_INT(dispatch_outcome(d, &o, &before, err, sizeof(err)), VR_OK);
	CHECK_INT(before, CASE_DISPATCHED);
	struct dispatch_case_info info;
	CHECK_INT(dispatch_case_info(d, "c-oa", &info), VR_OK);
	CHECK_INT(info.status, CASE_OPGEPAKT);
	CHECK(info.opgepakt == day("2024-03-06")); /* the earliest attempt */
	CHECK_INT(info.n_attempts, 2);
	CHECK_INT(dispatch_outcome(d, &o, &before, err, sizeof(err)), VR_OK); /* again */
	CHECK_INT(dispatch_case_info(d, "c-oa", &info), VR_OK);
	CHECK_INT(info.n_attempts, 2);
	static const char closing[] =
		"{\"case_id\":\"c-oa\",\"resultaat\":\"Vervolghulp en/of verwijzing\"}";
	CHECK_INT(outcome_parse(closing, strlen(closing), &o, err, sizeof(err)), VR_OK);
	CHECK_INT(dispatch_outcome(d, &o, &before, err, sizeof(err)), VR_OK);
	CHECK_INT(dispatch_case_info(d, "c-oa", &info), VR_OK);
	CHECK_INT(info.status, CASE_CLOSED);
	CHECK_STR(outcome_resultaat_name(info.resultaat), "Vervolghulp en/of verwijzing");
	CHECK_INT(dispatch_outcome(d, &o, &before, err, sizeof(err)), VR_OK); /* again */
	static const char other[] =
		"{\"case_id\":\"c-oa\",\"resultaat\":\"Inwoner is overleden\"}";
	CHECK_INT(outcome_parse(other, strlen(other), &o, err, sizeof(err)), VR_OK);
	CHECK_INT(dispatch_outcome(d, &o, &before, err, sizeof(err)), VR_EINVAL);
	CHECK(strstr(err, "closed already") != NULL);
	static const char queued[] = "{\"case_id\":\"c-oq\",\"resultaat\":\"Inwoner is overleden\"}";
	CHECK_INT(outcome_parse(queued, strlen(queued), &o, err, sizeof(err)), VR_OK);
	CHECK_INT(dispatch_outcome(d, &o, &before, err, sizeof(err)), VR_EINVAL);
	CHECK(strstr(err, "still queued") != NULL);
	static const char unknown[] = "{\"case_id\":\"c-zz\",\"resultaat\":\"Inwoner is overleden\"}";
	CHECK_INT(outcome_parse(unknown, strlen(unknown), &o, err, sizeof(err)), VR_OK);
	CHECK_INT(dispatch_outcome(d, &o, &before, err, sizeof(err)), VR_ENOTFOUND);
	dispatch_free(d);
	/* Read back: closed, with its attempts. */
	d = dispatch_new(&conf, eng, NULL, &obs, err, sizeof(err));
	for (int i = 0; i < KV_MAX; i++)
		if (kvs[i].live && strncmp(kvs[i].key, "d:q:c-o", 7) == 0)
			CHECK_INT(dispatch_restore(d, kvs[i].key, kvs[i].val, kvs[i].len), VR_OK);
	CHECK_INT(dispatch_case_info(d, "c-oa", &info), VR_OK);
	CHECK_INT(info.status, CASE_CLOSED);
	CHECK_INT(info.n_attempts, 2);
	CHECK(info.opgepakt == day("2024-03-06"));
	CHECK_INT(dispatch_case_info(d, "c-oq", &info), VR_OK);
	CHECK_INT(info.status, CASE_QUEUED);
	/* Pruning: a queued case stays, a released one goes once it has been
	 * unchanged long enough (restored ones count from the first prune). */
	CHECK_INT(dispatch_prune(d, day("2024-03-01"), day("2024-03-10")), 0);
	CHECK_INT(dispatch_prune(d, day("2024-03-10"), day("2024-03-11")), 0);
	CHECK_INT(dispatch_prune(d, day("2024-03-11"), day("2024-03-12")), 1);
	CHECK_INT(dispatch_case_info(d, "c-oa", &info), VR_ENOTFOUND);
	CHECK_INT(dispatch_case_info(d, "c-oq", &info), VR_OK);
	dispatch_free(d);
}

static void test_conf(void)
{
	struct dispatch_conf c;
	char err[128];
	dispatch_conf_init(&c);
	CHECK_INT(dispatch_conf_parse(&c, "wijk-noord=12", err, sizeof(err)), VR_OK);
	CHECK_INT(dispatch_conf_parse(&c, "wijk-noord=unlimited", err, sizeof(err)), VR_OK);
	CHECK_INT(c.n_teams, 1);
	CHECK_INT(c.teams[0].capacity, DISPATCH_UNLIMITED);
	CHECK_INT(dispatch_conf_parse(&c, "wijk", err, sizeof(err)), VR_EINVAL);
	CHECK(strstr(err, "TEAM=N") != NULL);
	CHECK_INT(dispatch_conf_parse(&c, "wijk=-3", err, sizeof(err)), VR_EINVAL);
	CHECK_INT(dispatch_conf_parse(&c, "wijk=3x", err, sizeof(err)), VR_EINVAL);
	CHECK_INT(dispatch_conf_parse(&c, "=3", err, sizeof(err)), VR_EINVAL);
	CHECK_INT(dispatch_conf_parse(&c, "a b=3", err, sizeof(err)), VR_EINVAL);
	static const char text[] = "[team noord]\ncapacity = 7\n[team zuid]\ncapacity = x\n";
	struct conf *cf = conf_parse(text, strlen(text), "t.conf", err, sizeof(err));
	CHECK(cf != NULL);
	CHECK_INT(dispatch_conf_load(&c, cf, err, sizeof(err)), VR_EINVAL);
	CHECK(strstr(err, "capacity") != NULL);
	conf_free(cf);
	CHECK_INT(c.teams[1].capacity, 7);
}

int main(void)
{
	setup();
	test_order_and_capacity();
	test_crisis_moves_versions();
	test_holiday_late_teams();
	test_heap_order();
	test_journal();
	test_outcome();
	test_conf();
	engine_free(eng);
	store_close(st);
	ruleset_free(rs);
	pseudo_free(ps);
	return harness_done();
}
