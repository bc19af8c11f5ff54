/* state.c - household state helpers and its compact binary codec. */
#include "state.h"

#include <stdio.h>
#include <string.h>

#include "names.h"
#include "vr.h"

#define STATE_VERSION 9
/* Version 8: arrears instead of partner organisations (repeats are per
 * arrear), receipt dates and a floor in the case and its signals, the
 * previous case and the count of cases opened.
 * Version 7: the top bit of a case's rule count says its rules are stored
 * by name (points, name), not by id (id, points) as before. */
#define RULES_BY_NAME 0x8000

const char *case_priority_name(enum case_priority p)
{
	switch (p) {
	case PRIO_NORMAL: return "normal";
	case PRIO_URGENT: return "urgent";
	case PRIO_CRISIS: return "crisis";
	default: return "?";
	}
}

void case_partner_types(const struct case_rec *c, char *out, size_t n)
{
	unsigned seen = 0;
	out[0] = '\0';
	for (unsigned k = 0; k < (unsigned)(c->n_signals - c->signals_dropped); k++) {
		unsigned p = c->signals[k].partner;
		if (p >= PARTNER__COUNT || (seen & (1u << p)))
			continue;
		seen |= 1u << p;
		size_t at = strlen(out);
		snprintf(out + at, n - at, "%s%s", at ? "," : "",
			 sig_partner_name((enum sig_partner)p));
	}
}

struct wbuf {
	unsigned char *p;
};

static void put_u8(struct wbuf *w, unsigned v)
{
	*w->p++ = (unsigned char)v;
}

static void put_u16(struct wbuf *w, unsigned v)
{
	put_u8(w, v & 0xff);
	put_u8(w, (v >> 8) & 0xff);
}

static void put_u32(struct wbuf *w, uint32_t v)
{
	put_u16(w, v & 0xffff);
	put_u16(w, v >> 16);
}

static void put_u64(struct wbuf *w, uint64_t v)
{
	put_u32(w, (uint32_t)v);
	put_u32(w, (uint32_t)(v >> 32));
}

static void put_str(struct wbuf *w, const char *s)
{
	size_t n = strlen(s);
	put_u8(w, (unsigned)n);
	memcpy(w->p, s, n);
	w->p += n;
}

static void put_name(struct wbuf *w, uint16_t id)
{
	size_t n = name_len(id);
	put_u8(w, (unsigned)n);
	memcpy(w->p, name_str(id), n);
	w->p += n;
}

static void encode_case(struct wbuf *w, const struct case_rec *c)
{
	put_str(w, c->id);
	put_u64(w, c->seq);
	put_u32(w, (uint32_t)c->opened);
	put_u32(w, (uint32_t)c->received);
	put_u32(w, (uint32_t)c->floor);
	put_u32(w, (uint32_t)c->last_signal);
	put_u32(w, (uint32_t)c->due);
	put_u8(w, c->opeenvolgend);
	put_u8(w, c->priority);
	put_str(w, c->team);
	put_u32(w, (uint32_t)c->score);
	put_u64(w, (uint64_t)c->amount);
	put_u16(w, c->n_orgs);
	put_u16(w, c->n_signals);
	put_u16(w, c->signals_dropped);
	/* The names, not the ids: an id means nothing to the next rule set.
	 * A case read from an older value and not scored since knows only
	 * its ids, and keeps them. */
	if (c->has_rule_names) {
		put_u16(w, c->n_rules | RULES_BY_NAME);
		for (unsigned i = 0; i < c->n_rules; i++) {
			put_u16(w, (uint16_t)c->rules[i].points);
			put_name(w, c->rule_name[i]);
		}
		put_name(w, c->scored_by);
	} else {
		put_u16(w, c->n_rules);
		for (unsigned i = 0; i < c->n_rules; i++) {
			put_u16(w, c->rules[i].rule);
			put_u16(w, (uint16_t)c->rules[i].points);
		}
	}
	for (unsigned i = 0; i < c->n_orgs; i++) {
		put_u64(w, c->orgs[i].org);
		put_u64(w, c->orgs[i].who);
		put_u8(w, c->orgs[i].partner);
		put_u64(w, (uint64_t)c->orgs[i].amount);
	}
	for (unsigned i = 0; i < (unsigned)(c->n_signals - c->signals_dropped); i++) {
		const struct case_signal *s = &c->signals[i];
		put_str(w, s->id);
		put_u64(w, s->org);
		put_u8(w, s->partner);
		put_u8(w, s->priority);
		put_u8(w, (unsigned)s->crisis | (unsigned)s->end_of_supply << 1);
		put_u32(w, (uint32_t)s->date);
		put_u32(w, (uint32_t)s->received);
		put_u64(w, (uint64_t)s->amount);
		put_name(w, s->org_name);
	}
	put_u16(w, c->contact_len);
	memcpy(w->p, c->contact, c->contact_len);
	w->p += c->contact_len;
}

size_t state_encode(const struct hh_state *s, unsigned char *buf)
{
	struct wbuf w = {buf};
	put_u8(&w, STATE_VERSION);
	memcpy(w.p, s->key.b, HKEY_LEN);
	w.p += HKEY_LEN;
	put_u8(&w, s->n_arrears);
	for (unsigned i = 0; i < s->n_arrears; i++) {
		const struct hh_arrear *a = &s->arrears[i];
		put_u64(&w, a->key);
		put_u32(&w, (uint32_t)a->picked);
		put_u64(&w, (uint64_t)a->amount);
		put_u64(&w, a->case_seq);
		put_u8(&w, (unsigned)a->crisis | (unsigned)a->end_of_supply << 1);
	}
	put_u8(&w, s->n_marks);
	for (unsigned i = 0; i < s->n_marks; i++) {
		put_u64(&w, s->marks[i].id);
		put_u32(&w, (uint32_t)s->marks[i].date);
		put_u8(&w, s->marks[i].status);
	}
	put_u8(&w, s->has_case);
	if (s->has_case)
		encode_case(&w, &s->cur);
	/* One byte for the usual household: the count of cases is its latest
	 * case's number unless a late case was opened. */
	uint64_t usual = s->has_case ? s->cur.seq : 0;
	put_u8(&w, (unsigned)s->has_prev | (unsigned)(s->n_cases != usual) << 1);
	if (s->has_prev)
		encode_case(&w, &s->prev);
	if (s->n_cases != usual)
		put_u64(&w, s->n_cases);
	return (size_t)(w.p - buf);
}

struct rbuf {
	const unsigned char *p, *end;
	bool bad;
};

static bool need(struct rbuf *r, size_t n)
{
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = true;
		return false;
	}
	return true;
}

static unsigned get_u8(struct rbuf *r)
{
	return need(r, 1) ? *r->p++ : 0;
}

static uint64_t get_le(struct rbuf *r, int n)
{
	uint64_t v = 0;
	if (!need(r, (size_t)n))
		return 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(&v, r->p, (size_t)n);
#else
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | r->p[i];
#endif
	r->p += n;
	return v;
}

static unsigned get_u16(struct rbuf *r)
{
	return (unsigned)get_le(r, 2);
}

static uint32_t get_u32(struct rbuf *r)
{
	return (uint32_t)get_le(r, 4);
}

static uint64_t get_u64(struct rbuf *r)
{
	return get_le(r, 8);
}

/* A name of at most max bytes, interned where it stands in the value; an
 * empty or overlong one, or a full name table, makes the value corrupt. */
/* A name, or NAME_NONE for an empty one when optional (an organisation's
 * name that an older value did not have). */
static uint16_t get_name_opt(struct rbuf *r, size_t max, bool optional)
{
	size_t n = get_u8(r);
	if (n == 0 && optional && !r->bad)
		return NAME_NONE;
	/* An organisation's name is the partners' free text: a full name
	 * table (names.h) forgets it rather than failing the value. */
	if (optional && n <= max && need(r, n)) {
		uint16_t id = name_intern_n((const char *)r->p, n);
		r->p += n;
		return id;
	}
	uint16_t id = NAME_NONE;
	if (n <= max && need(r, n)) {
		id = name_intern_n((const char *)r->p, n);
		r->p += n;
	}
	if (id == NAME_NONE)
		r->bad = true;
	return id;
}

static uint16_t get_name(struct rbuf *r, size_t max)
{
	return get_name_opt(r, max, false);
}

static void get_str(struct rbuf *r, char *dst, size_t cap)
{
	size_t n = get_u8(r);
	if (n >= cap || !need(r, n)) {
		r->bad = true;
		dst[0] = '\0';
		return;
	}
	memcpy(dst, r->p, n);
	dst[n] = '\0';
	r->p += n;
}

static void decode_case(struct rbuf *r, struct case_rec *c, unsigned version)
{
	get_str(r, c->id, sizeof(c->id));
	c->seq = get_u64(r);
	c->opened = (vr_date)get_u32(r);
	c->received = version >= 8 ? (vr_date)get_u32(r) : c->opened;
	c->floor = version >= 8 ? (vr_date)get_u32(r) : c->opened;
	c->last_signal = (vr_date)get_u32(r);
	c->due = (vr_date)get_u32(r);
	c->opeenvolgend = get_u8(r) != 0;
	c->priority = (uint8_t)get_u8(r);
	get_str(r, c->team, sizeof(c->team));
	c->score = (int32_t)get_u32(r);
	c->amount = (int64_t)get_u64(r);
	c->n_orgs = (uint16_t)get_u16(r);
	c->n_signals = (uint16_t)get_u16(r);
	c->signals_dropped = (uint16_t)get_u16(r);
	unsigned n_rules = get_u16(r);
	c->has_rule_names = version >= 7 && (n_rules & RULES_BY_NAME);
	c->n_rules = (uint16_t)(c->has_rule_names ? n_rules & ~RULES_BY_NAME : n_rules);
	if (c->n_rules > CASE_RULES_MAX || c->n_orgs > CASE_ORGS_MAX ||
	    c->signals_dropped > c->n_signals ||
	    c->n_signals - c->signals_dropped > CASE_SIGNALS_MAX || c->priority >= PRIO__COUNT) {
		r->bad = true;
		return;
	}
	for (unsigned i = 0; i < c->n_rules; i++) {
		if (c->has_rule_names) {
			c->rules[i].rule = CASE_RULE_ID_NONE;
			c->rules[i].points = (int16_t)get_u16(r);
			c->rule_name[i] = get_name(r, CASE_RULE_NAME_MAX);
		} else {
			c->rules[i].rule = (uint16_t)get_u16(r);
			c->rules[i].points = (int16_t)get_u16(r);
		}
	}
	c->scored_by = c->has_rule_names ? get_name(r, CASE_RULESET_MAX) : NAME_NONE;
	for (unsigned i = 0; i < c->n_orgs; i++) {
		c->orgs[i].org = get_u64(r);
		c->orgs[i].who = version >= 8 ? get_u64(r) : c->orgs[i].org; /* person unknown */
		c->orgs[i].partner = (uint8_t)get_u8(r);
		c->orgs[i].amount = (int64_t)get_u64(r);
		if (c->orgs[i].partner >= PARTNER__COUNT)
			r->bad = true;
	}
	for (unsigned i = 0; i < (unsigned)(c->n_signals - c->signals_dropped); i++) {
		struct case_signal *s = &c->signals[i];
		get_str(r, s->id, sizeof(s->id));
		s->org = get_u64(r);
		s->partner = (uint8_t)get_u8(r);
		s->priority = (uint8_t)get_u8(r);
		unsigned f = get_u8(r);
		s->crisis = f & 1;
		s->end_of_supply = (f >> 1) & 1;
		s->date = (vr_date)get_u32(r);
		s->received = version >= 8 ? (vr_date)get_u32(r) : s->date;
		s->amount = (int64_t)get_u64(r);
		s->org_name = version >= 9 ? get_name_opt(r, SIG_ORG_MAX, true) : NAME_NONE;
		if (s->partner >= PARTNER__COUNT || s->priority >= PRIO__COUNT)
			r->bad = true;
	}
	c->contact_len = version >= 6 ? (uint16_t)get_u16(r) : 0;
	if (c->contact_len > sizeof(c->contact) || !need(r, c->contact_len)) {
		r->bad = true;
		c->contact_len = 0;
		return;
	}
	memcpy(c->contact, r->p, c->contact_len);
	r->p += c->contact_len;
}

int state_decode(const unsigned char *buf, size_t len, struct hh_state *s)
{
	struct rbuf r = {buf, buf + len, false};

	/* Older versions are still read: version 8 is version 9 without the
	 * signals' organisation names (a task then names the partner type
	 * only); version 7 is version 8 with partner
	 * organisations where arrears are (read and forgotten: a repeat just
	 * after the upgrade is picked up once more) and without receipts (the
	 * signaaldatum stands in); version 6 is version 7 with the
	 * case's rules by id only (explained with the loaded rule set's
	 * names), version 5 is version 6 without the case's contact block
	 * (kept under a key of its own then), version 4 is version 5 without
	 * the marks' status (then unknown). */
	unsigned version = get_u8(&r);
	if (version < 4 || version > STATE_VERSION || !need(&r, HKEY_LEN))
		return VR_EPARSE;
	memcpy(s->key.b, r.p, HKEY_LEN);
	r.p += HKEY_LEN;
	unsigned n = get_u8(&r);
	if (n > HH_ARREARS_MAX)
		return VR_EPARSE;
	s->n_arrears = version >= 8 ? (uint16_t)n : 0;
	for (unsigned i = 0; i < n; i++) {
		struct hh_arrear a = {0};
		a.key = get_u64(&r);
		a.picked = (vr_date)get_u32(&r);
		a.amount = (int64_t)get_u64(&r);
		if (version >= 8) {
			a.case_seq = get_u64(&r);
			unsigned f = get_u8(&r);
			a.crisis = f & 1;
			a.end_of_supply = (f >> 1) & 1;
			s->arrears[i] = a;
		}
	}
	s->n_marks = (uint16_t)get_u8(&r);
	if (s->n_marks > HH_MARKS_MAX)
		return VR_EPARSE;
	for (unsigned i = 0; i < s->n_marks; i++) {
		s->marks[i].id = get_u64(&r);
		s->marks[i].date = (vr_date)get_u32(&r);
		s->marks[i].status = version >= 5 ? get_u8(&r) : HH_MARK_UNDECIDED;
	}
	s->has_case = get_u8(&r) != 0;
	if (s->has_case)
		decode_case(&r, &s->cur, version);
	unsigned more = version >= 8 ? get_u8(&r) : 0;
	if (more > 3)
		return VR_EPARSE;
	s->has_prev = more & 1;
	if (s->has_prev)
		decode_case(&r, &s->prev, version);
	s->n_cases = more & 2 ? get_u64(&r) : s->has_case ? s->cur.seq : 0;
	return r.bad || r.p != r.end ? VR_EPARSE : VR_OK;
}

size_t case_encode(const struct case_rec *c, unsigned char *buf)
{
	struct wbuf w = {buf};
	put_u8(&w, STATE_VERSION);
	encode_case(&w, c);
	return (size_t)(w.p - buf);
}

int case_decode(const unsigned char *buf, size_t len, struct case_rec *out)
{
	struct rbuf r = {buf, buf + len, false};
	unsigned version = get_u8(&r);
	if (r.bad || version < 9 || version > STATE_VERSION)
		return VR_EPARSE;
	memset(out, 0, sizeof(*out));
	decode_case(&r, out, version);
	return r.bad || r.p != r.end ? VR_EPARSE : VR_OK;
}
