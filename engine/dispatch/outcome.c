/*
 * outcome.c - what a team reports back about a case (dispatch.h,
 * "Outcomes"): its contact attempts and, when it closes the case, the DDAS
 * resultaat.  Every field is checked against the DDAS v1.2 enumerations,
 * with one clear error per bad field.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "dispatch_int.h"
#include "vr.h"

/* DDAS v1.2 EnumContactsoort, EnumDagdeel and EnumEindresultaat. */
static const char *const soorten[] = {
	"Administratief", "Afspraak op locatie", "Brief", "Huisbezoek", "Kaartje",
	"Mail",           "Onbekend",            "Overige", "SMS/Whatsapp", "Telefoon"};
static const char *const dagdelen[] = {"Ochtend", "Middag", "Avond"};
static const char *const resultaten[] = {
	"(Budget)advies en/of quick fix",
	"Definitief geen contact kunnen krijgen",
	"Geen reactie na eerder contact",
	"Inwoner al bekend bij schuldhulpverlening",
	"Inwoner heeft al een ander lopend traject",
	"Inwoner heeft zelf al betaald/betalingsregeling getroffen",
	"Inwoner is overleden",
	"Inwoner regelt het zelf/hoeft geen hulp vanuit vroegsignalering",
	"Niet opgepakt: andere reden",
	"Niet opgepakt: herhaalde melding",
	"Niet opgepakt: onterecht signaal",
	"Persoon is geen inwoner (meer) in de gemeente",
	"Vervolghulp en/of verwijzing",
	"Vervolghulp en/of verwijzing financieel",
	"Vervolghulp en/of verwijzing niet financieel",
	"Verwijzing zonder tussenkomst inwoner",
};

const char *outcome_soort_name(unsigned i)
{
	return i < VR_ARRAY_LEN(soorten) ? soorten[i] : "?";
}

const char *outcome_dagdeel_name(unsigned i)
{
	return i >= 1 && i <= VR_ARRAY_LEN(dagdelen) ? dagdelen[i - 1] : NULL;
}

const char *outcome_resultaat_name(int i)
{
	return i >= 0 && (size_t)i < VR_ARRAY_LEN(resultaten) ? resultaten[i] : NULL;
}

static int find(const char *const *names, size_t n, const cJSON *v)
{
	for (size_t i = 0; cJSON_IsString(v) && i < n; i++)
		if (strcmp(v->valuestring, names[i]) == 0)
			return (int)i;
	return -1;
}

/* One contact attempt, item i of contactpogingen. */
static int parse_attempt(const cJSON *a, unsigned i, struct contact_attempt *out, char *err,
			 size_t n)
{
	const cJSON *soort = cJSON_GetObjectItemCaseSensitive(a, "soort");
	const cJSON *bereikt = cJSON_GetObjectItemCaseSensitive(a, "bereikt");
	const cJSON *datum = cJSON_GetObjectItemCaseSensitive(a, "datum");
	const cJSON *dagdeel = cJSON_GetObjectItemCaseSensitive(a, "dagdeel");
	int k;
	if (!cJSON_IsObject(a)) {
		snprintf(err, n, "contactpogingen[%u]: expected an object", i);
	} else if ((k = find(soorten, VR_ARRAY_LEN(soorten), soort)) < 0) {
		snprintf(err, n, "contactpogingen[%u].soort: expected one of the DDAS contact "
			 "kinds (Telefoon, Huisbezoek, Brief, Mail, ...)", i);
	} else if (!cJSON_IsBool(bereikt)) {
		snprintf(err, n, "contactpogingen[%u].bereikt: expected true or false", i);
	} else if (!cJSON_IsString(datum) ||
		   date_parse(datum->valuestring, strlen(datum->valuestring), &out->datum)) {
		snprintf(err, n, "contactpogingen[%u].datum: expected YYYY-MM-DD", i);
	} else if (dagdeel && !cJSON_IsNull(dagdeel) &&
		   find(dagdelen, VR_ARRAY_LEN(dagdelen), dagdeel) < 0) {
		snprintf(err, n, "contactpogingen[%u].dagdeel: expected Ochtend, Middag or Avond",
			 i);
	} else {
		out->soort = (uint8_t)k;
		out->bereikt = cJSON_IsTrue(bereikt);
		out->dagdeel = (uint8_t)(dagdeel && !cJSON_IsNull(dagdeel)
						 ? find(dagdelen, VR_ARRAY_LEN(dagdelen), dagdeel) + 1
						 : 0);
		return VR_OK;
	}
	return VR_EINVAL;
}

static bool known_key(const char *k)
{
	static const char *const keys[] = {"case_id", "contactpogingen", "resultaat"};
	for (size_t i = 0; i < VR_ARRAY_LEN(keys); i++)
		if (strcmp(k, keys[i]) == 0)
			return true;
	return false;
}

static int parse_fields(const cJSON *o, struct dispatch_outcome *out, char *err, size_t n)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "case_id");
	const cJSON *att = cJSON_GetObjectItemCaseSensitive(o, "contactpogingen");
	const cJSON *res = cJSON_GetObjectItemCaseSensitive(o, "resultaat");
	for (const cJSON *c = o->child; c; c = c->next) {
		if (!known_key(c->string)) {
			snprintf(err, n, "%.40s: not a field of an outcome (case_id, "
				 "contactpogingen, resultaat)", c->string);
			return VR_EINVAL;
		}
	}
	if (!cJSON_IsString(id) || strlen(id->valuestring) >= CASE_ID_STRLEN ||
	    strncmp(id->valuestring, "c-", 2) != 0) {
		snprintf(err, n, "case_id: expected a case id (c-...) from a task");
		return VR_EINVAL;
	}
	snprintf(out->case_id, sizeof(out->case_id), "%s", id->valuestring);
	if (att && !cJSON_IsArray(att)) {
		snprintf(err, n, "contactpogingen: expected an array");
		return VR_EINVAL;
	}
	unsigned i = 0;
	for (const cJSON *a = att ? att->child : NULL; a; a = a->next, i++) {
		if (i == OUTCOME_ATTEMPTS_MAX) {
			snprintf(err, n, "contactpogingen: at most %d", OUTCOME_ATTEMPTS_MAX);
			return VR_EINVAL;
		}
		if (parse_attempt(a, i, &out->attempts[i], err, n) != VR_OK)
			return VR_EINVAL;
	}
	out->n_attempts = i;
	out->resultaat = -1;
	if (res && !cJSON_IsNull(res) &&
	    (out->resultaat = find(resultaten, VR_ARRAY_LEN(resultaten), res)) < 0) {
		snprintf(err, n, "resultaat: expected a DDAS eindresultaat (\"Vervolghulp en/of "
			 "verwijzing\", \"Definitief geen contact kunnen krijgen\", ...)");
		return VR_EINVAL;
	}
	if (!out->n_attempts && out->resultaat < 0) {
		snprintf(err, n, "an outcome needs contactpogingen or a resultaat");
		return VR_EINVAL;
	}
	return VR_OK;
}

int outcome_parse(const char *json, size_t len, struct dispatch_outcome *out, char *err,
		  size_t n)
{
	memset(out, 0, sizeof(*out));
	cJSON *o = cJSON_ParseWithLength(json, len);
	int rc = VR_EINVAL;
	if (!cJSON_IsObject(o))
		snprintf(err, n, "not a JSON object");
	else
		rc = parse_fields(o, out, err, n);
	cJSON_Delete(o);
	return rc;
}

static bool same_attempt(const struct contact_attempt *a, const struct contact_attempt *b)
{
	return a->soort == b->soort && a->bereikt == b->bereikt && a->datum == b->datum &&
	       a->dagdeel == b->dagdeel;
}

/* Add o's attempts that x does not have yet; true when any was new. */
static bool merge_attempts(struct dcase *x, const struct dispatch_outcome *o)
{
	bool changed = false;
	for (unsigned i = 0; i < o->n_attempts; i++) {
		unsigned k = 0;
		while (k < x->n_attempts && !same_attempt(&x->attempts[k], &o->attempts[i]))
			k++;
		if (k < x->n_attempts || x->n_attempts == OUTCOME_ATTEMPTS_MAX)
			continue;
		x->attempts[x->n_attempts++] = o->attempts[i];
		if (x->opgepakt == VR_DATE_NONE || o->attempts[i].datum < x->opgepakt)
			x->opgepakt = o->attempts[i].datum;
		changed = true;
	}
	return changed;
}

int dispatch_outcome(struct dispatch *d, const struct dispatch_outcome *o,
		     enum case_status *before, char *err, size_t n)
{
	struct dcase *x = dispatch_case_find(d, o->case_id);
	if (!x) {
		snprintf(err, n, "case %s: not known (never dispatched here, or past its "
			 "retention)", o->case_id);
		return VR_ENOTFOUND;
	}
	*before = x->status;
	if (x->status == CASE_QUEUED) {
		snprintf(err, n, "case %s: still queued; its task has not gone out", o->case_id);
		return VR_EINVAL;
	}
	if (x->status == CASE_CLOSED && o->resultaat >= 0 && o->resultaat != x->resultaat) {
		snprintf(err, n, "case %s: closed already with \"%s\"", o->case_id,
			 resultaten[x->resultaat]);
		return VR_EINVAL;
	}
	bool changed = merge_attempts(x, o), picked = false;
	if (d->last != VR_DATE_NONE)
		x->changed = d->last;
	if (x->opgepakt != VR_DATE_NONE && x->status == CASE_DISPATCHED) {
		x->status = CASE_OPGEPAKT;
		changed = picked = true;
	}
	if (o->resultaat >= 0 && x->status != CASE_CLOSED) {
		x->resultaat = (int8_t)o->resultaat;
		x->status = CASE_CLOSED;
		changed = true;
	}
	if (!changed)
		return VR_OK; /* the same outcome again: nothing new */
	int rc = VR_OK;
	const struct case_rec *c = picked ? dispatch_snap_open(d, x) : NULL;
	if (c && d->obs.picked_up)
		rc = d->obs.picked_up(d->obs.ud, c);
	return rc == VR_OK ? journal_case(d, x) : rc;
}
