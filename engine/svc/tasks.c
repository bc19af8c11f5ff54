/*
 * tasks.c - the service's dispatch: the team queues and the task sinks of
 * the config's [team NAME] and [sink.NAME] sections (docs/dispatch.md).
 *
 * For now the queues live in the process (dispatch.h), so the service
 * dispatches only with the memory store, whose state ends with the process
 * too: with Redis a restart would lose the queued cases while the store
 * kept their households.  The durable queues and outbox in the store are
 * the next step of issue 13.
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "queue_print.h"
#include "svc_int.h"
#include "vr.h"

bool svc_wants_tasks(const struct conf *c)
{
	for (size_t i = 0; i < conf_count(c); i++) {
		const char *sec = conf_at(c, i)->section;
		if (strncmp(sec, "sink.", 5) == 0 || strncmp(sec, "team ", 5) == 0)
			return true;
	}
	return false;
}

int svc_check_tasks(const struct conf *c, char *err, size_t n)
{
	const char *url = conf_get(c, "store", "url");
	struct dispatch_conf dc;
	dispatch_conf_init(&dc);
	if (task_out_check_conf(c, err, n) || dispatch_conf_load(&dc, c, err, n))
		return VR_EINVAL;
	if (!svc_wants_tasks(c) || !url || store_url_is_memory(url))
		return VR_OK;
	snprintf(err, n, "%s: [sink.NAME] and [team NAME] need the memory store for now: the "
		 "team queues are kept in the process, and with %s a restart would lose the "
		 "queued cases (docs/dispatch.md); replay dispatches with any store",
		 conf_name(c), "Redis");
	return VR_EINVAL;
}

static int on_task(void *ud, const struct dispatch_task *t)
{
	struct svc *r = ud;
	int rc = task_out_send(r->tout, t);
	if (rc != VR_OK)
		vlog(LOG_ERROR, "task %s: %s", t->task_id, vr_strerror(rc));
	r->res->tasks++;
	return rc;
}

int svc_setup_tasks(struct svc *r, char *err, size_t n)
{
	struct dispatch_conf dc;
	if (!svc_wants_tasks(r->cf))
		return VR_OK;
	dispatch_conf_init(&dc);
	if (dispatch_conf_load(&dc, r->cf, err, n) != VR_OK)
		return VR_EINVAL;
	if (!(r->tout = task_out_new()))
		return VR_ENOMEM;
	if (task_out_add_conf(r->tout, r->cf, err, n) != VR_OK)
		return VR_EINVAL;
	/* The team must reach the household: contact details are sealed in
	 * the (in-process) state under a key of this run. */
	if (!r->ck && (!(r->ck = contact_key_ephemeral(err, n))))
		return VR_EINVAL;
	engine_set_contact_key(r->e, r->ck);
	struct dispatch_observer obs = {r, on_task, NULL};
	if (!(r->disp = dispatch_new(&dc, r->e, r->ck, &obs, err, n)))
		return VR_ENOMEM;
	if (!task_out_count(r->tout))
		vlog(LOG_WARN, "[team] sections but no [sink.NAME]: tasks go nowhere");
	return VR_OK;
}

/* In the loop: the working mornings up to today, and the sinks' news. */
void svc_tasks_poll(struct svc *r)
{
	if (!r->disp)
		return;
	if (dispatch_advance(r->disp, clock_today(&r->clk)) != VR_OK) {
		vlog(LOG_ERROR, "dispatch: out of memory");
		r->fatal = true;
	}
	task_out_poll(r->tout);
}

static vr_date next_working_day(const struct svc *r, vr_date d)
{
	do
		d++;
	while (date_is_weekend(d) || ruleset_is_holiday(r->rs, d));
	return d;
}

/* At the end of the run: (when asked) the next working morning's release,
 * the queues, and every task delivered or given up after 30 s. */
void svc_tasks_finish(struct svc *r)
{
	unsigned long pending, failed;
	if (!r->disp)
		return;
	vr_date today = clock_today(&r->clk);
	if (r->o->next_morning && today != VR_DATE_NONE) {
		today = next_working_day(r, today);
		dispatch_advance(r->disp, today);
	}
	dispatch_finish(r->disp);
	if (r->o->queues)
		queue_print(r->o->queues, r->disp, r->e, today, 12);
	int rc = task_out_finish(r->tout, 30000, &pending, &failed);
	if (rc != VR_OK || failed)
		vlog(LOG_ERROR, "tasks: %lu not delivered, %lu refused for good", pending, failed);
	r->res->tasks_failed = pending + failed;
}

void svc_teardown_tasks(struct svc *r)
{
	dispatch_free(r->disp);
	task_out_free(r->tout);
	r->disp = NULL;
	r->tout = NULL;
}
