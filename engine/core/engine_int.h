/*
 * engine_int.h - what the two halves of the engine share: pipeline.c (the
 * batch: scratch slots, prepare, load, apply, report) and policy.c (the
 * decision for one record of the batch being decided).  Private to
 * engine/core; everyone else goes through engine.h.
 *
 * The pipeline owns struct engine and its slots; policy.c reads the batch
 * being decided (e->b) and writes that record's decision, its household's
 * state in the batch and the cases it completes (e->b->done).
 */
#ifndef VR_ENGINE_INT_H
#define VR_ENGINE_INT_H

#include "engine.h"

struct engine {
	struct engine_conf conf;
	const struct ruleset *rs;
	struct store *st;
	struct pseudo *ps;
	struct vr_clock *clk;
	struct engine_observer obs;

	/* Scratch for one batch, sized conf.batch_size.  There are two, so a
	 * batch can be decided while the previous one's apply is on its way
	 * to the store (engine_submit). */
	struct slot {
		struct signal *sigs;
		struct sig_error *errs;
		bool *valid;
		struct hkey *hkeys;
		uint32_t *item_of;        /* record -> index in items */
		uint64_t *mark_id;        /* record -> its redelivery mark */
		struct store_item *items;
		struct store_batch batch;
		struct decision *decs;
		struct store_case *done;
		size_t n_done;
		struct case_rec *after;   /* record -> its case after it, when
					   * the observer wants them (with_cases) */
		struct store_kv *kv;      /* the observer's own values (engine_add_kv) */
		size_t n_kv, cap_kv;
		size_t n;                 /* records */
	} slots[2];
	struct slot *b;               /* the batch being decided */
	struct slot *sent;            /* the batch decided before it */
	enum {
		SENT_NONE,            /* reported (or none yet) */
		SENT_WAITING,         /* its apply is sent, outcome not read */
		SENT_APPLIED,         /* stored, not reported yet */
		SENT_FAILED,          /* its apply failed or its outcome is
				       * unknown: to be repeated */
	} sent_state;
	bool process_pending;     /* sent is an engine_process() batch whose
				   * apply failed: that call is repeated */
	uint32_t *ht;             /* batch-local index: slot -> item/mark + 1 */
	size_t ht_cap;
	struct contact_key *ck;
	bool in_early;            /* in the observer's early hooks: engine_add_kv */
};

/*
 * Decide record i of the batch in e->b (prepared and loaded): a record that
 * failed validation gets its status from its error, a valid one is decided
 * by the policy against the batch-local state of its household.
 */
void policy_decide(struct engine *e, size_t i, const struct engine_rec *rec);

#endif
