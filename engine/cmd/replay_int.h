/*
 * replay_int.h - the replay's state, shared by replay.c (options, input,
 * batches) and replay_out.c (output files, comparison).
 */
#ifndef VR_REPLAY_INT_H
#define VR_REPLAY_INT_H

#include <stdbool.h>
#include <stdio.h>

#include "compare.h"
#include "dispatch.h"
#include "engine.h"
#include "jsonw.h"
#include "mapping.h"
#include "rules.h"
#include "sink.h"
#include "summary.h"
#include "task_out.h"

#define OUT_MAX (64u << 20)
#define SETS_MAX 8
#define ERRS_MAX (16u << 10)
#define SINKS_MAX 8

struct replay;

/* One rule set's run. */
struct rset {
	struct replay *r;
	const char *file;               /* NULL: the built-in rule set */
	char name[80];
	struct ruleset *rs;
	struct store *st;
	struct vr_clock clk;
	struct engine *e;
	struct summary sum;
	struct jbuf line;               /* one decision or case line */
	struct sink *fdec, *fcases, *frej;  /* file sinks (connectors/sink_file.h) */
	struct dispatch *disp;          /* queues and tasks, unless --no-tasks */
	struct sink *ftasks, *fqueues;  /* DIR/tasks.jsonl, DIR/queues.jsonl */
	char dir[4096];
	enum dec_status *status;        /* per record of the current batch */
	size_t pos;                     /* records of the batch seen so far */
};

struct replay {
	const char *out_dir;
	const char *key_file;
	const char *store_url;
	vr_date now;
	int progress;                   /* -1 auto, 0 off, 1 on */
	bool quiet;
	struct engine_conf conf;
	const char **files;
	int n_files;
	const char *rule_files[SETS_MAX];
	int n_sets;
	int store_wait;                 /* seconds to wait for an unavailable store */
	const char *contact_key_file;
	struct contact_key *ck;
	const char *explain;            /* case id to explain, or NULL */
	bool no_tasks;                  /* --no-tasks: decide only */
	struct dispatch_conf dconf;     /* --capacity, [team NAME] */
	const char *sink_urls[SINKS_MAX];  /* --sink */
	int n_sink_urls;
	const char *conf_file;          /* -c: [team NAME] and [sink.NAME] */
	struct conf *cfg;
	struct task_out *tout;          /* the first rule set's task sinks */
	int explained;

	struct rset sets[SETS_MAX];
	struct compare *cmp;
	FILE *fchanges;
	const char **ids;               /* per record of the batch: signal ID */
	bool write_failed;

	/* --mapping: input in a partner's format (connectors/mapping.h) */
	const char *mapping_file;
	struct conf *map_conf;
	struct mapping *map;
	bool csv_header;                /* each file starts with a header line */
	struct map_header *header;      /* the current file's, when csv_header */
	bool want_header;               /* the next record is the header */
	struct jbuf *mapped;            /* per record of the batch */
	struct sig_error *map_err;      /* per record of the batch */
};

int replay_on_decision(void *ud, const struct decision *d);
int replay_on_case(void *ud, const struct hkey *h, const struct case_rec *c);
/* Dispatch for set s: its queues and task outputs. */
int replay_start_dispatch(struct replay *r, struct rset *s);
int replay_make_dir(const char *dir);
FILE *replay_open_out(const char *dir, const char *name);
int replay_open_set_outputs(struct replay *r, struct rset *s);
int replay_start_compare(struct replay *r);
void replay_close_sinks(struct rset *s);
int replay_close_out(FILE **fp);
/* After the input: flush cases, write each set's files and the comparison. */
int replay_finish(struct replay *r);

#endif
