/*
 * task_out.h - where follow-up tasks go: the sinks a config's [sink.NAME]
 * sections or a --sink URL declare (docs/dispatch.md).
 *
 *   [sink.team-webhook]          --sink https://case-system.example.nl/hook
 *   type = http                  --sink file:/var/lib/vroeg/tasks.jsonl
 *   url = https://...
 *   secret.file = /etc/vroeg/webhook.secret
 *
 * Every task goes to every sink, keyed by its task_id (the HTTP sink's
 * Idempotency-Key); a file sink writes one JSON line per task.  A task a
 * sink refuses for good is counted and named in the log, and the others go
 * on.  Types: file, http, kafka (topic `tasks` by default, keyed by the
 * case id, the task id in header vroeg.task_id; the producer of [kafka])
 * and zgw (a zaak and a rol per task in a ZGW Zaken API: sink_zgw.h).
 */
#ifndef VR_TASK_OUT_H
#define VR_TASK_OUT_H

#include <stddef.h>

#include "conf.h"
#include "dispatch.h"
#include "sink.h"
#include "sink_zgw.h"

struct task_out;

extern const struct conf_key task_out_conf_keys[];

struct task_out *task_out_new(void);
void task_out_free(struct task_out *o);
/* "file:PATH" or "http(s)://...": VR_EINVAL with err. */
int task_out_add_url(struct task_out *o, const char *url, char *err, size_t errlen);
/* Every [sink.NAME] section of cf. */
int task_out_add_conf(struct task_out *o, const struct conf *cf, char *err, size_t errlen);
size_t task_out_count(const struct task_out *o);
/* The [sink.NAME] sections without opening anything (--check): a known
 * type and the keys it needs. */
int task_out_check_conf(const struct conf *cf, char *err, size_t errlen);

/* The ledger of every zgw sink: where a zaak's URL is recorded before its
 * rol is posted (the service's store). */
void task_out_set_ledger(struct task_out *o, const struct zgw_ledger *l);
/* The zgw sinks' names, one per call from *it = 0 on; NULL after the last. */
const char *task_out_zgw_name(const struct task_out *o, size_t *it);
/* A zaak recorded before for task_id by the zgw sink of that name:
 * VR_OK, VR_ENOTFOUND (no such sink now), VR_ENOMEM. */
int task_out_zgw_known(struct task_out *o, const char *sink_name, const char *task_id,
		       const char *zaak_url);

/* Hand task t to every sink (copied); serves what is ready. */
int task_out_send(struct task_out *o, const struct dispatch_task *t);

/* One task's deliveries, for a caller that acts when each task is done
 * (the service's outbox): a group per sink.  Zero-initialise. */
#define TASK_SINKS_MAX 8
struct task_track {
	struct sink_group g[TASK_SINKS_MAX];
};
int task_out_send_tracked(struct task_out *o, const struct dispatch_task *t,
			  struct task_track *tr);
/* Is every sink done with it (delivered or failed for good)?  *failed:
 * the sinks that refused it for good. */
bool task_out_track_done(const struct task_out *o, const struct task_track *tr,
			 unsigned long *failed);
/* Serve the sinks' outcomes and retries that are ready, and write the
 * file sinks' lines (the service's loop). */
void task_out_poll(struct task_out *o);
/* Wait up to wait_ms for every task to be delivered or failed for good:
 * VR_OK, VR_EAGAIN when time ran out (*pending left), VR_EIO when a sink
 * cannot deliver at all.  *failed: tasks refused for good. */
int task_out_finish(struct task_out *o, long wait_ms, unsigned long *pending,
		    unsigned long *failed);

#endif
