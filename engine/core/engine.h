/*
 * engine.h - the decision pipeline: records in, one decision per record out.
 *
 * For each batch of records the engine validates, pseudonymises, loads the
 * touched households from the store in one call, decides every signal in
 * input order (redelivery, municipality, threshold, repeat, matching into a
 * case, priority, score), writes all changes back in one call, and only then
 * reports the batch's decisions and completed cases to the observer.  If the
 * store fails, nothing of the batch is reported and the store is unchanged.
 *
 * The engine takes "today" from the clock it is given and reads no other
 * time, so replaying the same records gives the same decisions.
 *
 * Ownership: engine_new() borrows the conf (copied), rule set, store,
 * pseudo, clock and observer; they must outlive the engine.  Pointers inside a struct decision are
 * valid only during the observer call.  One thread at a time.
 */
#ifndef VR_ENGINE_H
#define VR_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "contact.h"
#include "pseudo.h"
#include "rules.h"
#include "signal.h"
#include "state.h"
#include "store.h"

#define ENGINE_MUNI_MAX 64
#define ENGINE_BATCH_MAX 8192

/*
 * Run settings.  The policy itself (thresholds, windows, priorities, score,
 * routes) is the rule set's; municipalities given here override the rule
 * set's list (the --municipality option).
 */
struct engine_conf {
	char municipalities[ENGINE_MUNI_MAX][5]; /* none = the rule set's */
	size_t n_municipalities;
	size_t batch_size;          /* records per batch (1024) */
};

void engine_conf_init(struct engine_conf *c);
/* Add a 4-digit municipality code; VR_EINVAL if malformed, VR_ELIMIT if full. */
int engine_conf_add_municipality(struct engine_conf *c, const char *code);

/* Signal statuses: the DDAS ones, then vroeg's own two. */
enum dec_status {
	DEC_OPGEPAKT,
	DEC_HERHAALD,
	DEC_ONTERECHT,
	DEC_ANDERE_REDEN,
	DEC_BEKEND,
	DEC_OVERLEDEN,
	DEC_GEEN_INWONER,
	DEC_NOG_NIET,
	DEC_DUPLICATE,
	DEC_REJECTED,
	DEC__COUNT
};

/* Observations about a signal that do not change its status. */
enum dec_flag {
	FLAG_INCASSO_ONBEKEND = 1 << 0,   /* no incasso block */
	FLAG_INCASSO_ONVOLLEDIG = 1 << 1, /* a social-collection step not done */
	FLAG_ESCALATIE = 1 << 2,          /* repeat with a higher bedrag */
	FLAG_NIEUWE_ZAAK = 1 << 3,        /* this signal opened the case */
	FLAG_LATE = 1 << 4,               /* dated before its household's latest case
					   * opened (docs/engine.md, step 7) */
};
#define DEC_FLAG_COUNT 5

/* The case as it stood right after the decided signal. */
struct dec_case {
	char id[CASE_ID_STRLEN];
	int32_t score;
	uint8_t priority;
	vr_date due;
	uint16_t n_rules;
	struct case_rule rules[CASE_RULES_MAX];
};

struct decision {
	enum dec_status status;
	const char *signal_id;        /* NULL when the record had none */
	const struct signal *sig;     /* NULL when rejected */
	const struct sig_error *err;  /* when rejected */
	const char *source;           /* file name or topic */
	long pos;                     /* line or offset */
	bool has_household;
	struct hkey household;
	bool has_case;                /* Opgepakt */
	struct dec_case kase;
	unsigned flags;               /* enum dec_flag bits */
	enum dec_status original;     /* DEC_DUPLICATE: the status the signal got
				       * when first decided; DEC__COUNT unknown */
	char reason[SIG_REASON_MAX];  /* why not picked up; "" otherwise */
	vr_date today;                /* the clock's today when this record was
				       * read (event time includes it): what
				       * happens next to its case (dispatch.h)
				       * happens from this day on */
	/* The whole case as it stood right after this signal, when the
	 * observer asks for it (with_cases); NULL otherwise or without a
	 * case.  Valid during the observer call. */
	const struct case_rec *case_after;
};

/* Who hears the engine's results (not a sink: sinks deliver output,
 * connectors/sink.h; an observer decides what to do with a result). */
struct engine_observer {
	void *ud;
	/* Once per record, in input order, after the batch is stored. */
	int (*decision)(void *ud, const struct decision *d);
	/* A case that will not change any more: a newer case pushed it out of
	 * its household's state (which holds the two latest, for late signals),
	 * or engine_flush_cases() was called. */
	int (*case_done)(void *ud, const struct hkey *household, const struct case_rec *c);
	/*
	 * Optional, for output that must reach its file no later than the
	 * state reaches the store: the same decisions and completed cases,
	 * and then `written`, once per decided batch, before its store write
	 * is sent (not again when only that write is repeated).  A non-zero
	 * result stops the batch before the store sees it.
	 */
	int (*decision_early)(void *ud, const struct decision *d);
	int (*case_early)(void *ud, const struct hkey *household, const struct case_rec *c);
	int (*written)(void *ud);
	/* Optional: after a batch's decisions and cases were reported, once
	 * per stored batch (what the batch's early hooks wrote is durable). */
	int (*reported)(void *ud);
	/* Fill decision.case_after (a copy of the case per picked-up signal:
	 * for dispatch, which builds tasks from it). */
	bool with_cases;
};

/* One input record, borrowed for the duration of engine_process(). */
struct engine_rec {
	const char *data;
	size_t len;
	const char *source;
	long pos;
	const struct sig_defaults *def;  /* the source's partner, or NULL */
	const struct sig_error *reject;  /* rejected before the engine (a partner
					  * format that did not map), or NULL */
	long long received_ms;           /* when the municipality received it (a
					  * Kafka timestamp, ms since the epoch);
					  * 0: the record's ontvangstdatum or the clock */
};

struct engine;

struct engine *engine_new(const struct engine_conf *conf, const struct ruleset *rs,
			  struct store *st, struct pseudo *ps, struct vr_clock *clk,
			  const struct engine_observer *obs, char *err, size_t errlen);
void engine_free(struct engine *e);

/*
 * Decide the following batches with another rule set (a reload).  Case state
 * is kept.  The engine borrows rule sets and frees none.  The old set may
 * be freed once no batch decided with it is still to be reported: at once
 * after engine_process(), after engine_sync() with engine_submit().
 */
void engine_set_rules(struct engine *e, const struct ruleset *rs);

/*
 * Seal each picked-up signal's contact details under k into its case's
 * contact block, which the store keeps with the case (borrowed; NULL, the
 * default, keeps no contact details at all).
 */
void engine_set_contact_key(struct engine *e, struct contact_key *k);
const struct ruleset *engine_get_rules(const struct engine *e);

/*
 * Decide n records (n <= conf.batch_size).  Returns VR_OK, the first
 * non-zero observer result, or the store's error with nothing reported.  On
 * VR_EAGAIN call it again with the same records (after a pause): if the
 * batch was already decided and only its apply failed, the engine repeats
 * the same writes rather than deciding again, so an apply that did land
 * before the connection broke is not turned into duplicates.
 */
int engine_process(struct engine *e, const struct engine_rec *recs, size_t n);

/*
 * The same, pipelined: decide n records and send their writes to the store
 * without waiting for them; the batch is reported (observer) during the next
 * engine_submit() or engine_sync(), once the store has confirmed it.  So
 * the store writes one batch while the engine reads the next.  Records are
 * borrowed for the call only, but their source strings until the batch is
 * reported.
 *
 * VR_EAGAIN (the previous batch's writes or this batch's load failed):
 * call again with the same records; nothing of this batch was decided.
 * A non-zero observer result ends the engine's use: it may belong to the
 * previous batch, reported during this call.
 * engine_sync() waits for the last batch and reports it; on VR_EAGAIN call
 * it again.  Call engine_sync() before engine_process(), a rule set
 * change, or the end.
 */
int engine_submit(struct engine *e, const struct engine_rec *recs, size_t n);
int engine_sync(struct engine *e);

/*
 * Forget a decided batch whose apply failed, without reporting it: the
 * caller gives up on it (a service stopping while the store is away) and
 * will read its records again.  Whatever of it did reach the store makes
 * those records redeliveries, answered with their first status.
 */
void engine_discard(struct engine *e);

/*
 * From an early hook (decision_early, case_early, written): write a value
 * of the observer's own (store_kv: key, val[0, len), ttl seconds; val NULL
 * deletes) in the same atomic batch as the households being decided.  The
 * engine copies it.  VR_ENOMEM, or VR_EINVAL outside an early hook.
 */
int engine_add_kv(struct engine *e, const char *key, const void *val, size_t len, int64_t ttl);

/* Report every case still held in the store through obs->case_done, in
 * order of opening date and case id.  It first waits for the last batch
 * (engine_sync()); VR_EAGAIN while a failed batch is neither finished nor
 * discarded. */
int engine_flush_cases(struct engine *e);

/* The households that have a case, as a malloc'ed array the caller frees. */
int engine_case_households(struct engine *e, struct hkey **keys, size_t *n);

/*
 * The key a valid signal's state is kept under: its household's pseudonym,
 * or its person's when the rule set matches persons.  The service keys its
 * repartition topic by it, so one instance decides all of a household.
 */
void engine_state_key(const struct engine *e, const struct signal *s, struct hkey *out);

const char *dec_status_name(enum dec_status s);
const char *dec_flag_name(enum dec_flag f);
/* Name of a scoring rule id of the loaded rule set (a decision's case was
 * scored by it: struct dec_case). */
const char *engine_rule_name(const struct engine *e, unsigned rule);
/* Name of a case's i-th fired rule: the name the case keeps (given by the
 * rule set that scored it, whatever is loaded now), or for a case read from
 * a value older than state version 7, the loaded rule set's name of its id. */
const char *engine_case_rule_name(const struct engine *e, const struct case_rec *c, unsigned i);

#endif
