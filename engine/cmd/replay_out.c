/*
 * replay_out.c - what `vroeg replay` writes: per rule set the decision,
 * case and reject files (file sinks, connectors/sink_file.h), the summary,
 * and with several rule sets the comparison.
 */
#include "replay_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "emit.h"
#include "sink_file.h"
#include "vr.h"

/* Hand a line to a file sink; VR_EIO once the file refused a write. */
static int send_line(struct replay *r, struct sink *out, const struct jbuf *line)
{
	const struct sink_msg m = {NULL, NULL, 0, line->p, line->len, NULL, 0};
	if (sink_send(out, &m, NULL) != VR_OK || sink_error(out)[0]) {
		if (!r->write_failed)
			fprintf(stderr, "vroeg replay: %s\n",
				sink_error(out)[0] ? sink_error(out) : "out of memory");
		r->write_failed = true;
		return VR_EIO;
	}
	return VR_OK;
}

int replay_on_decision(void *ud, const struct decision *d)
{
	struct rset *s = ud;
	struct replay *r = s->r;

	if (s == &r->sets[0])
		r->ids[s->pos] = d->signal_id;
	s->status[s->pos++] = d->status;
	summary_add_decision(&s->sum, d);
	if (s->disp) {
		int rc = dispatch_decision(s->disp, d);
		if (rc != VR_OK)
			return rc;
	}
	if (!s->fdec)
		return VR_OK;
	jbuf_reset(&s->line);
	emit_decision(&s->line, s->e, d);
	if (send_line(r, s->fdec, &s->line))
		return VR_EIO;
	if (d->status == DEC_REJECTED && s->frej)
		return send_line(r, s->frej, &s->line);
	return VR_OK;
}

int replay_on_case(void *ud, const struct hkey *h, const struct case_rec *c)
{
	struct rset *s = ud;
	summary_add_case(&s->sum, c);
	if (s->r->explain && strcmp(c->id, s->r->explain) == 0) {
		FILE *out = s->r->out_dir ? stdout : stderr;
		if (s->r->explained++)
			fputc('\n', out);
		emit_case_text(out, s->e, h, c);
	}
	if (!s->fcases)
		return VR_OK;
	jbuf_reset(&s->line);
	emit_case(&s->line, s->e, h, c);
	return send_line(s->r, s->fcases, &s->line);
}

static int on_task(void *ud, const struct dispatch_task *t)
{
	struct rset *s = ud;
	int rc;
	if (s->ftasks) {
		jbuf_reset(&s->line);
		jbuf_raw(&s->line, t->json, t->len);
		jbuf_raw(&s->line, "\n", 1);
		if ((rc = send_line(s->r, s->ftasks, &s->line)) != VR_OK)
			return rc;
	}
	if (s == &s->r->sets[0] && s->r->tout && (rc = task_out_send(s->r->tout, t)) != VR_OK) {
		fprintf(stderr, "vroeg replay: task %s: %s\n", t->task_id, vr_strerror(rc));
		return rc;
	}
	return VR_OK;
}

static void day_wait(struct jbuf *b, const char *key, int days, bool *f)
{
	jbuf_key(b, key, f);
	if (days < 0)
		jbuf_lit(b, "null");
	else
		jbuf_int(b, days);
}

/* One line of queues.jsonl: a team's queue over one day. */
static int on_day(void *ud, const struct dispatch_day *d)
{
	struct rset *s = ud;
	struct jbuf *b = &s->line;
	bool f = true, w = true;
	jbuf_reset(b);
	jbuf_raw(b, "{", 1);
	jbuf_key(b, "team", &f);
	jbuf_str(b, d->team);
	jbuf_key(b, "date", &f);
	jbuf_date(b, d->date);
	jbuf_key(b, "working_day", &f);
	jbuf_bool(b, d->working);
	jbuf_key(b, "capacity", &f);
	if (d->capacity < 0)
		jbuf_lit(b, "null");
	else
		jbuf_int(b, d->capacity);
	jbuf_key(b, "arrived", &f);
	jbuf_int(b, (long long)d->arrived);
	jbuf_key(b, "released", &f);
	jbuf_int(b, (long long)d->released);
	jbuf_key(b, "released_crisis", &f);
	jbuf_int(b, (long long)d->released_crisis);
	jbuf_key(b, "released_late", &f);
	jbuf_int(b, (long long)d->late);
	jbuf_key(b, "depth", &f);
	jbuf_int(b, (long long)d->depth);
	jbuf_key(b, "wait_days", &f);
	jbuf_raw(b, "{", 1);
	day_wait(b, "p50", d->wait_p50, &w);
	day_wait(b, "p90", d->wait_p90, &w);
	day_wait(b, "max", d->wait_max, &w);
	jbuf_lit(b, "}}\n");
	return send_line(s->r, s->fqueues, b);
}

int replay_start_dispatch(struct replay *r, struct rset *s)
{
	char err[256];
	struct dispatch_observer obs = {s, on_task, s->fqueues ? on_day : NULL, NULL};
	/* Contact details travel only to a real destination (--sink, a
	 * [sink.NAME]): an evaluator's tasks.jsonl holds none. */
	const struct contact_key *ck = s == &r->sets[0] && r->tout ? r->ck : NULL;
	if (!(s->disp = dispatch_new(&r->dconf, s->e, ck, &obs, err, sizeof(err)))) {
		fprintf(stderr, "vroeg replay: %s\n", err);
		return VR_ENOMEM;
	}
	return VR_OK;
}

/* A file sink for dir/name, created anew. */
static struct sink *open_sink(const char *dir, const char *name)
{
	char path[4200], err[4400];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	struct sink *s = sink_file_open(path, "w", 0, err, sizeof(err));
	if (!s)
		fprintf(stderr, "vroeg replay: %s\n", err);
	return s;
}

FILE *replay_open_out(const char *dir, const char *name)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		fprintf(stderr, "vroeg replay: cannot create %s: %s\n", path, strerror(errno));
	return f;
}

int replay_make_dir(const char *dir)
{
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "vroeg replay: cannot create %s: %s\n", dir, strerror(errno));
		return VR_EIO;
	}
	return VR_OK;
}

int replay_open_set_outputs(struct replay *r, struct rset *s)
{
	char err[256];
	jbuf_init(&s->line, OUT_MAX);
	if (!r->out_dir) {
		if (!(s->fdec = sink_file_open("-", "w", 0, err, sizeof(err))))
			fprintf(stderr, "vroeg replay: %s\n", err);
		return s->fdec ? VR_OK : VR_EIO;
	}
	if (r->n_sets > 1)
		snprintf(s->dir, sizeof(s->dir), "%s/%s", r->out_dir, s->name);
	else
		snprintf(s->dir, sizeof(s->dir), "%s", r->out_dir);
	if (replay_make_dir(s->dir))
		return VR_EIO;
	s->fdec = open_sink(s->dir, "decisions.jsonl");
	s->fcases = open_sink(s->dir, "cases.jsonl");
	s->frej = open_sink(s->dir, "rejects.jsonl");
	if (!r->no_tasks) {
		s->ftasks = open_sink(s->dir, "tasks.jsonl");
		s->fqueues = open_sink(s->dir, "queues.jsonl");
		if (!s->ftasks || !s->fqueues)
			return VR_EIO;
	}
	return s->fdec && s->fcases && s->frej ? VR_OK : VR_EIO;
}

int replay_start_compare(struct replay *r)
{
	static const char *names[SETS_MAX];
	if (r->n_sets < 2)
		return VR_OK;
	for (int k = 0; k < r->n_sets; k++)
		names[k] = r->sets[k].name;
	r->fchanges = replay_open_out(r->out_dir, "changes.jsonl");
	r->cmp = r->fchanges ? compare_new(names, (size_t)r->n_sets, r->fchanges) : NULL;
	return r->cmp ? VR_OK : VR_EIO;
}

int replay_close_out(FILE **fp)
{
	FILE *f = *fp;
	*fp = NULL;
	if (!f)
		return 0;
	int bad = ferror(f);
	if (f == stdout)
		return fflush(f) != 0 || bad;
	return fclose(f) != 0 || bad;
}

/* Write out what a sink holds: non-zero (and the reason on stderr) when it
 * cannot. */
static int flush_sink(struct sink *s)
{
	if (!s || sink_flush(s, 0) == VR_OK)
		return 0;
	fprintf(stderr, "vroeg replay: %s\n", sink_error(s));
	return 1;
}

void replay_close_sinks(struct rset *s)
{
	sink_close(s->fdec);
	sink_close(s->fcases);
	sink_close(s->frej);
	sink_close(s->ftasks);
	sink_close(s->fqueues);
	s->fdec = s->fcases = s->frej = s->ftasks = s->fqueues = NULL;
	dispatch_free(s->disp);
	s->disp = NULL;
}

static int write_json(const char *dir, const char *name, struct jbuf *b)
{
	FILE *f = replay_open_out(dir, name);
	int bad = !f || !jbuf_ok(b) || jbuf_write(b, f) != 0;
	return replay_close_out(&f) || bad;
}

/* The end of the period: release the mornings up to --now, the last
 * day's figures, and every task delivered to the task sinks. */
static int finish_dispatch(struct replay *r, struct rset *s)
{
	struct dispatch_stats st;
	unsigned long pending, failed;
	if (!s->disp)
		return 0;
	if ((r->now != VR_DATE_NONE && dispatch_advance(s->disp, r->now) != VR_OK) ||
	    dispatch_finish(s->disp) != VR_OK)
		return 1;
	dispatch_stats(s->disp, &st);
	summary_set_tasks(&s->sum, &st);
	if (s != &r->sets[0] || !r->tout)
		return 0;
	int rc = task_out_finish(r->tout, 60000, &pending, &failed);
	if (rc != VR_OK || failed)
		fprintf(stderr, "vroeg replay: tasks: %lu not delivered in 60 s, %lu refused for "
				"good (see above)\n", pending, failed);
	return rc != VR_OK || failed;
}

/* After the input: flush cases, write each set's files and the comparison. */
int replay_finish(struct replay *r)
{
	int bad = 0;
	for (int k = 0; k < r->n_sets; k++) {
		struct rset *s = &r->sets[k];
		bad |= finish_dispatch(r, s);
		if (s->e && engine_flush_cases(s->e) != VR_OK)
			bad = 1;
		if (r->cmp && s->e) {
			struct hkey *keys;
			size_t n;
			bad |= engine_case_households(s->e, &keys, &n) != VR_OK ||
			       compare_households(r->cmp, (size_t)k, keys, n) != VR_OK;
			free(keys);
		}
		bad |= flush_sink(s->fdec) | flush_sink(s->fcases) | flush_sink(s->frej) |
		       flush_sink(s->ftasks) | flush_sink(s->fqueues);
		if (r->out_dir && s->fdec) {
			struct jbuf b;
			jbuf_init(&b, OUT_MAX);
			summary_json(&s->sum, &b);
			bad |= write_json(s->dir, "summary.json", &b);
			jbuf_fini(&b);
		}
		replay_close_sinks(s);
	}
	if (r->cmp) {
		const struct summary *sums[SETS_MAX];
		struct jbuf b;
		for (int k = 0; k < r->n_sets; k++)
			sums[k] = &r->sets[k].sum;
		jbuf_init(&b, OUT_MAX);
		compare_json(r->cmp, sums, &b);
		bad |= write_json(r->out_dir, "comparison.json", &b);
		jbuf_fini(&b);
		if (!r->quiet)
			compare_print(r->cmp, sums, stderr);
	}
	bad |= replay_close_out(&r->fchanges);
	if (bad)
		fprintf(stderr, "vroeg replay: cannot write output\n");
	return bad ? VR_EIO : VR_OK;
}
