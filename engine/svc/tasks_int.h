/*
 * tasks_int.h - the service's dispatch state, shared by tasks.c (queues,
 * sinks, journal, outcomes) and dstage.c (the dispatch stage of several
 * instances).
 */
#ifndef VR_TASKS_INT_H
#define VR_TASKS_INT_H

#include "svc_int.h"

#define OUTCOMES_PER_POLL 64

/* A task on its way: durable in the store, handed to the sinks. */
struct sent_task {
	char id[CASE_ID_STRLEN + 16];
	struct task_track tr;
};

/* A task not yet durable: its body, until the batch that made it is
 * stored. */
struct held_task {
	char id[CASE_ID_STRLEN + 16];
	char *body;
	size_t len;
	struct dispatch_task t;
};

struct svc_tasks {
	struct store_kv *kv;      /* journalled values not yet handed to a write */
	size_t n_kv, cap_kv;
	struct held_task *held;   /* emitted, not yet durable */
	size_t n_held, cap_held;
	size_t covered;           /* held[0, covered) are in a write under way */
	double inbox_at;          /* when the inbox was last read */
	uint64_t mark_seen, mark_now;  /* the inbox's mark (0: not read yet) */
	vr_date pruned;           /* the day dispatch's memory was last pruned */
	struct sink_group fb;     /* Opgepakt events of picked-up cases */
	struct sent_task **sent;  /* with the sinks (each on its own: the sinks
				   * hold pointers to its groups) */
	size_t n_sent, cap_sent;
	unsigned long refused;    /* tasks a sink refused for good */
	struct store *ledger;     /* zgw sinks' zaak URLs: a connection of their own */
	struct src *osrc;         /* [outcomes] topic: the teams' outcomes */
	struct src_msg opend[OUTCOMES_PER_POLL]; /* read, not yet stored */
	size_t n_opend;
	unsigned long opend_failed; /* fb.failed when they were read */
	unsigned long outcomes, outcomes_refused;
	int64_t ttl;              /* of the journal's values */

	/* The dispatch stage (dstage.c): with [connector] dispatch.topic the
	 * deciding stage sends each case change there, and the instance that
	 * owns the topic's one partition runs dispatch. */
	struct dispatch_conf dc;
	bool dstage;
	char dtopic[256];
	struct src *dsrc;         /* the dispatch topic's consumer */
	bool assigned;            /* the dispatch group has assigned (any) */
	bool dispatching;         /* this instance owns it: r->disp exists */
	double retry_at;          /* owns it, but dispatch could not start: again then */
	struct sink_group cc;     /* the deciding batch's case changes */
	struct src_msg dpend[OUTCOMES_PER_POLL]; /* applied, not yet stored */
	size_t n_dpend;
	unsigned long dpend_failed; /* fb.failed when they were read */
	struct case_rec *scratch; /* a case change, decoded */
	unsigned char *enc;       /* a case change, encoded */
	unsigned long changes;    /* case changes applied */
};

/* tasks.c */
int svc_tk_write_journal(struct svc *r);
/* Messages m[0, *n) of s whose effects dispatch applied: the values they
 * made written, the partners' events and dead letters they sent
 * acknowledged (fb; failed_at: fb.failed when they were read), and only
 * then their positions stored and *n set to 0.  Kept in hand, for the next
 * call, while the store or Kafka is not through. */
void svc_tk_settle(struct svc *r, struct src *s, struct src_msg *m, size_t *n,
		   unsigned long failed_at, const char *what);
void svc_tk_wait_picked_up(struct svc *r);
/* Dispatch itself: the sinks, the queues read back from the store, the
 * outbox sent again, the outcomes topic.  And its end: the tasks with the
 * sinks get up to wait_s to be delivered (what is left stays in the
 * outbox for the next owner), then all of it goes. */
int svc_tk_start_dispatch(struct svc *r, char *err, size_t n);
/* lost: the partition belongs to another instance already, so nothing more
 * is written or sent from here (wait_s is then ignored). */
void svc_tk_stop_dispatch(struct svc *r, double wait_s, bool lost);
/* The [outcomes] topic may not be one vroeg reads or writes otherwise. */
int svc_tk_check_outcomes(struct svc *r, char *err, size_t n);

/* dstage.c */
int svc_dstage_setup(struct svc *r, char *err, size_t n);
int svc_dstage_change(struct svc *r, const struct decision *d);
int svc_dstage_written(struct svc *r);
void svc_dstage_poll(struct svc *r);
bool svc_dstage_at_end(struct svc *r);
void svc_dstage_close(struct svc *r);

#endif
