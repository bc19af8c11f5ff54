/*
 * gen_out.c - the generator's records as JSONL lines (gen_int.h): a record's
 * fields as text (a view), the deliberately invalid variants, and the
 * month's lines with their IDs.
 */
#include "gen_int.h"

#include <string.h>

#include "vr.h"

/* ------------------------------------------------------------- output -- */

enum bad {
	BAD_TRUNCATED, BAD_ARRAY, BAD_NO_ID, BAD_TYPE, BAD_BSN_CHECK,
	BAD_BSN_LEN, BAD_POSTCODE, BAD_DATE, BAD_DATE_ORDER, BAD_NEGATIVE,
	BAD_FLOAT, BAD_NO_IDENTITY, BAD_NO_GEMEENTE, BAD_UTF8, BAD__COUNT
};

/* One record's fields as text; an empty string leaves the field out. */
struct view {
	char id[48];
	const char *type, *org;
	char gem[5];
	char amount[24], since[VR_DATE_STRLEN], date[VR_DATE_STRLEN];
	bool crisis, warm;
	int eind; /* -1: no field */
	int incasso;
	char bsn[10], postcode[7], hn[8], toev[5], birth[VR_DATE_STRLEN];
	char name[72], phone[11], email[96];
};

struct lbuf {
	char b[GEN_LINE_MAX];
	size_t n;
};

static void lb_str(struct lbuf *l, const char *s)
{
	size_t k = strlen(s);
	if (l->n + k < sizeof(l->b)) {
		memcpy(l->b + l->n, s, k);
		l->n += k;
	}
}

static void lb_key(struct lbuf *l, const char *key)
{
	if (l->n && l->b[l->n - 1] != '{')
		lb_str(l, ",");
	lb_str(l, "\"");
	lb_str(l, key);
	lb_str(l, "\":");
}

/* Names and codes never hold quotes or backslashes: no escaping needed. */
static void lb_qstr(struct lbuf *l, const char *key, const char *val)
{
	if (!val[0])
		return;
	lb_key(l, key);
	lb_str(l, "\"");
	lb_str(l, val);
	lb_str(l, "\"");
}

static void lb_bool(struct lbuf *l, const char *key, bool b)
{
	lb_key(l, key);
	lb_str(l, b ? "true" : "false");
}

static void view_client(const struct rec *r, const struct household *hh,
			const struct person *p, struct view *out)
{
	int id = r->e.mode & 3;
	if (id != ID_ADDR)
		memcpy(out->bsn, p->bsn, sizeof(out->bsn));
	if (id != ID_BSN) {
		memcpy(out->postcode, hh->postcode, sizeof(out->postcode));
		snprintf(out->hn, sizeof(out->hn), "%u", hh->huisnummer);
		if (hh->toevoeging)
			snprintf(out->toev, sizeof(out->toev), "%s", hh->toevoeging);
	}
	if (r->e.mode & MODE_BIRTH)
		date_format(p->birth, out->birth);
	snprintf(out->name, sizeof(out->name), "%s", p->name);
	if (r->e.mode & MODE_PHONE)
		memcpy(out->phone, p->phone, sizeof(out->phone));
	if (r->e.mode & MODE_EMAIL)
		snprintf(out->email, sizeof(out->email), "%s", p->email);
}

static void view_build(const struct gen *g, const struct rec *r, uint32_t seq,
		       const struct household *hh, const struct person *p,
		       struct view *v)
{
	int y, m, d;
	memset(v, 0, sizeof(*v));
	date_to_ymd(r->date, &y, &m, &d);
	snprintf(v->id, sizeof(v->id), "%s-%04d-%06u", gen_orgs[r->e.org].code, y, seq);
	v->type = gen_gtypes[r->e.type].ddas;
	v->org = gen_orgs[r->e.org].name;
	memcpy(v->gem, g->o->municipality, sizeof(v->gem));
	snprintf(v->amount, sizeof(v->amount), "%d", (int)r->e.amount);
	date_format(r->e.since, v->since);
	date_format(r->date, v->date);
	v->crisis = r->flags & RF_CRISIS;
	v->warm = r->flags & RF_WARM;
	v->eind = r->e.type == GT_ENERGIE || r->e.type == GT_WATER ?
		  (r->flags & RF_EIND) != 0 : -1;
	v->incasso = r->incasso;
	view_client(r, hh, p, v);
}

/* Make the record invalid in the way `bad` names (docs/formats.md). */
static void view_spoil(struct view *v, int bad, const struct rec *r,
		       const struct household *hh, const struct person *p)
{
	int y, m, d;
	switch (bad) {
	case BAD_NO_ID: v->id[0] = '\0'; break;
	case BAD_TYPE: v->type = "Telecom"; break;
	case BAD_BSN_CHECK:
		memcpy(v->bsn, p->bsn, sizeof(v->bsn));
		v->bsn[8] = (char)('0' + (v->bsn[8] - '0' + 1) % 10);
		break;
	case BAD_BSN_LEN:
		memcpy(v->bsn, p->bsn, sizeof(v->bsn));
		v->bsn[8] = '\0';
		break;
	case BAD_POSTCODE:
		memcpy(v->postcode, hh->postcode, sizeof(v->postcode));
		snprintf(v->hn, sizeof(v->hn), "%u", hh->huisnummer);
		v->postcode[0] = '0';
		break;
	case BAD_DATE:
		date_to_ymd(r->date, &y, &m, &d);
		snprintf(v->since, sizeof(v->since), "%04u-02-30", (unsigned)y % 10000u);
		break;
	case BAD_DATE_ORDER: date_format(r->date + 1 + r->e.hh % 20, v->since); break;
	case BAD_NEGATIVE:
		snprintf(v->amount, sizeof(v->amount), "-%d", (int)r->e.amount);
		break;
	case BAD_FLOAT:
		snprintf(v->amount, sizeof(v->amount), "%d.50", (int)r->e.amount);
		break;
	case BAD_NO_IDENTITY:
		v->bsn[0] = v->postcode[0] = v->hn[0] = v->toev[0] = '\0';
		break;
	case BAD_NO_GEMEENTE: v->gem[0] = '\0'; break;
	case BAD_UTF8: strcat(v->name, "\xff"); break;
	}
}

static void format_incasso(struct lbuf *l, int incasso)
{
	static const char *const steps[4] = {
		"herinnering", "persoonlijkContact", "verwijzingShv",
		"toestemmingAangeboden"};
	lb_key(l, "incasso");
	lb_str(l, "{");
	for (int i = 0; i < 4; i++)
		lb_bool(l, steps[i], incasso != INC_STEP_FALSE + i);
	lb_str(l, "}");
}

static void format_client(struct lbuf *l, const struct view *v)
{
	lb_key(l, "client");
	lb_str(l, "{");
	lb_qstr(l, "burgerservicenummer", v->bsn);
	lb_qstr(l, "postcode", v->postcode);
	lb_qstr(l, "huisnummer", v->hn);
	lb_qstr(l, "huisnummertoevoeging", v->toev);
	lb_qstr(l, "geboortedatum", v->birth);
	lb_qstr(l, "naam", v->name);
	lb_qstr(l, "telefoon", v->phone);
	lb_qstr(l, "email", v->email);
	lb_str(l, "}");
}

static void view_format(const struct view *v, struct lbuf *l)
{
	lb_str(l, "{");
	lb_qstr(l, "ID", v->id);
	lb_key(l, "signaalpartner");
	lb_str(l, "{");
	lb_qstr(l, "type", v->type);
	lb_qstr(l, "naam", v->org);
	lb_str(l, "}");
	lb_qstr(l, "gemeentecode", v->gem);
	lb_key(l, "bedrag");
	lb_str(l, v->amount);
	lb_qstr(l, "ontstaansdatum", v->since);
	lb_qstr(l, "signaaldatum", v->date);
	lb_bool(l, "crisissignaal", v->crisis);
	lb_bool(l, "warmeOverdracht", v->warm);
	if (v->eind >= 0)
		lb_bool(l, "eindelevering", v->eind);
	if (v->incasso != INC_MISSING)
		format_incasso(l, v->incasso);
	format_client(l, v);
	lb_str(l, "}");
}

/* The shapes no view can express: a cut-off line and a JSON array. */
static void format_bad(const struct view *v, int bad, struct lbuf *l)
{
	if (bad == BAD_ARRAY) {
		l->n = 0;
		lb_str(l, "[\"");
		lb_str(l, v->id);
		lb_str(l, "\",\"");
		lb_str(l, v->type);
		lb_str(l, "\",");
		lb_str(l, v->amount);
		lb_str(l, "]");
	} else if (bad == BAD_TRUNCATED) {
		l->n /= 2;
		while (l->n > 1 && ((unsigned char)l->b[l->n] & 0xc0) == 0x80)
			l->n--; /* cut between characters: a JSON error, not UTF-8 */
	}
}

/* copy: 0 for the signal, 1 for its redelivery. */
static int rec_write(struct gen *g, const struct rec *r, uint32_t seq, int copy)
{
	struct household hh;
	struct person p;
	struct view v;
	struct lbuf l;
	int bad = -1;
	int y, m, d;
	date_to_ymd(r->date, &y, &m, &d);
	uint64_t ident = (uint64_t)r->e.org << 48 | (uint64_t)y << 32 | seq;
	double u = (double)(hash3(g->inv_seed, ident, copy) >> 11) * 0x1.0p-53;

	gen_household_get(g, r->e.hh, &hh);
	gen_person_get(g, r->e.hh, r->e.adult, &p);
	view_build(g, r, seq, &hh, &p, &v);
	if (u < g->o->invalid_fraction) {
		bad = (int)((r->e.org + g->bad_next[r->e.org]++) % BAD__COUNT);
		view_spoil(&v, bad, r, &hh, &p);
	}
	l.n = 0;
	view_format(&v, &l);
	format_bad(&v, bad, &l);
	l.b[l.n++] = '\n';
	return fwrite(l.b, 1, l.n, g->out) == l.n ? VR_OK : VR_EIO;
}

/* IDs run per organisation and year, in signaaldatum order. */
static uint32_t next_seq(struct gen *g, const struct rec *r)
{
	int y, m, d;
	date_to_ymd(r->date, &y, &m, &d);
	if (g->seq_year[r->e.org] != y) {
		g->seq_year[r->e.org] = y;
		g->seq[r->e.org] = 0;
	}
	return ++g->seq[r->e.org];
}

/* A redelivery is the same line again, straight after the first. */
int gen_month_emit(struct gen *g)
{
	int rc = VR_OK;
	for (size_t i = 0; i < g->nrecs && rc == VR_OK; i++) {
		const struct rec *r = &g->recs[i];
		uint32_t seq = next_seq(g, r);
		rc = rec_write(g, r, seq, 0);
		if (rc == VR_OK && (r->flags & RF_DUP))
			rc = rec_write(g, r, seq, 1);
	}
	return rc;
}
