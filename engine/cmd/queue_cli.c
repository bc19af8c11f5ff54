/*
 * queue_cli.c - `vroeg queue` (a team's queue, read from the service's
 * store) and `vroeg outcome` (what the teams report back, handed to the
 * service through the store's inbox).  docs/dispatch.md.
 *
 * Both read dispatch's state from the store the service writes (Redis)
 * and never change it: the running service is its only writer, so an
 * outcome is checked here (every field, and against the case as stored)
 * and then left in the inbox, d:in:HASH, which the service applies in its
 * loop.  The same outcome twice is one entry (its hash) and changes a case
 * once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "conf.h"
#include "dispatch.h"
#include "queue_print.h"
#include "rules.h"
#include "store.h"
#include "vr.h"

struct qctx {
	const char *store_url, *conf_file, *team, *file;
	struct conf *cf;
	struct ruleset *rs;
	struct store *st;
	struct pseudo *ps;
	struct vr_clock clk;
	struct engine *e;
	struct dispatch *d;
};

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

static int no_task(void *ud, const struct dispatch_task *t)
{
	(void)ud, (void)t;
	return VR_OK;
}

static int restore_one(void *ud, const char *key, const void *val, size_t len)
{
	if (dispatch_restore(ud, key, val, len) == VR_EPARSE)
		fprintf(stderr, "vroeg: cannot read the stored value %s; skipped\n", key);
	return VR_OK;
}

/* The config's store, teams and rule set, and dispatch's state read back. */
static int open_state(struct qctx *q, const char *verb)
{
	char err[1024];
	struct dispatch_conf dc;
	dispatch_conf_init(&dc);
	if (q->conf_file && (!(q->cf = conf_load(q->conf_file, err, sizeof(err))) ||
			     dispatch_conf_load(&dc, q->cf, err, sizeof(err)))) {
		fprintf(stderr, "vroeg %s: %s\n", verb, err);
		return 1;
	}
	const char *url = q->store_url ? q->store_url : q->cf ? conf_get(q->cf, "store", "url") : NULL;
	const char *rules = q->cf ? conf_get(q->cf, "engine", "rules") : NULL;
	if (!url || store_url_is_memory(url)) {
		fprintf(stderr, "vroeg %s: the team queues live in the service's store: give "
				"--store redis://... or -c the service's config\n", verb);
		return 2;
	}
	q->rs = rules ? ruleset_load_file(rules, err, sizeof(err))
		      : ruleset_load_default(err, sizeof(err));
	if (!q->rs || !(q->st = store_open(url, err, sizeof(err))) ||
	    !(q->ps = pseudo_new_ephemeral(err, sizeof(err)))) {
		fprintf(stderr, "vroeg %s: %s\n", verb, err);
		return 1;
	}
	struct engine_conf ec;
	engine_conf_init(&ec);
	ec.batch_size = 1;
	clock_init_wall(&q->clk);
	struct engine_observer eo = {.decision = no_dec, .case_done = no_case};
	struct dispatch_observer dobs = {NULL, no_task, NULL, NULL};
	if (!(q->e = engine_new(&ec, q->rs, q->st, q->ps, &q->clk, &eo, err, sizeof(err))) ||
	    !(q->d = dispatch_new(&dc, q->e, NULL, &dobs, err, sizeof(err)))) {
		fprintf(stderr, "vroeg %s: %s\n", verb, err);
		return 1;
	}
	int rc = store_kv_scan(q->st, DISPATCH_KV_PREFIX, restore_one, q->d);
	if (rc != VR_OK) {
		fprintf(stderr, "vroeg %s: cannot read the store: %s\n", verb,
			store_error(q->st)[0] ? store_error(q->st) : vr_strerror(rc));
		return 1;
	}
	return 0;
}

static void close_state(struct qctx *q)
{
	dispatch_free(q->d);
	engine_free(q->e);
	store_close(q->st);
	pseudo_free(q->ps);
	ruleset_free(q->rs);
	conf_free(q->cf);
}

/* --store URL, -c FILE, --team T; the rest is FILE (outcome). */
static int parse(struct qctx *q, int argc, char **argv, const char *verb)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if ((strcmp(a, "--store") == 0 || strcmp(a, "-c") == 0 ||
		     strcmp(a, "--config") == 0 || strcmp(a, "--team") == 0) && !v) {
			fprintf(stderr, "vroeg %s: %s needs a value\n", verb, a);
			return 2;
		}
		if (strcmp(a, "--store") == 0)
			q->store_url = argv[++i];
		else if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0)
			q->conf_file = argv[++i];
		else if (strcmp(a, "--team") == 0)
			q->team = argv[++i];
		else if ((a[0] != '-' || strcmp(a, "-") == 0) && !q->file)
			q->file = a;
		else {
			fprintf(stderr, "vroeg %s: unknown option %s (--help)\n", verb, a);
			return 2;
		}
	}
	return 0;
}

static bool help(int argc, char **argv, const char *text)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(text, stdout);
			return true;
		}
	}
	return false;
}

int queue_main(int argc, char **argv)
{
	struct qctx q = {0};
	if (help(argc, argv,
		 "usage: vroeg queue [--store URL | -c FILE] [--team T]\n"
		 "Lists the team queues the service keeps in its store, next case first:\n"
		 "position, priority, due date, score, received date, age in days, partners\n"
		 "and why (the fired rules with their points).\n"
		 "  --store URL   the service's store (redis://... or unix://...)\n"
		 "  -c FILE       the service's config: its [store] url, teams and rules\n"
		 "  --team T      that team's queue only\n"))
		return 0;
	int rc = parse(&q, argc, argv, "queue");
	if (rc == 0 && q.file) {
		fprintf(stderr, "vroeg queue: unexpected argument %s\n", q.file);
		rc = 2;
	}
	if (rc == 0 && (rc = open_state(&q, "queue")) == 0) {
		bool found = !q.team;
		for (size_t i = 0; !found && i < dispatch_n_teams(q.d); i++)
			found = strcmp(dispatch_team(q.d, i, NULL), q.team) == 0;
		if (!found) {
			fprintf(stderr, "vroeg queue: no queue for team %s\n", q.team);
			rc = 1;
		}
		queue_print_team(stdout, q.d, q.e, clock_today(&q.clk), 0, q.team);
		struct dispatch_stats s;
		dispatch_stats(q.d, &s);
		fprintf(stderr, "%zu cases queued in %zu team(s)\n", s.in_queue, dispatch_n_teams(q.d));
	}
	close_state(&q);
	return rc;
}

/* An accepted outcome line, for the inbox. */
struct accepted {
	char *line;
	size_t len;
	char key[40];
};

/* One outcome line: checked (fields, then the case as stored). */
static int outcome_line(struct qctx *q, const char *line, size_t len, long ln)
{
	struct dispatch_outcome o;
	struct dispatch_case_info info;
	enum case_status before;
	char err[512], day[VR_DATE_STRLEN];
	if (outcome_parse(line, len, &o, err, sizeof(err)) != VR_OK ||
	    dispatch_outcome(q->d, &o, &before, err, sizeof(err)) != VR_OK) {
		fprintf(stderr, "line %ld: %s\n", ln, err);
		return 1;
	}
	dispatch_case_info(q->d, o.case_id, &info);
	const char *res = outcome_resultaat_name(info.resultaat);
	printf("line %ld: %s: %s -> %s", ln, o.case_id, case_status_name(before),
	       case_status_name(info.status));
	if (info.opgepakt != VR_DATE_NONE)
		printf(", opgepakt %s", date_format(info.opgepakt, day));
	printf(", %u contact attempt(s)%s%s%s\n", info.n_attempts, res ? ", resultaat \"" : "",
	       res ? res : "", res ? "\"" : "");
	return 0;
}

/* The accepted lines as inbox entries (d:in:HASH: the same outcome twice
 * is one), and the inbox's new mark, in one write. */
static int hand_over(struct qctx *q, struct accepted *a, size_t n)
{
	char mark[64];
	struct timespec ts;
	struct store_kv *kv = calloc(n + 1, sizeof(*kv));
	if (!kv)
		return VR_ENOMEM;
	int64_t ttl = 86400LL * ruleset_retention_cases(q->rs);
	for (size_t i = 0; i < n; i++) {
		snprintf(a[i].key, sizeof(a[i].key), "d:in:%016llx",
			 (unsigned long long)vr_hash_bytes(a[i].line, a[i].len));
		kv[i] = (struct store_kv){a[i].key, a[i].line, a[i].len, ttl};
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	int ml = snprintf(mark, sizeof(mark), "%lld.%09ld-%ld", (long long)ts.tv_sec, ts.tv_nsec,
			  (long)getpid());
	kv[n] = (struct store_kv){"d:inbox", mark, (size_t)ml, ttl};
	struct store_batch b = {.kv = kv, .n_kv = n + 1};
	int rc = store_apply(q->st, &b);
	free(kv);
	return rc;
}

/* Every line of f: the good ones to the inbox in one write. */
static int outcomes(struct qctx *q, FILE *f)
{
	char *line = NULL;
	struct accepted *a = NULL;
	size_t cap = 0, n = 0, acap = 0;
	long ln = 0;
	int bad = 0, rc = VR_OK;
	ssize_t len;
	while (rc == VR_OK && (len = getline(&line, &cap, f)) > 0) {
		ln++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		if (!len)
			continue;
		if (outcome_line(q, line, (size_t)len, ln)) {
			bad = 1;
			continue;
		}
		struct accepted *v = n == acap ? realloc(a, (acap = acap ? 2 * acap : 64) * sizeof(*a)) : a;
		char *copy = v ? malloc((size_t)len) : NULL;
		if (!copy) {
			a = v ? v : a;
			rc = VR_ENOMEM;
			break;
		}
		a = v;
		memcpy(copy, line, (size_t)len);
		a[n++] = (struct accepted){copy, (size_t)len, ""};
	}
	free(line);
	if (rc == VR_OK && n)
		rc = hand_over(q, a, n);
	if (rc != VR_OK)
		fprintf(stderr, "vroeg outcome: nothing handed over: %s\n",
			store_error(q->st)[0] ? store_error(q->st) : vr_strerror(rc));
	else
		fprintf(stderr, "%zu outcome(s) handed to the service, %s\n", n,
			bad ? "some lines refused (above)" : "none refused");
	for (size_t i = 0; i < n; i++)
		free(a[i].line);
	free(a);
	return rc != VR_OK || bad;
}

int outcome_main(int argc, char **argv)
{
	struct qctx q = {0};
	if (help(argc, argv,
		 "usage: vroeg outcome [--store URL | -c FILE] FILE|-\n"
		 "Hands the teams' outcomes (JSON lines) to the service: one per line,\n"
		 "  {\"case_id\":\"c-...\",\"contactpogingen\":[{\"soort\":\"Telefoon\","
		 "\"bereikt\":true,\n"
		 "   \"datum\":\"2024-03-05\",\"dagdeel\":\"Ochtend\"}],"
		 "\"resultaat\":\"Vervolghulp en/of verwijzing\"}\n"
		 "with DDAS v1.2's contact kinds, day parts and eindresultaten. Each line is\n"
		 "checked (every field, and the case as stored: known, its task out, not\n"
		 "closed otherwise); a refused line is named with its reason and the others\n"
		 "still go. The same outcome twice counts once. Exit 1 if a line was refused.\n"))
		return 0;
	int rc = parse(&q, argc, argv, "outcome");
	if (rc == 0 && !q.file) {
		fprintf(stderr, "vroeg outcome: no input (FILE or - for stdin)\n");
		rc = 2;
	}
	FILE *f = NULL;
	if (rc == 0 && !(f = strcmp(q.file, "-") ? fopen(q.file, "r") : stdin)) {
		fprintf(stderr, "vroeg outcome: cannot open %s\n", q.file);
		rc = 1;
	}
	if (rc == 0 && (rc = open_state(&q, "outcome")) == 0)
		rc = outcomes(&q, f);
	if (f && f != stdin)
		fclose(f);
	close_state(&q);
	return rc;
}
