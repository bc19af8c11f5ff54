/*
 * service.h - `vroeg run -c FILE`: the streaming service.
 *
 * One Kafka consumer group over the partner topics of the config file's
 * [topic NAME] sections; each message is mapped to a canonical record
 * (connectors/mapping.h), batches go through the engine and its store, and
 * only when a batch's state is stored and its dead letters and partner
 * feedback are acknowledged by Kafka are its offsets stored for commit
 * (at-least-once; redeliveries are recognised by the engine's marks).
 * docs/connectors.md describes the config and the guarantees.
 */
#ifndef VR_SERVICE_H
#define VR_SERVICE_H

#include <stdbool.h>
#include <stdio.h>

#include "conf.h"
#include "pseudo.h"
#include "summary.h"

/* A key known to be public (the demo key). */
struct run_key {
	const void *data;
	size_t len;
};

struct run_opts {
	bool stop_at_end;        /* stop when every assigned partition is read to its end */
	double max_seconds;      /* stop after this long (0: never) */
	FILE *worklist;          /* at the end: the cases as a team's worklist */
	struct pseudo *ps;       /* pseudonym key instead of [engine] key.file (borrowed) */
	const struct run_key *public_keys;  /* refused as keys; ends with len 0 */
	FILE *queues;            /* at the end: the team queues ([team], [sink.NAME]) */
	bool next_morning;       /* at the end: run the next working morning's release */
};

/* What a run did, for `vroeg demo` and tests. */
struct run_result {
	struct summary sum;
	unsigned long messages, dead_letters, feedback, batches;
	unsigned long forwarded;      /* records produced to the repartition topic */
	unsigned long output_failed;  /* dead letters and feedback failed for good */
	unsigned long tasks;          /* task versions handed to the task sinks */
	unsigned long tasks_failed;   /* not delivered at the end */
};

/* Run the service on a parsed config until SIGTERM/SIGINT (or opts).
 * Returns 0, or 1 after logging why it could not start or go on. */
int run_service(const struct conf *c, const struct run_opts *o, struct run_result *res);

/* The same checks as start-up without contacting Kafka or the store
 * (`vroeg run --check`): VR_OK, or an error with err. */
int run_check(const struct conf *c, const struct run_opts *o, char *err, size_t n);

/* The union of every module's config keys (conf.h), NULL-terminated. */
const struct conf_key *const *run_conf_tables(void);

#endif
