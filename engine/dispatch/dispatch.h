/*
 * dispatch.h - after the decision: a case's lifecycle, the team queues,
 * their daily release and the follow-up tasks (docs/dispatch.md).
 *
 * Dispatch hears every case change in input order (the engine's decisions
 * with their case_after and today) and keeps, per case, where it stands:
 *
 *   queued ---release---> dispatched ---outcome---> opgepakt ---> closed
 *
 * A case queues as soon as its first signal is picked up: the team's clock
 * runs from receipt (4 weeks, 3 working days in a crisis), shorter than
 * the monthly matching period, so waiting for the period to end would miss
 * due dates.  It keeps collecting signals in the queue (re-ordered in
 * place); after release each change is a new version of its task.
 *
 * Each team has one queue, ordered by priority class (crisis, urgent,
 * normal), due date, score (high first) and case id: total, so the order
 * never depends on input order or batch size.  Release: a crisis case goes
 * out at once; the rest each working morning (weekends and the rule set's
 * holidays skipped) in queue order up to the team's capacity per working
 * day (unlimited by default).  Release follows the records' own time
 * (decision.today), so a replay releases day by day on its clock and
 * gives the same tasks whatever its batch size.
 *
 * Released cases become tasks (task JSON, docs/task.schema.json) handed
 * to the observer with their task_id (case id + version): the caller
 * delivers them through its sinks.  Per team and day the observer also
 * hears the queue's figures (queues.jsonl of a replay).
 *
 * This is the in-process form (replay, demo): state lives as long as the
 * process.  One thread.
 */
#ifndef VR_DISPATCH_H
#define VR_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "contact.h"
#include "engine.h"
#include "jsonw.h"
#include "state.h"

#define DISPATCH_TEAMS_MAX 64
#define DISPATCH_UNLIMITED (-1L)

enum case_status {
	CASE_QUEUED,
	CASE_DISPATCHED,  /* its task delivered to the team's sink */
	CASE_OPGEPAKT,    /* the team's first contact attempt (datumOpgepakt) */
	CASE_CLOSED,      /* with a DDAS resultaat */
	CASE_STATUS__COUNT
};
const char *case_status_name(enum case_status s);

/* Capacity per working day of the teams that have one ([team NAME]
 * capacity = N); any other team is unlimited. */
struct dispatch_conf {
	struct {
		char name[CASE_TEAM_MAX + 1];
		long capacity;
	} teams[DISPATCH_TEAMS_MAX];
	size_t n_teams;
};

void dispatch_conf_init(struct dispatch_conf *c);
/* Set a team's capacity (N >= 0, or DISPATCH_UNLIMITED); VR_EINVAL for a
 * bad name, VR_ELIMIT when full. */
int dispatch_conf_set(struct dispatch_conf *c, const char *team, long capacity);
/* "TEAM=N" (the --capacity option); VR_EINVAL with err. */
int dispatch_conf_parse(struct dispatch_conf *c, const char *spec, char *err, size_t errlen);
/* Every [team NAME] section of a config: capacity = N. */
int dispatch_conf_load(struct dispatch_conf *c, const struct conf *cf, char *err, size_t errlen);
/* The keys of a [team NAME] section, for conf_check(). */
extern const struct conf_key dispatch_team_keys[];

/* A follow-up task, valid during the observer call. */
struct dispatch_task {
	const char *task_id;   /* "<case id>.v<version>" */
	const char *case_id;
	unsigned version;
	const char *team;
	enum case_priority priority;
	vr_date day;           /* released (version 1) or changed */
	const char *json;      /* the task, one line without newline */
	size_t len;
};

/* One team's queue over one day. */
struct dispatch_day {
	const char *team;
	vr_date date;
	bool working;          /* a working day: a morning release happened */
	long capacity;         /* DISPATCH_UNLIMITED or N */
	size_t arrived;        /* cases queued that day */
	size_t released;       /* by the morning release or, crisis, at once */
	size_t released_crisis;
	size_t late;           /* released after their due date */
	size_t depth;          /* queued at the end of the day */
	int wait_p50, wait_p90, wait_max; /* days from receipt to release of the
					   * day's releases; -1 when none */
};

struct dispatch_observer {
	void *ud;
	int (*task)(void *ud, const struct dispatch_task *t);
	int (*day)(void *ud, const struct dispatch_day *d);   /* optional */
	/* Optional, with a journal: case c became opgepakt (an outcome's
	 * first contact attempt): its signals' DDAS status is Opgepakt now. */
	int (*picked_up)(void *ud, const struct case_rec *c);
};

/* One queued case, for listings (dispatch_queue_walk). */
struct dispatch_queued {
	size_t position;       /* 1 = next to go */
	const struct hkey *household;
	const struct case_rec *c;
	vr_date queued;        /* the day it entered the queue */
};

struct dispatch;

/*
 * A dispatch for the cases of engine e (its rule set's holidays and rule
 * names), sealing no contact block: ck opens the cases' contact blocks for
 * the task (NULL: tasks carry no contact block).  All borrowed.
 */
struct dispatch *dispatch_new(const struct dispatch_conf *conf, const struct engine *e,
			      const struct contact_key *ck, const struct dispatch_observer *obs,
			      char *err, size_t errlen);
void dispatch_free(struct dispatch *d);

/* A decision, in input order: releases the working mornings up to its
 * today, then queues, re-orders or re-issues its case. */
int dispatch_decision(struct dispatch *d, const struct decision *dec);
/* Release every working morning up to and including `today`. */
int dispatch_advance(struct dispatch *d, vr_date today);
/* The end of the input: the last day's figures. */
int dispatch_finish(struct dispatch *d);

/* Forget the cases that are out of the queue and unchanged since before
 * day `before` (their stored values expire with the case retention too):
 * the service's memory stays bounded.  A case restored from the store
 * counts as changed on `today`, the first prune after the restart.
 * Returns how many went. */
size_t dispatch_prune(struct dispatch *d, vr_date before, vr_date today);

/* Teams seen so far, in order of first case. */
size_t dispatch_n_teams(const struct dispatch *d);
const char *dispatch_team(const struct dispatch *d, size_t i, long *capacity);
/* Walk one team's queue in release order; stops at fn's non-zero. */
int dispatch_queue_walk(struct dispatch *d, const char *team,
			int (*fn)(void *ud, const struct dispatch_queued *q), void *ud);

struct dispatch_stats {
	size_t queued, tasks, versions, late;   /* totals */
	size_t in_queue;                        /* now */
};
void dispatch_stats(const struct dispatch *d, struct dispatch_stats *out);

/*
 * Persistence, for a store that outlives the process (the service on
 * Redis).  Every change to dispatch's state is handed to put as a value of
 * the store's own (store_kv: key, value, ttl seconds; val NULL deletes),
 * which the caller writes in the same atomic batch as the case change
 * that made it:
 *   d:q:CASEID   a case's entry: status, version, team, queue key, the
 *                team's outcome and the case itself (for its task while
 *                queued, for its signals' feedback after)
 *   d:o:TASKID   a task not yet delivered (the outbox): the case as the
 *                task shows it, its version and day; rebuilt into the same
 *                JSON after a restart
 *   d:last       the latest day reached (so a restart does not release
 *                the same morning twice)
 * Contact details stay sealed in these values.
 */
#define DISPATCH_KV_PREFIX "d:"
struct dispatch_journal {
	void *ud;
	int (*put)(void *ud, const char *key, const void *val, size_t len, int64_t ttl);
	int64_t ttl;            /* every value's retention, seconds (0: keep) */
};
void dispatch_set_journal(struct dispatch *d, const struct dispatch_journal *j);
/* Task task_id is delivered (or failed for good): it leaves the outbox. */
int dispatch_task_done(struct dispatch *d, const char *task_id);
/* Restore one stored value (store_kv_scan over DISPATCH_KV_PREFIX), at
 * start-up before any decision; VR_EPARSE for a value it cannot read.  The
 * prefix's other values (the inbox d:in, zaak records d:z:) are skipped. */
int dispatch_restore(struct dispatch *d, const char *key, const void *val, size_t len);
/* After the restore: hand every task still in the outbox to the observer
 * again, with the same task_id and body (a redelivery). */
int dispatch_resend(struct dispatch *d);

/*
 * Outcomes: what a team reports back (vroeg outcome, docs/dispatch.md).
 * JSON: {"case_id": "c-...", "contactpogingen": [{"soort": "Telefoon",
 * "bereikt": true, "datum": "2024-03-05", "dagdeel": "Ochtend"}],
 * "resultaat": "Vervolghulp en/of verwijzing"}: DDAS v1.2's contact kinds,
 * day parts and eindresultaten.  The first contact attempt makes a
 * dispatched case opgepakt (DDAS datumOpgepakt: the earliest attempt's
 * date); a resultaat closes it.  The same outcome twice changes nothing.
 */
#define OUTCOME_ATTEMPTS_MAX 8
struct contact_attempt {
	uint8_t soort;         /* index into DDAS EnumContactsoort */
	bool bereikt;
	uint8_t dagdeel;       /* 0 none, 1 Ochtend, 2 Middag, 3 Avond */
	vr_date datum;
};
struct dispatch_outcome {
	char case_id[CASE_ID_STRLEN];
	unsigned n_attempts;
	struct contact_attempt attempts[OUTCOME_ATTEMPTS_MAX];
	int resultaat;         /* index into DDAS EnumEindresultaat, -1 none */
};
/* Parse and check one outcome: VR_EINVAL with err naming the bad field. */
int outcome_parse(const char *json, size_t len, struct dispatch_outcome *out, char *err,
		  size_t n);
/* Apply it: VR_OK (also when it holds nothing new), VR_ENOTFOUND for an
 * unknown case, VR_EINVAL for a case still queued or closed with another
 * resultaat (err says which); *before: the case's status until now. */
int dispatch_outcome(struct dispatch *d, const struct dispatch_outcome *o,
		     enum case_status *before, char *err, size_t n);
const char *outcome_soort_name(unsigned i);
const char *outcome_dagdeel_name(unsigned i);      /* NULL for 0 */
const char *outcome_resultaat_name(int i);         /* NULL for -1 */

/* Where case id stands: VR_ENOTFOUND when dispatch does not know it. */
struct dispatch_case_info {
	enum case_status status;
	unsigned version;
	const char *team;
	vr_date opgepakt;      /* VR_DATE_NONE before the first contact attempt */
	int resultaat;         /* -1 while open */
	unsigned n_attempts;
};
int dispatch_case_info(struct dispatch *d, const char *id, struct dispatch_case_info *out);

/* The task JSON of case c, version v, released or changed on day (task.c). */
int task_json(struct jbuf *b, const struct engine *e, const struct contact_key *ck,
	      const struct case_rec *c, unsigned version, vr_date day);

#endif
