/*
 * replay.c - `vroeg replay [options] FILE...`
 *
 * Reads canonical signal JSONL from files or stdin and decides it with one
 * or more rule sets over one pass of the input.  Each rule set runs its own
 * engine, store and clock, so the sets never see each other's state; with
 * several sets, each gets a subdirectory of --out and the run adds a
 * comparison.  Same input, options and key: byte-identical output.
 */
#include "replay.h"
#include "replay_int.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backoff.h"
#include "compare.h"
#include "emit.h"
#include "engine.h"
#include "jsonw.h"
#include "mapping.h"
#include "rules.h"
#include "service.h"
#include "sink_file.h"
#include "src_file.h"
#include "summary.h"
#include "task_out.h"
#include "vr.h"


static void usage(FILE *f)
{
	fputs("usage: vroeg replay [options] FILE...   (FILE may be - for stdin)\n"
	      "  --out DIR            write decisions.jsonl, cases.jsonl, rejects.jsonl,\n"
	      "                       tasks.jsonl, queues.jsonl and summary.json to DIR\n"
	      "                       (default: decisions to stdout)\n"
	      "  --rules FILE         decide with this rule file (default: the built-in\n"
	      "                       rules/default.rules); repeat it to compare rule sets\n"
	      "                       side by side: DIR/<name>/ each, plus DIR/comparison.json\n"
	      "                       and DIR/changes.jsonl\n"
	      "  --municipality CODE  serve this 4-digit CBS code (repeatable; overrides the\n"
	      "                       rule set's municipalities; default: all)\n"
	      "  --key-file PATH      pseudonym key (default: an ephemeral random key, so\n"
	      "                       household and case ids differ between runs)\n"
	      "  --now YYYY-MM-DD     today, the end of the input's period: signals dated\n"
	      "                       after it are rejected (default: none is; records are\n"
	      "                       received in event time, see docs/replay.md)\n"
	      "  --explain CASE_ID    explain that case's priority, team and score (on\n"
	      "                       stdout with --out, else stderr)\n"
	      "  --store URL          state store: memory (default), redis://host:port[/db]\n"
	      "                       [?prefix=P] or unix:///path (see docs/state.md)\n"
	      "  --store-wait S       wait up to S seconds for an unavailable store (300)\n"
	      "  --contact-key-file P AES-256 key sealing contact details in the store\n"
	      "                       (default with a non-memory store: ephemeral)\n"
	      "  --mapping FILE       the input is in a partner's format: FILE is a mapping\n"
	      "                       with one [topic NAME] section (docs/connectors.md),\n"
	      "                       e.g. a CSV export with its header line\n"
	      "  --capacity TEAM=N    the team takes N cases per working day (repeatable;\n"
	      "                       default unlimited); crisis cases go out at once\n"
	      "  --sink URL           deliver the tasks also to file:PATH or http(s)://URL\n"
	      "                       (repeatable; one rule set)\n"
	      "  -c, --config FILE    [team NAME] capacity and [sink.NAME] sections of a\n"
	      "                       config (docs/dispatch.md)\n"
	      "  --no-tasks           decide only: no queues, no tasks.jsonl/queues.jsonl\n"
	      "  --batch N            records per batch (default 1024)\n"
	      "  --progress | --no-progress   progress line on stderr (default: if a tty)\n"
	      "  --quiet              no summary on stderr\n",
	      f);
}

static void show_progress(const struct replay *r, const struct src_file *f, double t0,
			  bool last)
{
	double dt = vr_mono_now() - t0;
	size_t n = r->sets[0].sum.records;
	double rate = dt > 0 ? (double)n / dt : 0;
	uint64_t size = src_file_size(f), off = src_file_offset(f);
	fprintf(stderr, "\rreplay: %zu records, %.0f/s", n, rate);
	if (size && off && !last) {
		double eta = dt * (double)(size - off) / (double)off;
		fprintf(stderr, ", %.0f%%, ETA %.0fs   ", 100.0 * (double)off / (double)size, eta);
	} else {
		fputs("                    ", stderr);
	}
	if (last)
		fputc('\n', stderr);
}

/*
 * Decide one batch with one rule set.  While the store says "not now"
 * (VR_EAGAIN: Redis restarting, out of memory, read-only) wait with growing
 * pauses and repeat the same batch, up to --store-wait seconds in all.
 */
static int step(struct replay *r, struct rset *s, const struct engine_rec *recs, size_t n)
{
	s->pos = 0;
	if (!recs)
		return engine_sync(s->e);
	/* One rule set on a server: pipelined, so the server writes a batch
	 * while the next is read.  Comparing needs each batch's statuses at
	 * once, and the memory store has nothing to overlap. */
	return r->n_sets == 1 && !store_url_is_memory(r->store_url)
		       ? engine_submit(s->e, recs, n)
		       : engine_process(s->e, recs, n);
}

/* (recs NULL: wait for the last batch to be stored and reported.) */
static int process_waiting(struct replay *r, struct rset *s, const struct engine_rec *recs,
			   size_t n)
{
	struct vr_backoff bo;
	double waited = 0;
	int rc;
	vr_backoff_init(&bo, 0.05, 2.0);
	while ((rc = step(r, s, recs, n)) == VR_EAGAIN) {
		if (waited == 0)
			fprintf(stderr, "vroeg replay: store unavailable (%s); waiting up to %ds\n",
				store_error(s->st), r->store_wait);
		if (waited >= r->store_wait) {
			fprintf(stderr, "vroeg replay: store still unavailable after %ds: %s\n",
				r->store_wait, store_error(s->st));
			return rc;
		}
		double pause = vr_backoff_next(&bo);
		vr_sleep(pause);
		waited += pause;
	}
	if (waited > 0 && rc == VR_OK)
		fprintf(stderr, "vroeg replay: store back after %.1fs; continuing\n", waited);
	if (rc != VR_OK && rc != VR_EAGAIN && store_error(s->st)[0])
		fprintf(stderr, "vroeg replay: %s\n", store_error(s->st));
	return rc;
}

/* Decide one batch with every rule set, then compare their statuses. */
static int run_batch(struct replay *r, const struct engine_rec *recs, size_t n)
{
	int rc;
	for (int k = 0; k < r->n_sets; k++)
		if ((rc = process_waiting(r, &r->sets[k], recs, n)) != VR_OK)
			return rc;
	if (!r->cmp)
		return VR_OK;
	enum dec_status st[SETS_MAX];
	for (size_t i = 0; i < n; i++) {
		for (int k = 0; k < r->n_sets; k++)
			st[k] = r->sets[k].status[i];
		if ((rc = compare_record(r->cmp, r->ids[i], recs[i].source, recs[i].pos, st)))
			return rc;
	}
	return VR_OK;
}

/*
 * --mapping: turn the n records just read into canonical ones, in place.  A
 * CSV file's first record is its header: it is read once and serves every
 * row, so a row maps exactly as a Kafka message of header and row would.
 * A record that does not map is rejected with code "mapping" at its line.
 * Returns the number of records left (the header is not one), or -1.
 */
static long map_batch(struct replay *r, struct engine_rec *recs, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		struct engine_rec in = recs[i];
		if (r->want_header) {
			r->want_header = false;
			if (!(r->header = mapping_header_new(r->map, in.data, in.len))) {
				fprintf(stderr, "vroeg replay: out of memory\n");
				return -1;
			}
			continue;
		}
		struct engine_rec *out = &recs[k];
		*out = in;
		out->def = mapping_defaults(r->map);
		if (in.len <= SIG_LINE_MAX) { /* else the engine rejects it as too long */
			int rc = r->header ? mapping_apply_row(r->map, r->header, in.data, in.len,
							      &r->mapped[k], &out->data,
							      &out->len, &r->map_err[k])
					   : mapping_apply(r->map, in.data, in.len, &r->mapped[k],
							   &out->data, &out->len, &r->map_err[k]);
			if (rc == VR_ENOMEM) {
				fprintf(stderr, "vroeg replay: out of memory\n");
				return -1;
			}
			if (rc != VR_OK) {
				out->data = "";
				out->len = 0;
				out->reject = &r->map_err[k];
			}
		}
		k++;
	}
	return (long)k;
}

static int run_file(struct replay *r, const char *path, struct engine_rec *recs)
{
	char err[256];
	struct src_file *f = src_file_open(path, err, sizeof(err));
	long n;
	int rc = VR_OK;
	double t0 = vr_mono_now(), shown = t0;

	if (!f) {
		fprintf(stderr, "vroeg replay: %s\n", err);
		return VR_EIO;
	}
	r->want_header = r->csv_header;
	if (r->map && mapping_format(r->map) == MAP_CSV && src_file_set_csv(f, mapping_csv_delim(r->map))) {
		fprintf(stderr, "vroeg replay: out of memory\n");
		src_file_close(f);
		return VR_ENOMEM;
	}
	while ((n = src_file_next(f, recs, r->conf.batch_size)) > 0) {
		long m = r->map ? map_batch(r, recs, (size_t)n) : n;
		if (m < 0) {
			rc = VR_EINVAL;
			break;
		}
		if (m > 0 && (rc = run_batch(r, recs, (size_t)m)) != VR_OK)
			break;
		if (r->progress && vr_mono_now() - shown > 0.5) {
			show_progress(r, f, t0, false);
			shown = vr_mono_now();
		}
	}
	/* The file's last batch is reported before its name goes. */
	for (int k = 0; k < r->n_sets && rc == VR_OK && n == 0; k++)
		rc = process_waiting(r, &r->sets[k], NULL, 0);
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
	mapping_header_free(r->header);
	r->header = NULL;
	return rc;
}

static int parse_option(struct replay *r, const char *a, const char *v)
{
	if (strcmp(a, "--out") == 0) {
		r->out_dir = v;
	} else if (strcmp(a, "--key-file") == 0) {
		r->key_file = v;
	} else if (strcmp(a, "--store") == 0) {
		r->store_url = v;
	} else if (strcmp(a, "--contact-key-file") == 0) {
		r->contact_key_file = v;
	} else if (strcmp(a, "--mapping") == 0) {
		r->mapping_file = v;
	} else if (strcmp(a, "--explain") == 0) {
		r->explain = v;
	} else if (strcmp(a, "--capacity") == 0) {
		char err[160];
		if (dispatch_conf_parse(&r->dconf, v, err, sizeof(err)) != VR_OK) {
			fprintf(stderr, "vroeg replay: --capacity %s: %s\n", v, err);
			return 2;
		}
	} else if (strcmp(a, "--sink") == 0) {
		if (r->n_sink_urls == SINKS_MAX) {
			fprintf(stderr, "vroeg replay: at most %d --sink\n", SINKS_MAX);
			return 2;
		}
		r->sink_urls[r->n_sink_urls++] = v;
	} else if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
		r->conf_file = v;
	} else if (strcmp(a, "--store-wait") == 0) {
		char *end;
		long n = strtol(v, &end, 10);
		if (*end || n < 0 || n > 86400) {
			fprintf(stderr, "vroeg replay: --store-wait must be 0 to 86400 seconds\n");
			return 2;
		}
		r->store_wait = (int)n;
	} else if (strcmp(a, "--rules") == 0) {
		if (r->n_sets == SETS_MAX) {
			fprintf(stderr, "vroeg replay: at most %d --rules\n", SETS_MAX);
			return 2;
		}
		r->rule_files[r->n_sets++] = v;
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
			fprintf(stderr, "vroeg replay: --batch must be 1 to %d\n", ENGINE_BATCH_MAX);
			return 2;
		}
		r->conf.batch_size = (size_t)n;
	} else {
		fprintf(stderr, "vroeg replay: unknown option %s\n", a);
		usage(stderr);
		return 2;
	}
	return 0;
}

static int parse_args(struct replay *r, int argc, char **argv)
{
	engine_conf_init(&r->conf);
	dispatch_conf_init(&r->dconf);
	r->store_url = "memory";
	r->store_wait = 300;
	r->now = VR_DATE_NONE;
	r->progress = -1;
	r->files = calloc((size_t)argc, sizeof(*r->files));
	if (!r->files)
		return 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return -1;
		} else if (strcmp(a, "--progress") == 0) {
			r->progress = 1;
		} else if (strcmp(a, "--no-progress") == 0) {
			r->progress = 0;
		} else if (strcmp(a, "--quiet") == 0) {
			r->quiet = true;
		} else if (strcmp(a, "--no-tasks") == 0) {
			r->no_tasks = true;
		} else if ((a[0] == '-' && a[1] == '-') || strcmp(a, "-c") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "vroeg replay: %s needs a value\n", a);
				return 2;
			}
			int rc = parse_option(r, a, argv[++i]);
			if (rc)
				return rc;
		} else if (a[0] == '-' && a[1] != '\0') {
			fprintf(stderr, "vroeg replay: unknown option %s\n", a);
			usage(stderr);
			return 2;
		} else {
			r->files[r->n_files++] = a;
		}
	}
	if (r->n_files == 0) {
		fprintf(stderr, "vroeg replay: no input files (use - for stdin)\n");
		usage(stderr);
		return 2;
	}
	if (r->n_sets > 1 && !r->out_dir) {
		fprintf(stderr, "vroeg replay: comparing rule sets needs --out DIR\n");
		return 2;
	}
	if (r->n_sets > 1 && (r->n_sink_urls || r->conf_file)) {
		fprintf(stderr, "vroeg replay: --sink and -c deliver one rule set's tasks; "
				"compare rule sets without them\n");
		return 2;
	}
	if (r->no_tasks && (r->n_sink_urls || r->conf_file)) {
		fprintf(stderr, "vroeg replay: --no-tasks makes no tasks for --sink or -c\n");
		return 2;
	}
	if (r->n_sets > 1 && !store_url_is_memory(r->store_url)) {
		/* Each set needs state of its own; one URL would share it. */
		fprintf(stderr, "vroeg replay: comparing rule sets runs on the memory store\n");
		return 2;
	}
	if (r->progress < 0)
		r->progress = isatty(STDERR_FILENO) && !r->quiet;
	return 0;
}

/* Load the rule sets; names must differ, as they name the output dirs. */
static int load_rules(struct replay *r)
{
	char *errs = malloc(ERRS_MAX);
	int rc = VR_OK;
	if (!errs)
		return VR_ENOMEM;
	if (r->n_sets == 0)
		r->n_sets = 1; /* rule_files[0] NULL: built in */
	for (int k = 0; k < r->n_sets && rc == VR_OK; k++) {
		struct rset *s = &r->sets[k];
		s->r = r;
		s->file = r->rule_files[k];
		s->rs = s->file ? ruleset_load_file(s->file, errs, ERRS_MAX)
				: ruleset_load_default(errs, ERRS_MAX);
		if (!s->rs) {
			fprintf(stderr, "%s\nvroeg replay: rule file has errors; nothing decided\n",
				errs);
			rc = VR_EINVAL;
			break;
		}
		snprintf(s->name, sizeof(s->name), "%s", ruleset_name(s->rs));
		for (int j = 0; j < k; j++) {
			if (strcmp(r->sets[j].name, s->name) == 0) {
				fprintf(stderr, "vroeg replay: two rule sets are named \"%s\"; give "
						"each its own 'ruleset' name\n", s->name);
				rc = VR_EINVAL;
			}
		}
		if (strchr(s->name, '/') || s->name[0] == '.') {
			fprintf(stderr, "vroeg replay: rule set name \"%s\" cannot name a directory\n",
				s->name);
			rc = VR_EINVAL;
		}
	}
	free(errs);
	return rc;
}

static int start_sets(struct replay *r, struct pseudo *ps)
{
	char err[256];
	for (int k = 0; k < r->n_sets; k++) {
		struct rset *s = &r->sets[k];
		/* Event time: a record is received no earlier than the
		 * records before it; --now ends the period. */
		clock_init_event(&s->clk, r->now);
		if (!(s->st = store_open(r->store_url, err, sizeof(err)))) {
			fprintf(stderr, "vroeg replay: %s\n", err);
			return VR_EINVAL;
		}
		bool tasks = !r->no_tasks && (r->out_dir || (k == 0 && r->tout));
		struct engine_observer obs = {.ud = s, .decision = replay_on_decision,
					      .case_done = replay_on_case, .with_cases = tasks};
		s->e = engine_new(&r->conf, s->rs, s->st, ps, &s->clk, &obs, err, sizeof(err));
		if (s->e && r->ck)
			engine_set_contact_key(s->e, r->ck);
		s->status = calloc(r->conf.batch_size, sizeof(*s->status));
		summary_init(&s->sum);
		if (!s->e || !s->status) {
			fprintf(stderr, "vroeg replay: %s\n", s->e ? "out of memory" : err);
			return VR_ENOMEM;
		}
		if (replay_open_set_outputs(r, s) || (tasks && replay_start_dispatch(r, s)))
			return VR_EIO;
	}
	return VR_OK;
}

static void cleanup(struct replay *r)
{
	for (int k = 0; k < SETS_MAX; k++) {
		struct rset *s = &r->sets[k];
		replay_close_sinks(s);
		jbuf_fini(&s->line);
		engine_free(s->e);
		store_close(s->st);
		ruleset_free(s->rs);
		free(s->status);
	}
	replay_close_out(&r->fchanges);
	compare_free(r->cmp);
	for (size_t i = 0; r->mapped && i < r->conf.batch_size; i++)
		jbuf_fini(&r->mapped[i]);
	free(r->mapped);
	free(r->map_err);
	mapping_free(r->map);
	conf_free(r->map_conf);
	task_out_free(r->tout);
	conf_free(r->cfg);
	free(r->ids);
	free(r->files);
}

/* -c FILE's [team NAME] and [sink.NAME] sections (the service's config
 * may be given: its other sections are checked and left alone), then each
 * --sink: the first rule set's task sinks. */
static int load_dispatch(struct replay *r)
{
	char err[512];
	if (r->conf_file) {
		struct dispatch_conf mine = r->dconf; /* --capacity wins */
		if (!(r->cfg = conf_load(r->conf_file, err, sizeof(err))) ||
		    conf_check(r->cfg, run_conf_tables(), err, sizeof(err)) ||
		    dispatch_conf_load(&r->dconf, r->cfg, err, sizeof(err))) {
			fprintf(stderr, "vroeg replay: %s\n", err);
			return VR_EINVAL;
		}
		for (size_t i = 0; i < mine.n_teams; i++)
			dispatch_conf_set(&r->dconf, mine.teams[i].name, mine.teams[i].capacity);
	}
	if (!r->conf_file && !r->n_sink_urls)
		return VR_OK;
	if (!(r->tout = task_out_new()))
		return VR_ENOMEM;
	if (r->cfg && task_out_add_conf(r->tout, r->cfg, err, sizeof(err)) != VR_OK) {
		fprintf(stderr, "vroeg replay: %s: %s\n", r->conf_file, err);
		return VR_EINVAL;
	}
	for (int i = 0; i < r->n_sink_urls; i++) {
		if (task_out_add_url(r->tout, r->sink_urls[i], err, sizeof(err)) != VR_OK) {
			fprintf(stderr, "vroeg replay: --sink %s\n", err);
			return VR_EINVAL;
		}
	}
	if (!task_out_count(r->tout)) {
		task_out_free(r->tout);
		r->tout = NULL;
	}
	return VR_OK;
}

/* --mapping FILE: its one [topic NAME] section, and scratch for a batch. */
static int load_mapping(struct replay *r)
{
	char err[512];
	const char *topic = NULL;
	if (!(r->map_conf = conf_load(r->mapping_file, err, sizeof(err)))) {
		fprintf(stderr, "vroeg replay: %s\n", err);
		return VR_EINVAL;
	}
	for (size_t i = 0; i < conf_count(r->map_conf); i++) {
		const char *sec = conf_at(r->map_conf, i)->section;
		if (strncmp(sec, "topic ", 6) != 0) {
			fprintf(stderr, "vroeg replay: %s: [%s]: a mapping file has only "
					"[topic NAME] sections\n", r->mapping_file, sec);
			return VR_EINVAL;
		}
		if (topic && strcmp(topic, sec + 6) != 0) {
			fprintf(stderr, "vroeg replay: %s: more than one [topic] section; "
					"replay one partner format at a time\n", r->mapping_file);
			return VR_EINVAL;
		}
		topic = sec + 6;
	}
	if (!topic) {
		fprintf(stderr, "vroeg replay: %s: no [topic NAME] section\n", r->mapping_file);
		return VR_EINVAL;
	}
	if (!(r->map = mapping_from_conf(r->map_conf, topic, err, sizeof(err)))) {
		fprintf(stderr, "vroeg replay: %s\n", err);
		return VR_EINVAL;
	}
	r->csv_header = mapping_csv_header(r->map);
	r->mapped = calloc(r->conf.batch_size, sizeof(*r->mapped));
	r->map_err = calloc(r->conf.batch_size, sizeof(*r->map_err));
	if (!r->mapped || !r->map_err) {
		fprintf(stderr, "vroeg replay: out of memory\n");
		return VR_ENOMEM;
	}
	for (size_t i = 0; i < r->conf.batch_size; i++)
		jbuf_init(&r->mapped[i], 2 * SIG_LINE_MAX);
	return VR_OK;
}

int replay_main(int argc, char **argv)
{
	struct replay r = {0};
	char err[256];
	struct pseudo *ps = NULL;
	struct engine_rec *recs = NULL;
	int rc, code = 1;

	if ((rc = parse_args(&r, argc, argv)) != 0) {
		free(r.files);
		return rc < 0 ? 0 : rc;
	}
	if (load_rules(&r) != VR_OK || (r.mapping_file && load_mapping(&r) != VR_OK) ||
	    load_dispatch(&r) != VR_OK)
		goto out;
	ps = r.key_file ? pseudo_new_file(r.key_file, err, sizeof(err))
			: pseudo_new_ephemeral(err, sizeof(err));
	if (!ps) {
		fprintf(stderr, "vroeg replay: %s\n", err);
		goto out;
	}
	if (!r.key_file && !r.quiet)
		fprintf(stderr, "vroeg replay: no --key-file; using an ephemeral key "
				"(pseudonyms differ between runs)\n");
	/* Contact details are kept where state outlives the run, and for the
	 * tasks the run delivers (--sink, -c). */
	if (!store_url_is_memory(r.store_url) || r.tout) {
		/* Redis killed mid-write must be waited out, not kill the replay. */
		signal(SIGPIPE, SIG_IGN);
		r.ck = r.contact_key_file ? contact_key_file(r.contact_key_file, err, sizeof(err))
					  : contact_key_ephemeral(err, sizeof(err));
		if (!r.ck) {
			fprintf(stderr, "vroeg replay: %s\n", err);
			goto out;
		}
	}
	recs = calloc(r.conf.batch_size, sizeof(*recs));
	r.ids = calloc(r.conf.batch_size, sizeof(*r.ids));
	if (!recs || !r.ids || (r.out_dir && replay_make_dir(r.out_dir)) || start_sets(&r, ps) ||
	    replay_start_compare(&r))
		goto out;
	for (int i = 0; i < r.n_files; i++)
		if (run_file(&r, r.files[i], recs) != VR_OK)
			goto out;
	if (replay_finish(&r) != VR_OK)
		goto out;
	if (!r.quiet && r.n_sets == 1)
		summary_print(&r.sets[0].sum, stderr);
	if (r.explain && !r.explained)
		fprintf(stderr, "vroeg replay: no case %s in this run\n", r.explain);
	code = 0;
out:
	cleanup(&r);
	contact_key_free(r.ck);
	free(recs);
	pseudo_free(ps);
	return code;
}
