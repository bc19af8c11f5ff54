/*
 * test_engine.c - the pipeline's contracts: one decision per record in
 * order, nothing reported and nothing changed when the store fails, and the
 * same decisions whatever the batch size.
 */
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "engine.h"
#include "harness.h"
#include "names.h"
#include "store_int.h"
#include "vr.h"

/* A store that wraps the memory store and fails apply on request. */
struct flaky {
	struct store *inner;
	int fail_applies;
	bool fail_loads;        /* fail every 7th load */
	int loads;
};

static int fl_load(struct store *st, struct store_batch *b)
{
	struct flaky *f = st->impl;
	if (f->fail_loads && ++f->loads % 7 == 3)
		return VR_EAGAIN;
	return store_load(f->inner, b);
}

static int fl_apply(struct store *st, const struct store_batch *b)
{
	struct flaky *f = st->impl;
	if (f->fail_applies > 0) {
		f->fail_applies--;
		return VR_EAGAIN;
	}
	return store_apply(f->inner, b);
}

static int fl_foreach(struct store *st, int (*fn)(void *, const struct hh_state *), void *ud)
{
	struct flaky *f = st->impl;
	return store_foreach(f->inner, fn, ud);
}

static void fl_stats(const struct store *st, struct store_stats *out)
{
	const struct flaky *f = st->impl;
	store_stats(f->inner, out);
}

static const struct store_ops flaky_ops = {
	.name = "flaky", .load = fl_load, .apply = fl_apply,
	.foreach = fl_foreach, .stats = fl_stats,
};

struct collect {
	struct engine *e;
	struct jbuf out;        /* decisions, then (appended at the end) cases */
	struct jbuf cases_out;
	int decisions, cases;
	const struct contact_key *ck; /* set: cases' contact blocks are opened */
	char contacts[4][CONTACT_PLAIN_MAX]; /* of the first 4 cases, opened */
	const char *keep;       /* set: the case starting with this signal is kept */
	struct hkey first_h;
	struct case_rec first;
};

static int on_dec(void *ud, const struct decision *d)
{
	struct collect *c = ud;
	c->decisions++;
	emit_decision(&c->out, c->e, d);
	return VR_OK;
}

static int on_case(void *ud, const struct hkey *h, const struct case_rec *k)
{
	struct collect *c = ud;
	if (c->ck && c->cases < 4) {
		long n = contact_open(c->ck, k->id, k->contact, k->contact_len,
				      c->contacts[c->cases], CONTACT_PLAIN_MAX - 1);
		if (n < 0)
			snprintf(c->contacts[c->cases], CONTACT_PLAIN_MAX, "(does not open)");
		else
			c->contacts[c->cases][n] = '\0';
	}
	if (c->keep && k->n_signals && strcmp(k->signals[0].id, c->keep) == 0) {
		c->first_h = *h;
		c->first = *k;
	}
	c->cases++;
	emit_case(&c->cases_out, c->e, h, k);
	return VR_OK;
}

static char *make_record(int i)
{
	/* 40 households, 5 partner orgs, amounts that sometimes rise. */
	static const char *bsns[] = {"111222333", "123456782", "100000009", "999999990"};
	char *r = malloc(512);
	if (i % 17 == 5)
		i--; /* an exact redelivery of the previous record */
	int hh = i % 40, day = 1 + i / 8;
	snprintf(r, 512,
		 "{\"ID\":\"S-%d\",\"signaalpartner\":{\"type\":\"%s\",\"naam\":\"Org %d\"},"
		 "\"gemeentecode\":\"0344\",\"bedrag\":%d,\"ontstaansdatum\":\"2024-01-01\","
		 "\"signaaldatum\":\"2024-%02d-%02d\",\"crisissignaal\":%s,"
		 "\"client\":{\"burgerservicenummer\":\"%s\",\"postcode\":\"35%02dAB\","
		 "\"huisnummer\":\"%d\"}}",
		 i, i % 3 ? "Zorg" : "Huur", i % 5, 50 + (i * 37) % 1500,
		 2 + day / 28, 1 + day % 28, i % 23 == 0 ? "true" : "false", bsns[i % 4],
		 10 + hh % 80, 1 + hh);
	return r;
}

/* Run n records through an engine with the given batch size and store. */
static char *run(struct store *st, size_t batch, int n, int fail_first_applies,
		 struct flaky *fl, bool pipelined, int *ndec)
{
	static const unsigned char key[32] = "0123456789abcdef0123456789abcdef";
	char err[128];
	struct engine_conf conf;
	struct vr_clock clk;
	struct collect c = {0};
	struct pseudo *ps = pseudo_new_key(key, 32, err, sizeof(err));
	struct engine_rec *recs = calloc((size_t)n, sizeof(*recs));

	engine_conf_init(&conf);
	conf.batch_size = batch;
	clock_init_event(&clk, VR_DATE_NONE);
	jbuf_init(&c.out, 1 << 26);
	jbuf_init(&c.cases_out, 1 << 26);
	struct engine_observer obs = {.ud = &c, .decision = on_dec, .case_done = on_case};
	struct ruleset *rs = ruleset_load_default(err, sizeof(err));
	CHECK(rs != NULL);
	c.e = engine_new(&conf, rs, st, ps, &clk, &obs, err, sizeof(err));
	for (int i = 0; i < n; i++) {
		char *r = make_record(i);
		recs[i] = (struct engine_rec){r, strlen(r), "t", i + 1, NULL, NULL, 0};
	}
	if (fl)
		fl->fail_applies = fail_first_applies;
	for (int i = 0; i < n; i += (int)batch) {
		size_t m = (size_t)(n - i) < batch ? (size_t)(n - i) : batch;
		int before = c.decisions;
		int rc, tries = 0;
		if (!pipelined) {
			while ((rc = engine_process(c.e, recs + i, m)) == VR_EAGAIN && ++tries < 100)
				CHECK_INT(c.decisions, before); /* a failed batch reports nothing */
			CHECK_INT(rc, VR_OK);
			continue;
		}
		/* Pipelined: this call reports the batch before, at most. */
		while ((rc = engine_submit(c.e, recs + i, m)) == VR_EAGAIN && ++tries < 100)
			CHECK(c.decisions <= i);
		CHECK_INT(rc, VR_OK);
		CHECK(c.decisions <= i);
	}
	for (int tries = 0; pipelined && engine_sync(c.e) == VR_EAGAIN && tries < 100; tries++)
		;
	CHECK_INT(c.decisions, n);
	CHECK_INT(engine_flush_cases(c.e), VR_OK);
	*ndec = c.decisions;
	for (int i = 0; i < n; i++)
		free((char *)recs[i].data);
	free(recs);
	engine_free(c.e);
	ruleset_free(rs);
	pseudo_free(ps);
	/* Cases go to their own stream: when a case completes relative to
	 * the decisions depends on batching, the order of each stream not. */
	jbuf_raw(&c.out, c.cases_out.p, c.cases_out.len);
	char *out = strndup(c.out.p, c.out.len);
	jbuf_fini(&c.out);
	jbuf_fini(&c.cases_out);
	return out;
}

/* A rule-set swap between batches keeps case state; the next batch is
 * decided, and named, by the new set. */
/* An engine on a memory store with the built-in rules, deciding into c. */
struct fixture {
	struct pseudo *ps;
	struct store *st;
	struct ruleset *def;
	struct vr_clock clk;
	struct collect c;
	struct flaky fl;        /* fixture_open_flaky: the engine's store */
	struct store flaky_st;
};

/* The engine on the memory store, or (fail_applies >= 0) on a flaky
 * wrapper of it whose first fail_applies applies fail. */
static void fixture_open_on(struct fixture *f, int fail_applies)
{
	static const unsigned char key[32] = "0123456789abcdef0123456789abcdef";
	char err[256];
	struct engine_conf conf;
	memset(f, 0, sizeof(*f));
	f->ps = pseudo_new_key(key, 32, err, sizeof(err));
	f->st = store_open("memory", err, sizeof(err));
	f->def = ruleset_load_default(err, sizeof(err));
	CHECK(f->ps && f->st && f->def);
	engine_conf_init(&conf);
	clock_init_event(&f->clk, VR_DATE_NONE);
	jbuf_init(&f->c.out, 1 << 20);
	jbuf_init(&f->c.cases_out, 1 << 20);
	struct engine_observer obs = {.ud = &f->c, .decision = on_dec, .case_done = on_case};
	struct store *st = f->st;
	if (fail_applies >= 0) {
		f->fl = (struct flaky){f->st, fail_applies, false, 0};
		f->flaky_st = (struct store){.ops = &flaky_ops, .impl = &f->fl};
		st = &f->flaky_st;
	}
	f->c.e = engine_new(&conf, f->def, st, f->ps, &f->clk, &obs, err, sizeof(err));
	CHECK(f->c.e != NULL);
}

static void fixture_open(struct fixture *f)
{
	fixture_open_on(f, -1);
}

static void fixture_close(struct fixture *f)
{
	jbuf_fini(&f->c.out);
	jbuf_fini(&f->c.cases_out);
	engine_free(f->c.e);
	store_close(f->st);
	ruleset_free(f->def);
	pseudo_free(f->ps);
}

static void test_reload(void)
{
	static const char *strict =
		"ruleset \"strict\" version \"9\"\nset threshold = 500\n"
		"priority normal due 28 days\nscore \"any\" points 1\n";
	const char *r1 =
		"{\"ID\":\"A\",\"signaalpartner\":{\"type\":\"Huur\"},\"gemeentecode\":\"0344\","
		"\"bedrag\":300,\"ontstaansdatum\":\"2024-01-01\",\"signaaldatum\":\"2024-02-15\","
		"\"client\":{\"postcode\":\"3511AB\",\"huisnummer\":\"1\"}}";
	const char *r2 =
		"{\"ID\":\"B\",\"signaalpartner\":{\"type\":\"Zorg\"},\"gemeentecode\":\"0344\","
		"\"bedrag\":600,\"ontstaansdatum\":\"2024-01-01\",\"signaaldatum\":\"2024-02-20\","
		"\"client\":{\"postcode\":\"3511AB\",\"huisnummer\":\"1\"}}";
	const char *r3 =
		"{\"ID\":\"C\",\"signaalpartner\":{\"type\":\"Water\"},\"gemeentecode\":\"0344\","
		"\"bedrag\":300,\"ontstaansdatum\":\"2024-01-01\",\"signaaldatum\":\"2024-02-21\","
		"\"client\":{\"postcode\":\"3511AB\",\"huisnummer\":\"1\"}}";
	char err[256];
	struct fixture f;
	fixture_open(&f);
	struct ruleset *str = ruleset_load_text("s", NULL, strict, strlen(strict), err, sizeof(err));
	CHECK(str != NULL);
	struct engine_rec a = {r1, strlen(r1), "t", 1, NULL, NULL, 0};
	CHECK_INT(engine_process(f.c.e, &a, 1), VR_OK);
	engine_set_rules(f.c.e, str);
	CHECK(engine_get_rules(f.c.e) == str);
	struct engine_rec b[2] = {{r2, strlen(r2), "t", 2, NULL, NULL, 0}, {r3, strlen(r3), "t", 3, NULL, NULL, 0}};
	CHECK_INT(engine_process(f.c.e, b, 2), VR_OK);
	CHECK_INT(engine_flush_cases(f.c.e), VR_OK);

	char *out = strndup(f.c.out.p, f.c.out.len);
	char *l2 = strchr(out, '\n') + 1, *l3 = strchr(l2, '\n') + 1;
	/* B joined the case opened under the old rules (state kept) and was
	 * scored by the new set; C falls under the new threshold. */
	CHECK(strstr(out, "\"ruleset\":\"default/1.0\"") < l2);
	CHECK(strstr(l2, "\"status\":\"Opgepakt\"") < l3);
	CHECK(strstr(l2, "\"flags\":[]") < l3); /* not nieuwe_zaak: same case */
	CHECK(strstr(l2, "\"score\":1,") < l3);
	CHECK(strstr(l2, "\"ruleset\":\"strict/9\"") < l3);
	CHECK(strstr(l3, "onterecht") != NULL);
	CHECK(strstr(f.c.cases_out.p, "\"signals_total\":2") != NULL);
	free(out);
	fixture_close(&f);
	ruleset_free(str);
}

/* How many times needle occurs in hay. */
static int count_of(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/*
 * Rule names travel with the case: cases scored under rule set A, then
 * explained while B (the same rules in another order) is loaded, name A's
 * rules, whether they complete after the reload or are read back from the
 * store at the end; a case that B scores again names B's.
 */
static void test_reload_names(void)
{
	static const char *head = "ruleset \"%s\" version \"1\"\npriority normal due 28 days\n";
	static const char *rules[4] = {
		"score \"huur\" when Huur in case.partners points 30\n",
		"score \"zorg\" when Zorg in case.partners points 20\n",
		"score \"water\" when Water in case.partners points 10\n",
		"score \"energie\" when Energie in case.partners points 25\n",
	};
	static const char *fmt =
		"{\"ID\":\"%s\",\"signaalpartner\":{\"type\":\"%s\"},\"gemeentecode\":\"0344\","
		"\"bedrag\":600,\"ontstaansdatum\":\"2024-01-01\",\"signaaldatum\":\"%s\","
		"\"client\":{\"postcode\":\"3511AB\",\"huisnummer\":\"%d\"}}";
	char text[2][1024], r[5][400], err[256];
	for (int k = 0; k < 2; k++) {
		snprintf(text[k], sizeof(text[k]), head, k ? "b" : "a");
		for (int i = 0; i < 4; i++) /* b: the same rules, reversed */
			strcat(text[k], rules[k ? 3 - i : i]);
	}
	struct ruleset *a = ruleset_load_text("a", NULL, text[0], strlen(text[0]), err, sizeof(err));
	struct ruleset *b = ruleset_load_text("b", NULL, text[1], strlen(text[1]), err, sizeof(err));
	CHECK(a && b);
	/* Households 1, 2, 3 open cases under a; then, under b, household 1
	 * opens its next case (completing its first) and Zorg joins 3's case. */
	snprintf(r[0], sizeof(r[0]), fmt, "N-1", "Huur", "2024-02-15", 1);
	snprintf(r[1], sizeof(r[1]), fmt, "N-2", "Zorg", "2024-02-15", 2);
	snprintf(r[2], sizeof(r[2]), fmt, "N-3", "Huur", "2024-02-15", 3);
	snprintf(r[3], sizeof(r[3]), fmt, "N-4", "Water", "2024-03-16", 1);
	snprintf(r[4], sizeof(r[4]), fmt, "N-5", "Zorg", "2024-02-20", 3);
	struct engine_rec recs[5];
	for (int i = 0; i < 5; i++)
		recs[i] = (struct engine_rec){r[i], strlen(r[i]), "t", i + 1, NULL, NULL, 0};

	struct fixture f;
	fixture_open(&f);
	f.c.keep = "N-1";
	engine_set_rules(f.c.e, a);
	CHECK_INT(engine_process(f.c.e, recs, 3), VR_OK);
	engine_set_rules(f.c.e, b);
	CHECK_INT(engine_process(f.c.e, recs + 3, 2), VR_OK);
	CHECK_INT(f.c.cases, 0); /* household 1's first case is its previous one now */
	CHECK_INT(engine_flush_cases(f.c.e), VR_OK);
	CHECK_INT(f.c.cases, 4);

	/* Household 1's first case completed under b, named by a; 2's was
	 * read back from the store; 3's was scored again by b, in b's order. */
	char *out = strndup(f.c.cases_out.p, f.c.cases_out.len);
	CHECK_INT(count_of(out, "\n"), 4);
	CHECK_INT(count_of(out, "\"rules\":[{\"name\":\"huur\",\"points\":30}]"), 1);
	CHECK_INT(count_of(out, "\"rules\":[{\"name\":\"zorg\",\"points\":20}]"), 1);
	CHECK_INT(count_of(out, "\"rules\":[{\"name\":\"zorg\",\"points\":20},"
				"{\"name\":\"huur\",\"points\":30}]"), 1);
	CHECK_INT(count_of(out, "\"rules\":[{\"name\":\"water\",\"points\":10}]"), 1);
	CHECK_INT(count_of(out, "energie"), 0);
	free(out);

	/* --explain of that first case, with b loaded: a's names. */
	char *text_out = NULL;
	size_t text_len = 0;
	FILE *mf = open_memstream(&text_out, &text_len);
	CHECK(mf != NULL);
	emit_case_text(mf, f.c.e, &f.c.first_h, &f.c.first);
	fclose(mf);
	CHECK(strstr(text_out, "Score: 30\n    +30  huur\n") != NULL);
	CHECK(strstr(text_out, "energie") == NULL);
	free(text_out);

	/* A case from a value older than state version 7 knows only its
	 * rules' ids: the loaded rule set names them, as before. */
	static struct case_rec old;
	old.n_rules = 1;
	old.rules[0] = (struct case_rule){0, 25};
	CHECK_STR(engine_case_rule_name(f.c.e, &old, 0), "energie");
	old.has_rule_names = true;
	old.rule_name[0] = name_intern("huur");
	CHECK_STR(engine_case_rule_name(f.c.e, &old, 0), "huur");
	fixture_close(&f);
	ruleset_free(a);
	ruleset_free(b);
}

/* A source's defaults fill in the partner; its rejects carry their own
 * reason and no signal ID (not one left over from an earlier batch). */
static void test_source_records(void)
{
	struct fixture f;
	fixture_open(&f);
	const char *typed = "{\"ID\":\"E-1\",\"signaalpartner\":{\"type\":\"Energie\"},"
			    "\"gemeentecode\":\"0344\",\"bedrag\":500,\"ontstaansdatum\":"
			    "\"2024-01-01\",\"signaaldatum\":\"2024-03-01\",\"client\":"
			    "{\"burgerservicenummer\":\"111222333\"}}";
	const char *untyped = "{\"ID\":\"Z-1\",\"gemeentecode\":\"0344\",\"bedrag\":500,"
			      "\"ontstaansdatum\":\"2024-01-01\",\"signaaldatum\":\"2024-03-01\","
			      "\"client\":{\"burgerservicenummer\":\"123456782\"}}";
	struct sig_defaults zorg = {PARTNER_ZORG, "Zorgverzekeraar Noord"};
	struct sig_error bad = {REJ_MAPPING, "column \"bsn\": missing"};

	struct engine_rec a[2] = {{untyped, strlen(untyped), "t", 1, &zorg, NULL, 0},
				  {typed, strlen(typed), "t", 2, &zorg, NULL, 0}};
	CHECK_INT(engine_process(f.c.e, a, 2), VR_OK);
	struct engine_rec b = {"", 0, "t", 3, &zorg, &bad, 0};
	CHECK_INT(engine_process(f.c.e, &b, 1), VR_OK);
	char *out = strndup(f.c.out.p, f.c.out.len);
	char *l2 = strchr(out, '\n') + 1, *l3 = strchr(l2, '\n') + 1;
	CHECK(strstr(out, "\"partner\":\"Zorg\",\"partner_org\":\"Zorgverzekeraar Noord\"") < l2);
	CHECK(strstr(l2, "\"code\":\"partner_type\"") < l3);
	CHECK(strstr(l2, "Energie on a source for Zorg") < l3);
	const char *want = "{\"signal_id\":null,\"status\":\"rejected\",\"code\":\"mapping\"";
	CHECK(strncmp(l3, want, strlen(want)) == 0);
	free(out);
	fixture_close(&f);
}

/* A case keeps the latest client's contact details sealed under its own id;
 * a completed case takes its block along, the next case starts its own. */
static void test_contacts(void)
{
	static const char *fmt =
		"{\"ID\":\"%s\",\"signaalpartner\":{\"type\":\"%s\"},\"gemeentecode\":\"0344\","
		"\"bedrag\":600,\"ontstaansdatum\":\"2024-01-01\",\"signaaldatum\":\"%s\","
		"\"client\":{\"burgerservicenummer\":\"111222333\",\"naam\":\"A. Visser\","
		"\"telefoon\":\"%s\",\"postcode\":\"3511AB\",\"huisnummer\":\"1\"}}";
	char r[4][512], err[128];
	snprintf(r[3], sizeof(r[3]), fmt, "K-4", "Energie", "2024-04-25", "0644444444");
	snprintf(r[0], sizeof(r[0]), fmt, "K-1", "Huur", "2024-02-15", "0611111111");
	snprintf(r[1], sizeof(r[1]), fmt, "K-2", "Zorg", "2024-02-20", "0622222222");
	snprintf(r[2], sizeof(r[2]), fmt, "K-3", "Water", "2024-03-21", "0633333333");
	struct fixture f;
	fixture_open(&f);
	struct contact_key *ck = contact_key_ephemeral(err, sizeof(err));
	CHECK(ck != NULL);
	engine_set_contact_key(f.c.e, ck);
	f.c.ck = ck;
	for (int i = 0; i < 3; i++) {
		struct engine_rec rec = {r[i], strlen(r[i]), "t", i + 1, NULL, NULL, 0};
		CHECK_INT(engine_process(f.c.e, &rec, 1), VR_OK);
	}
	/* K-3 opened a new case; the first stays as the household's previous
	 * case (for late signals) and is reported with the rest at the end. */
	CHECK_INT(f.c.cases, 0);
	/* K-4 opens a third case: the first leaves the state, complete. */
	struct engine_rec k4 = {r[3], strlen(r[3]), "t", 4, NULL, NULL, 0};
	CHECK_INT(engine_process(f.c.e, &k4, 1), VR_OK);
	CHECK_INT(f.c.cases, 1);
	CHECK_INT(engine_flush_cases(f.c.e), VR_OK);
	CHECK_INT(f.c.cases, 3);
	/* The first case: its latest client (K-2), not K-1's, not K-3's. */
	CHECK(strstr(f.c.contacts[0], "0622222222") != NULL);
	CHECK(strstr(f.c.contacts[0], "A. Visser") != NULL);
	CHECK(strstr(f.c.contacts[1], "0633333333") != NULL);
	CHECK(strstr(f.c.contacts[1], "0622222222") == NULL);
	CHECK(strstr(f.c.contacts[2], "0644444444") != NULL);
	fixture_close(&f);
	contact_key_free(ck);
}

/* A batch that must be decided again (the previous batch's apply failed)
 * sees the clock an undisturbed run would: the first try does not leave
 * its signal dates behind.  C is received on its own date after A, not on
 * B's, which the failed try had seen. */
static void test_retry_clock(void)
{
	static const char *fmt =
		"{\"ID\":\"%s\",\"signaalpartner\":{\"type\":\"Huur\"},\"gemeentecode\":"
		"\"0344\",\"bedrag\":600,\"ontstaansdatum\":\"2023-12-01\",\"signaaldatum\":"
		"\"%s\",\"client\":{\"postcode\":\"3511AB\",\"huisnummer\":\"%d\"}}";
	static const char *ids[3] = {"A", "C", "B"};
	static const char *dates[3] = {"2024-01-01", "2024-02-01", "2024-03-01"};
	char r[3][400];
	struct engine_rec recs[3];
	for (int i = 0; i < 3; i++) {
		snprintf(r[i], sizeof(r[i]), fmt, ids[i], dates[i], i + 1);
		recs[i] = (struct engine_rec){r[i], strlen(r[i]), "t", i + 1, NULL, NULL, 0};
	}
	for (int fail = 0; fail < 2; fail++) {
		struct fixture f;
		fixture_open_on(&f, fail);
		struct engine *e = f.c.e;
		CHECK_INT(engine_submit(e, recs, 1), VR_OK);
		int rc, tries = 0;
		while ((rc = engine_submit(e, recs + 1, 2)) == VR_EAGAIN && ++tries < 10)
			;
		CHECK_INT(rc, VR_OK);
		CHECK_INT(tries, fail);
		/* A later batch is received no earlier than B. */
		char late[400];
		snprintf(late, sizeof(late), fmt, "D", "2024-01-15", 4);
		struct engine_rec d = {late, strlen(late), "t", 4, NULL, NULL, 0};
		while ((rc = engine_submit(e, &d, 1)) == VR_EAGAIN && ++tries < 10)
			;
		CHECK_INT(rc, VR_OK);
		CHECK_INT(engine_sync(e), VR_OK);
		char *out = strndup(f.c.out.p, f.c.out.len);
		char *l2 = strchr(out, '\n') + 1, *l3 = strchr(l2, '\n') + 1;
		char *l4 = strchr(l3, '\n') + 1;
		CHECK(strncmp(l2, "{\"signal_id\":\"C\"", 16) == 0);
		CHECK(strstr(l2, "\"received\":\"2024-02-01\"") != NULL);
		CHECK(strstr(l3, "\"received\":\"2024-03-01\"") != NULL);
		CHECK(strncmp(l4, "{\"signal_id\":\"D\"", 16) == 0);
		CHECK(strstr(l4, "\"signal_date\":\"2024-01-15\",\"received\":\"2024-03-01\"") != NULL);
		free(out);
		fixture_close(&f);
	}
}

/* A batch whose apply failed is reported by nothing but its own retry: not
 * by a flush, not after engine_discard(); engine_process() does not finish
 * an engine_submit() batch. */
static void test_discard(void)
{
	const char *a = "{\"ID\":\"D-1\",\"signaalpartner\":{\"type\":\"Huur\"},"
			"\"gemeentecode\":\"0344\",\"bedrag\":600,\"ontstaansdatum\":"
			"\"2023-12-01\",\"signaaldatum\":\"2024-01-01\",\"client\":"
			"{\"postcode\":\"3511AB\",\"huisnummer\":\"1\"}}";
	struct engine_rec rec = {a, strlen(a), "t", 1, NULL, NULL, 0};
	struct fixture f;
	fixture_open_on(&f, 1);
	CHECK_INT(engine_process(f.c.e, &rec, 1), VR_EAGAIN);
	CHECK_INT(engine_flush_cases(f.c.e), VR_EAGAIN);
	engine_discard(f.c.e);
	CHECK_INT(engine_flush_cases(f.c.e), VR_OK);
	CHECK_INT(f.c.decisions, 0);
	CHECK_INT(f.c.cases, 0);
	CHECK_INT(engine_submit(f.c.e, &rec, 1), VR_OK);
	CHECK_INT(engine_process(f.c.e, &rec, 1), VR_EINVAL); /* no sync first */
	CHECK_INT(engine_sync(f.c.e), VR_OK);
	CHECK_INT(f.c.decisions, 1);
	fixture_close(&f);
}

int main(void)
{
	test_discard();
	test_retry_clock();
	test_contacts();
	test_reload();
	test_reload_names();
	test_source_records();
	char err[128];
	enum { N = 2000 };
	int nd1, nd2, nd3;

	struct store *m1 = store_open("memory", err, sizeof(err));
	char *ref = run(m1, 1024, N, 0, NULL, false, &nd1);
	CHECK_INT(nd1, N);
	CHECK(strstr(ref, "\"Opgepakt\"") && strstr(ref, "herhaalde") && strstr(ref, "onterecht") &&
	      strstr(ref, "\"duplicate\"") && strstr(ref, "\"crisis\""));
	store_close(m1);

	/* Batch size 7: byte-identical decisions and cases. */
	struct store *m2 = store_open("memory", err, sizeof(err));
	char *small = run(m2, 7, N, 0, NULL, false, &nd2);
	CHECK_INT(nd2, N);
	CHECK(strcmp(ref, small) == 0);
	store_close(m2);

	/* A store whose first three applies fail: retried batches give the
	 * same output as an undisturbed run; nothing was reported twice. */
	struct flaky fl = {store_open("memory", err, sizeof(err)), 0, false, 0};
	struct store st = {.ops = &flaky_ops, .impl = &fl};
	char *flaky = run(&st, 100, N, 3, &fl, false, &nd3);
	CHECK_INT(nd3, N);
	CHECK(strcmp(ref, flaky) == 0);
	CHECK_INT(fl.fail_applies, 0);
	store_close(fl.inner);

	/* Pipelined (engine_submit), with failing applies and loads: the
	 * same output, each decision once. */
	int nd4;
	struct flaky fl2 = {store_open("memory", err, sizeof(err)), 0, true, 0};
	struct store st2 = {.ops = &flaky_ops, .impl = &fl2};
	char *piped = run(&st2, 100, N, 3, &fl2, true, &nd4);
	CHECK_INT(nd4, N);
	CHECK(strcmp(ref, piped) == 0);
	CHECK_INT(fl2.fail_applies, 0);
	CHECK(fl2.loads > 20); /* loads did fail on the way */
	store_close(fl2.inner);
	free(piped);

	free(ref);
	free(small);
	free(flaky);
	return harness_done();
}
