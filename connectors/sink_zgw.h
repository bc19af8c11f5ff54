/*
 * sink_zgw.h - the sink family's ZGW backend (sink.h): each follow-up task
 * becomes a zaak in the municipality's case system, through the ZGW Zaken
 * API 1.5 (docs/dispatch.md, "ZGW").
 *
 * A task is two requests, both with an HS256 JWT (libjwt; claims iss,
 * iat, client_id, user_id) as bearer token:
 *   1. POST {url}/zaken: bronorganisatie and verantwoordelijkeOrganisatie
 *      the municipality's RSIN, the zaaktype, startdatum the task's day,
 *      identificatie the task_id, the case id as kenmerk, and in
 *      omschrijving and toelichting what the team needs to judge it
 *      (priority, first-contact date, score and rules, signals); headers
 *      Accept-Crs and Content-Crs EPSG:4326.
 *   2. POST {url}/rollen: the resident as natuurlijk_persoon (inpBsn,
 *      geboortedatum) with the roltype, linked to the zaak URL that step 1
 *      returned, and how to reach them (contactpersoonRol).
 * Between the two, the zaak URL is recorded (the ledger: the service's
 * store, beside the task's outbox entry) before the rol is posted, so a
 * retry of the rol, in this process or after a restart, never makes a
 * second zaak.  A task without contact details gets the zaak alone.
 *
 * Outcomes per request as the webhook's (http_pool.h): 2xx on, 408, 429,
 * 5xx, timeouts and broken connections again later.  So are 401 and 403
 * (the sink's credentials) and a 400 naming the zaaktype or roltype (the
 * catalogue): the task waits for the operator instead of failing.  Any
 * other status fails it for good; the reason names the step, the status
 * and, after step 1, the zaak URL, so an operator can finish the rol by
 * hand, but never a rol's answer, which may echo the resident's data.
 */
#ifndef VR_SINK_ZGW_H
#define VR_SINK_ZGW_H

#include <stddef.h>

#include "sink.h"

struct sink_zgw_conf {
	const char *url;            /* the API root: https://.../zaken/api/v1 */
	const char *zaaktype;       /* the catalogue's zaaktype URL */
	const char *roltype;        /* the catalogue's roltype URL (the resident's role) */
	const char *rsin;           /* the municipality's RSIN, 9 digits */
	const char *client_id;      /* JWT claims iss and client_id */
	const char *user_id;        /* JWT claim user_id; NULL: client_id */
	const char *secret_file;    /* the JWT's HS256 secret: the file's first line */
	const char *vertrouwelijkheid; /* the zaak's vertrouwelijkheidaanduiding;
					* NULL: vertrouwelijk */
	long connect_timeout_ms;    /* 0: 5,000 */
	long timeout_ms;            /* each request; 0: 30,000 */
	int max_inflight;           /* tasks in flight; 0: 16 */
	const char *ca_file;        /* extra CA bundle for a private CA, or NULL */
};

/*
 * Where a zaak's URL is recorded before its rol is posted: put() returns
 * VR_OK once the record is durable (the rol waits for it; a failed put is
 * tried again with the next attempt).  Without a ledger the URL is kept in
 * memory only, which is all a replay needs.
 */
struct zgw_ledger {
	void *ud;
	int (*put)(void *ud, const char *sink_name, const char *task_id, const char *zaak_url);
};

/* NULL and err (naming the option or file, never the secret) on failure. */
struct sink *sink_zgw_open(const struct sink_zgw_conf *c, const char *name, char *err,
			   size_t errlen);

void sink_zgw_set_ledger(struct sink *s, const struct zgw_ledger *l);
/* A zaak made for task_id before (read back from the ledger at start-up):
 * the task's next attempt posts only the rol.  VR_OK or VR_ENOMEM. */
int sink_zgw_known(struct sink *s, const char *task_id, const char *zaak_url);

/* The checks sink_zgw_open() makes of the configuration, without reading
 * the secret or opening anything (vroeg run --check). */
int sink_zgw_check(const struct sink_zgw_conf *c, char *err, size_t errlen);

#endif
