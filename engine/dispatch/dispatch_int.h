/*
 * dispatch_int.h - what dispatch.c (life cycle, release) and queue.c (the
 * team queues) share.  Private to engine/dispatch.
 */
#ifndef VR_DISPATCH_INT_H
#define VR_DISPATCH_INT_H

#include "dispatch.h"
#include "jsonw.h"

struct team;

/* A case dispatch knows. */
struct dcase {
	/* The queue order's key, from the latest case (queue_before). */
	uint8_t priority;
	vr_date due;
	int32_t score;
	char id[CASE_ID_STRLEN];
	enum case_status status;
	unsigned version;         /* of its latest task; 0 while queued */
	vr_date queued;           /* the day it entered the queue */
	vr_date changed;          /* the day of its latest change (in memory) */
	struct hkey household;
	struct team *team;        /* its queue while queued */
	size_t heap_pos;          /* in team->heap; SIZE_MAX when not queued */
	unsigned char *snap;      /* the latest case, encoded (case_encode: a
				   * tenth of the struct): while queued, and
				   * with a journal for good (keep_cases) */
	uint32_t snap_len, snap_cap;
	/* What the team reported (outcome.c). */
	vr_date opgepakt;         /* the first contact attempt, VR_DATE_NONE */
	int8_t resultaat;         /* DDAS eindresultaat index, -1 */
	uint8_t n_attempts;
	struct contact_attempt attempts[OUTCOME_ATTEMPTS_MAX];
};

struct team {
	char name[CASE_TEAM_MAX + 1];
	long capacity;            /* per working day; DISPATCH_UNLIMITED */
	struct dcase **heap;      /* release order: heap[0] goes next */
	size_t n_heap, cap_heap;
	struct {                  /* the day's figures so far */
		size_t arrived, released, released_crisis, late;
	} day;
	int *waits;               /* the day's waits in days */
	size_t n_waits, cap_waits;
};

struct dispatch {
	struct dispatch_conf conf;
	const struct engine *e;
	const struct contact_key *ck;
	struct dispatch_observer obs;
	struct dcase **table;     /* open addressing by id */
	size_t n, cap;
	struct team teams[DISPATCH_TEAMS_MAX];
	size_t n_teams;
	vr_date last;             /* the latest day reached */
	bool last_working;        /* it had a morning release */
	struct jbuf json;
	struct dispatch_stats stats;
	struct case_rec open;     /* a snapshot opened (dispatch_snap_open) */
	unsigned char enc[CASE_ENCODED_MAX]; /* a case being encoded */
	struct dispatch_journal journal;  /* put NULL: none */
	bool keep_cases;                  /* released cases keep their copy */
	struct outbox_rec *restored;      /* the outbox as restored, to resend */
	size_t n_restored, cap_restored;
};

/* A task of the outbox as restored. */
struct outbox_rec {
	struct case_rec c;
	unsigned version;
	vr_date day;
};

/* journal.c: the state's values, when a journal is set. */
int journal_case(struct dispatch *d, const struct dcase *x);
int journal_task(struct dispatch *d, const struct case_rec *c, unsigned version, vr_date day);
int journal_last(struct dispatch *d);
struct team *dispatch_team_get(struct dispatch *d, const char *name);
struct dcase *dispatch_case_get(struct dispatch *d, const char *id);
struct dcase *dispatch_case_find(struct dispatch *d, const char *id);
/* x's snapshot becomes c (encoded); VR_OK or VR_ENOMEM. */
int dispatch_snap_set(struct dispatch *d, struct dcase *x, const struct case_rec *c);
/* The same from encoded bytes (a restored value), checked: VR_EPARSE. */
int dispatch_snap_set_encoded(struct dispatch *d, struct dcase *x, const unsigned char *p,
			      size_t len);
/* x's snapshot decoded into d's one scratch case (valid until the next
 * call), or NULL when x has none. */
const struct case_rec *dispatch_snap_open(struct dispatch *d, const struct dcase *x);
void dispatch_snap_drop(struct dcase *x);
int dispatch_emit(struct dispatch *d, unsigned version, const struct case_rec *c, vr_date day,
		  bool fresh);

/* Does a go out before b?  Priority class, due date, score, case id. */
bool queue_before(const struct dcase *a, const struct dcase *b);
/* Put x in t's queue, or move it to where its case now belongs. */
int queue_put(struct team *t, struct dcase *x);
/* Take x out of t's queue (nothing when it is not in it). */
void queue_remove(struct team *t, struct dcase *x);

#endif
