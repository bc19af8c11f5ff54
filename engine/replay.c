/*
 * replay.c - `vroeg replay [options] FILE...`
 *
 * Reads canonical signal JSONL from files or stdin, runs the engine on an
 * event-time (or --now) clock and writes decisions, cases, rejects and a
 * summary.  Same input and options, same key: byte-identical output.
 */
#include "replay.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "emit.h"
#include "engine.h"
#include "jsonw.h"
#include "src_file.h"
#include "summary.h"
#include "vr.h"

#define OUT_FLUSH (1u << 20)
#define OUT_MAX (64u << 20)
#define DEFAULT_SKEW 31

struct replay {
	const char *out_dir;
	const char *key_file;
	const char *store_url;
	vr_date now;
	int progress;           /* -1 auto, 0 off, 1 on */
	bool quiet;
	struct engine_conf conf;
	const char **files;
	int n_files;

	struct engine *e;
	struct summary sum;
	struct jbuf dec, cases, rej;
	FILE *fdec, *fcases, *frej;
	bool write_failed;
};

static void usage(FILE *f)
{
	fputs("usage: vroeg replay [options] FILE...   (FILE may be - for stdin)\n"
	      "  --out DIR            write decisions.jsonl, cases.jsonl, rejects.jsonl and\n"
	      "                       summary.json to DIR (default: decisions to stdout)\n"
	      "  --municipality CODE  serve this 4-digit CBS code (repeatable; default all)\n"
	      "  --key-file PATH      pseudonym key (default: an ephemeral random key, so\n"
	      "                       household and case ids differ between runs)\n"
	      "  --now YYYY-MM-DD     fixed clock: reject signals dated after it\n"
	      "                       (default: event time, see docs/replay.md)\n"
	      "  --store URL          state store (default memory)\n"
	      "  --batch N            records per batch (default 1024)\n"
	      "  --progress | --no-progress   progress line on stderr (default: if a tty)\n"
	      "  --quiet              no summary on stderr\n",
	      f);
}

static int flush_buf(struct replay *r, struct jbuf *b, FILE *f, size_t at_least)
{
	if (!f || b->len < at_least)
		return VR_OK;
	if (!jbuf_ok(b) || jbuf_write(b, f) != 0) {
		r->write_failed = true;
		return VR_EIO;
	}
	jbuf_reset(b);
	return VR_OK;
}

static int on_decision(void *ud, const struct decision *d)
{
	struct replay *r = ud;
	size_t at = r->dec.len;
	summary_add_decision(&r->sum, d);
	emit_decision(&r->dec, r->e, d);
	if (d->status == DEC_REJECTED && r->frej)
		jbuf_raw(&r->rej, r->dec.p + at, r->dec.len - at);
	if (flush_buf(r, &r->dec, r->fdec, OUT_FLUSH) || flush_buf(r, &r->rej, r->frej, OUT_FLUSH))
		return VR_EIO;
	return VR_OK;
}

static int on_case(void *ud, const struct hkey *h, const struct case_rec *c)
{
	struct replay *r = ud;
	summary_add_case(&r->sum, c);
	if (!r->fcases)
		return VR_OK;
	emit_case(&r->cases, r->e, h, c);
	return flush_buf(r, &r->cases, r->fcases, OUT_FLUSH);
}

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void show_progress(const struct replay *r, const struct src_file *f, double t0,
			  bool last)
{
	double dt = mono_now() - t0;
	double rate = dt > 0 ? (double)r->sum.records / dt : 0;
	uint64_t size = src_file_size(f), off = src_file_offset(f);
	fprintf(stderr, "\rreplay: %zu records, %.0f/s", r->sum.records, rate);
	if (size && off && !last) {
		double eta = dt * (double)(size - off) / (double)off;
		fprintf(stderr, ", %.0f%%, ETA %.0fs   ", 100.0 * (double)off / (double)size, eta);
	} else {
		fputs("                    ", stderr);
	}
	if (last)
		fputc('\n', stderr);
}

static int run_file(struct replay *r, const char *path, struct engine_rec *recs)
{
	char err[256];
	struct src_file *f = src_file_open(path, err, sizeof(err));
	long n;
	int rc = VR_OK;
	double t0 = mono_now(), shown = t0;

	if (!f) {
		fprintf(stderr, "vroeg replay: %s\n", err);
		return VR_EIO;
	}
	while ((n = src_file_next(f, recs, r->conf.batch_size)) > 0) {
		if ((rc = engine_process(r->e, recs, (size_t)n)) != VR_OK)
			break;
		if (r->progress && mono_now() - shown > 0.5) {
			show_progress(r, f, t0, false);
			shown = mono_now();
		}
	}
	if (n < 0) {
		fprintf(stderr, "vroeg replay: read error on %s\n", path);
		rc = VR_EIO;
	} else if (rc != VR_OK) {
		fprintf(stderr, "vroeg replay: %s: %s\n", path,
			r->write_failed ? "cannot write output" : vr_strerror(rc));
	}
	if (r->progress)
		show_progress(r, f, t0, true);
	src_file_close(f);
	return rc;
}

static FILE *open_out(const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		fprintf(stderr, "vroeg replay: cannot create %s: %s\n", path, strerror(errno));
	return f;
}

static int parse_args(struct replay *r, int argc, char **argv)
{
	engine_conf_init(&r->conf);
	r->store_url = "memory";
	r->now = VR_DATE_NONE;
	r->progress = -1;
	r->files = calloc((size_t)argc, sizeof(*r->files));
	if (!r->files)
		return 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool takes = true;
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return -1;
		} else if (strcmp(a, "--progress") == 0) {
			r->progress = 1, takes = false;
		} else if (strcmp(a, "--no-progress") == 0) {
			r->progress = 0, takes = false;
		} else if (strcmp(a, "--quiet") == 0) {
			r->quiet = true, takes = false;
		} else if (a[0] == '-' && a[1] == '-' && !v) {
			fprintf(stderr, "vroeg replay: %s needs a value\n", a);
			return 2;
		} else if (strcmp(a, "--out") == 0) {
			r->out_dir = v;
		} else if (strcmp(a, "--key-file") == 0) {
			r->key_file = v;
		} else if (strcmp(a, "--store") == 0) {
			r->store_url = v;
		} else if (strcmp(a, "--municipality") == 0) {
			int rc = engine_conf_add_municipality(&r->conf, v);
			if (rc) {
				fprintf(stderr, "vroeg replay: --municipality %s: %s\n", v,
					rc == VR_ELIMIT ? "too many municipalities"
							: "expected a 4-digit CBS code");
				return 2;
			}
		} else if (strcmp(a, "--now") == 0) {
			if (date_parse(v, strlen(v), &r->now) != VR_OK) {
				fprintf(stderr, "vroeg replay: --now %s: expected YYYY-MM-DD\n", v);
				return 2;
			}
		} else if (strcmp(a, "--batch") == 0) {
			char *end;
			long n = strtol(v, &end, 10);
			if (*end || n < 1 || n > ENGINE_BATCH_MAX) {
				fprintf(stderr, "vroeg replay: --batch must be 1 to %d\n",
					ENGINE_BATCH_MAX);
				return 2;
			}
			r->conf.batch_size = (size_t)n;
		} else if (a[0] == '-' && a[1] != '\0') {
			fprintf(stderr, "vroeg replay: unknown option %s\n", a);
			usage(stderr);
			return 2;
		} else {
			r->files[r->n_files++] = a;
			takes = false;
		}
		if (takes)
			i++;
	}
	if (r->n_files == 0) {
		fprintf(stderr, "vroeg replay: no input files (use - for stdin)\n");
		usage(stderr);
		return 2;
	}
	if (r->progress < 0)
		r->progress = isatty(STDERR_FILENO) && !r->quiet;
	return 0;
}

static int open_outputs(struct replay *r)
{
	jbuf_init(&r->dec, OUT_MAX);
	jbuf_init(&r->cases, OUT_MAX);
	jbuf_init(&r->rej, OUT_MAX);
	if (!r->out_dir) {
		r->fdec = stdout;
		return VR_OK;
	}
	if (mkdir(r->out_dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "vroeg replay: cannot create %s: %s\n", r->out_dir,
			strerror(errno));
		return VR_EIO;
	}
	r->fdec = open_out(r->out_dir, "decisions.jsonl");
	r->fcases = open_out(r->out_dir, "cases.jsonl");
	r->frej = open_out(r->out_dir, "rejects.jsonl");
	return r->fdec && r->fcases && r->frej ? VR_OK : VR_EIO;
}

static int close_out(FILE *f)
{
	if (!f)
		return 0;
	int bad = ferror(f);
	if (f == stdout)
		return fflush(f) != 0 || bad;
	return fclose(f) != 0 || bad;
}

static int finish(struct replay *r)
{
	int bad = 0;
	bad |= flush_buf(r, &r->dec, r->fdec, 0) != VR_OK;
	bad |= flush_buf(r, &r->cases, r->fcases, 0) != VR_OK;
	bad |= flush_buf(r, &r->rej, r->frej, 0) != VR_OK;
	if (r->out_dir) {
		FILE *f = open_out(r->out_dir, "summary.json");
		struct jbuf b;
		jbuf_init(&b, OUT_MAX);
		summary_json(&r->sum, &b);
		bad |= !f || jbuf_write(&b, f) != 0 || close_out(f);
		jbuf_fini(&b);
	}
	bad |= close_out(r->fdec);
	r->fdec = NULL;
	bad |= close_out(r->fcases);
	r->fcases = NULL;
	bad |= close_out(r->frej);
	r->frej = NULL;
	if (bad)
		fprintf(stderr, "vroeg replay: cannot write output\n");
	return bad ? VR_EIO : VR_OK;
}

int replay_main(int argc, char **argv)
{
	struct replay r = {0};
	char err[256];
	struct vr_clock clk;
	struct pseudo *ps = NULL;
	struct store *st = NULL;
	struct engine_rec *recs = NULL;
	int rc, code = 1;

	if ((rc = parse_args(&r, argc, argv)) != 0) {
		free(r.files);
		return rc < 0 ? 0 : rc;
	}
	if (r.now != VR_DATE_NONE)
		clock_init_fixed(&clk, r.now);
	else
		clock_init_event(&clk, DEFAULT_SKEW);
	ps = r.key_file ? pseudo_new_file(r.key_file, err, sizeof(err))
			: pseudo_new_ephemeral(err, sizeof(err));
	if (!ps) {
		fprintf(stderr, "vroeg replay: %s\n", err);
		goto out;
	}
	if (!r.key_file && !r.quiet)
		fprintf(stderr, "vroeg replay: no --key-file; using an ephemeral key "
				"(pseudonyms differ between runs)\n");
	if (!(st = store_open(r.store_url, err, sizeof(err)))) {
		fprintf(stderr, "vroeg replay: %s\n", err);
		goto out;
	}
	struct engine_sink sink = {&r, on_decision, on_case};
	if (!(r.e = engine_new(&r.conf, st, ps, &clk, &sink, err, sizeof(err)))) {
		fprintf(stderr, "vroeg replay: %s\n", err);
		goto out;
	}
	recs = calloc(r.conf.batch_size, sizeof(*recs));
	summary_init(&r.sum);
	if (!recs || open_outputs(&r) != VR_OK)
		goto out;
	for (int i = 0; i < r.n_files; i++)
		if (run_file(&r, r.files[i], recs) != VR_OK)
			goto out;
	if (engine_flush_cases(r.e) != VR_OK) {
		fprintf(stderr, "vroeg replay: cannot write cases\n");
		goto out;
	}
	if (finish(&r) != VR_OK)
		goto out;
	if (!r.quiet)
		summary_print(&r.sum, stderr);
	code = 0;
out:
	if (code)
		finish(&r);
	jbuf_fini(&r.dec);
	jbuf_fini(&r.cases);
	jbuf_fini(&r.rej);
	free(recs);
	engine_free(r.e);
	store_close(st);
	pseudo_free(ps);
	free(r.files);
	return code;
}
