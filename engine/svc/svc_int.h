/*
 * svc_int.h - the service's parts, shared by service.c (the batch ring and
 * the loop) and setup.c (assembly from the config).
 */
#ifndef VR_SVC_INT_H
#define VR_SVC_INT_H

#include <signal.h>

#include "dispatch.h"
#include "engine.h"
#include "jsonw.h"
#include "mapping.h"
#include "rules.h"
#include "service.h"
#include "sink.h"
#include "src.h"
#include "task_out.h"

#define SVC_TOPICS_MAX 64
#define SVC_WHERE_MAX 300
#define INFLIGHT_MAX 4   /* batches decided and waiting for their output's acknowledgement */

/* A batch of messages: gathered, then decided, then in flight until every
 * dead letter and feedback event of it is acknowledged, then retired (its
 * positions stored for commit). */
struct batch {
	size_t n;
	struct src_msg *msgs;
	struct engine_rec *recs;
	struct jbuf *mapped;
	struct sig_error *pre;
	char (*where)[SVC_WHERE_MAX];  /* each record's "topic/partition" */
	bool *fwd;                     /* forwarded to the repartition topic (stage 1),
					* not for the engine */
	struct engine_rec *erecs;      /* the records for the engine, compacted */
	size_t *emsg;                  /* erecs[j] is msgs[emsg[j]] */
	size_t ne;
	struct sink_group g;           /* dead letters and feedback */
	struct sink_group fg;          /* records forwarded to the repartition topic */
};

struct svc {
	const struct conf *cf;
	const struct run_opts *o;
	struct run_result *res;

	/* engine */
	struct engine_conf econf;
	const char *rules_file;
	struct ruleset *rs;
	struct pseudo *ps;
	struct contact_key *ck;
	struct store *st;
	struct vr_clock clk;
	struct engine *e;
	long linger_ms;

	/* in and out */
	struct src *src;
	struct mapping *maps[SVC_TOPICS_MAX];
	size_t n_maps;
	struct sink *kafka;          /* dead letters and feedback */
	struct sink *fdec, *fcases;  /* [output] files, or NULL */
	char dlq_topic[256];
	char feedback_topics[PARTNER__COUNT][256];
	bool feedback;
	struct jbuf line;            /* one output line or feedback event */

	/* batches: a ring of INFLIGHT_MAX; [head, head + inflight) are decided
	 * and wait for acknowledgements, the next one is being gathered */
	size_t batch_max;
	struct batch batches[INFLIGHT_MAX];
	unsigned head, inflight;
	struct batch *fill;
	struct batch *deciding;      /* the batch the engine is reporting */
	size_t pos;                  /* its next record */

	/* Lines the files held at start-up (hashes, sorted): a batch read
	 * again after a crash finds its lines written already. */
	uint64_t *written_dec, *written_cases;
	size_t n_written_dec, n_written_cases;
	bool flushing;               /* engine_flush_cases(): cases to write now */

	/* [connector] repartition.topic (repart.c) */
	bool repart;
	char repart_topic[256];
	struct signal *rsig;         /* scratch: the signal being forwarded */
	unsigned char *rseal;        /* scratch: its sealed record */
	size_t rseal_cap;

	bool fatal;
	bool checking;               /* --check: no store or Kafka contacted, no engine */
	struct worklist *collect;    /* cases gathered for the closing report */

	/* [team NAME] and [sink.NAME]: queues and task sinks (tasks.c) */
	struct dispatch *disp;
	struct task_out *tout;
	struct svc_tasks *tk;        /* the journal, held and sent tasks */
};

extern volatile sig_atomic_t svc_stop_flag, svc_reload_flag;

/* [engine] and [connector] (setup.c). */
extern const struct conf_key svc_conf_keys[];

/* keys.c */
extern const struct conf_key svc_key_conf_keys[];
int svc_check_keys(const struct svc *r, char *err, size_t n);

/* setup.c */
int svc_setup_engine(struct svc *r, const struct engine_observer *obs, char *err, size_t n);
int svc_load_mappings(struct svc *r, char *err, size_t n);
int svc_output_topics(struct svc *r, char *err, size_t n);
int svc_check_topics(const struct svc *r, char *err, size_t n);
int svc_check_output(const struct conf *c, char *err, size_t n);
int svc_setup_output(struct svc *r, char *err, size_t n);
void svc_reload_rules(struct svc *r);
void svc_teardown_engine(struct svc *r);

struct mapping *svc_mapping_of(const struct svc *r, const char *topic);
/* Is t a partner, dead-letter or feedback topic? */
bool svc_topic_used(const struct svc *r, const char *t);

/* repart.c: the repartition stage.  svc_setup_repart() reads and checks
 * [connector] repartition.topic (after the mappings and output topics).
 * svc_repart_forward(): stage 1 for mapped partner message i of b; true
 * when it went to the repartition topic (in b->fg), false when the engine
 * is to decide it (rejected).  svc_repart_open(): stage 2, record i of b
 * from a repartition message (or a rejected one). */
int svc_setup_repart(struct svc *r, char *err, size_t n);
bool svc_repart_forward(struct svc *r, struct batch *b, size_t i);
void svc_repart_open(struct svc *r, struct batch *b, size_t i);

/* service.c: m to the dead-letter topic with the headers naming why and
 * where it came from, in group g. */
int svc_dead_letter(struct svc *r, struct sink_group *g, const struct src_msg *m,
		    const char *code, const char *reason);

/* tasks.c */
bool svc_wants_tasks(const struct conf *c);
int svc_check_tasks(const struct conf *c, char *err, size_t n);
int svc_setup_tasks(struct svc *r, char *err, size_t n);
void svc_tasks_poll(struct svc *r);
/* [outcomes] topic: the teams' outcomes from Kafka, a consumer of their own. */
int svc_setup_outcomes(struct svc *r, char *err, size_t n);
/* Read to the end of the outcomes topic (or none configured)? */
bool svc_outcomes_at_end(struct svc *r);
int svc_tasks_decision(struct svc *r, const struct decision *d);
int svc_tasks_written(struct svc *r);
int svc_tasks_reported(struct svc *r);
void svc_tasks_discard(struct svc *r);
/* Are tasks held or with the sinks (the loop polls more often)? */
bool svc_tasks_busy(const struct svc *r);
/* The DDAS status a partner hears for a signal that joined case id. */
enum dec_status svc_tasks_status(struct svc *r, const char *case_id);
void svc_tasks_finish(struct svc *r);
void svc_teardown_tasks(struct svc *r);

#endif
