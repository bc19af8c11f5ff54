/*
 * test_store.c - the store conformance suite and the state codec.
 *
 * Every backend must pass the same checks; the list of URLs grows with the
 * backends (the Redis backend adds its own run when a server is available).
 */
#include <hiredis/hiredis.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "names.h"
#include "state.h"
#include "store.h"
#include "store_redis.h"
#include "vr.h"

static struct hkey key_n(unsigned n)
{
	struct hkey k;
	memset(&k, 0, sizeof(k));
	for (int i = 0; i < 4; i++)
		k.b[i] = (unsigned char)(n >> (8 * i));
	k.b[15] = 0x5a;
	return k;
}

static void state_n(struct hh_state *s, unsigned n)
{
	memset(s, 0, sizeof(*s));
	s->key = key_n(n);
	s->n_arrears = 1 + n % HH_ARREARS_MAX;
	for (unsigned i = 0; i < s->n_arrears; i++)
		s->arrears[i] = (struct hh_arrear){0x1234567890abcdefULL + i, 19700 + (vr_date)i,
						   100 * (int64_t)i + n, n + i, i % 2 == 0,
						   i % 3 == 0};
	s->n_marks = (uint16_t)(n % (HH_MARKS_MAX + 1));
	for (unsigned i = 0; i < s->n_marks; i++)
		s->marks[i] = (struct hh_mark){0xfeedface00000000ULL + n * 64 + i, 19000 + (vr_date)i,
					       (uint8_t)(i % 9)};
	s->has_case = n % 3 != 0;
	if (s->has_case) {
		struct case_rec *c = &s->cur;
		snprintf(c->id, sizeof(c->id), "c-%08x-20240101", n);
		c->seq = n % 5 + 1;
		c->opened = 19723;
		c->received = 19723 + (vr_date)(n % 9);
		c->floor = n % 2 ? VR_DATE_NONE : 19700 - (vr_date)n;
		c->last_signal = 19730;
		c->due = 19751;
		c->opeenvolgend = n % 2;
		c->priority = (uint8_t)(n % PRIO__COUNT);
		c->score = 95;
		c->amount = 1550;
		c->n_orgs = (uint16_t)(n % (CASE_ORGS_MAX + 1));
		for (unsigned i = 0; i < c->n_orgs; i++)
			c->orgs[i] = (struct case_org){0xabcdef00ULL + i, 0x5100ULL + i, (uint8_t)(i % PARTNER__COUNT),
						       (int64_t)(50 * i)};
		c->n_signals = (uint16_t)(1 + n % 20);
		c->signals_dropped = c->n_signals > CASE_SIGNALS_MAX ? c->n_signals - CASE_SIGNALS_MAX : 0;
		c->n_rules = 3;
		for (unsigned i = 0; i < c->n_rules; i++)
			c->rules[i] = (struct case_rule){(uint16_t)i, (int16_t)(10 * i - 5)};
		/* Half the cases were scored since version 7 and know their
		 * rules' names (their ids are then not stored). */
		c->has_rule_names = n % 4 >= 2;
		for (unsigned i = 0; i < c->n_rules && c->has_rule_names; i++) {
			char name[CASE_RULE_NAME_MAX + 1];
			snprintf(name, sizeof(name), "rule %u of %u", i, n);
			if (n == 7 && i == 1) { /* a name as long as names get */
				memset(name, 'x', CASE_RULE_NAME_MAX);
				name[CASE_RULE_NAME_MAX] = '\0';
			}
			c->rule_name[i] = name_intern(name);
			c->rules[i].rule = CASE_RULE_ID_NONE;
		}
		if (c->has_rule_names) {
			char by[CASE_RULESET_MAX + 1];
			snprintf(by, sizeof(by), "gemeente-%u/2.%u", n, n);
			c->scored_by = name_intern(by);
		}
		for (unsigned i = 0; i < (unsigned)(c->n_signals - c->signals_dropped); i++) {
			struct case_signal *cs = &c->signals[i];
			snprintf(cs->id, sizeof(cs->id), "SIG-%u-%u", n, i);
			cs->org = 77 + i;
			cs->partner = (uint8_t)(i % PARTNER__COUNT);
			cs->priority = (uint8_t)(i % PRIO__COUNT);
			cs->crisis = i & 1;
			cs->end_of_supply = (i >> 1) & 1;
			cs->date = 19723 + (vr_date)i;
			cs->received = cs->date + (vr_date)(n % 40);
			cs->amount = 100 + i;
			/* Two in three name their organisation (version 9);
			 * the rest read from an older value, without. */
			char org[SIG_ORG_MAX + 1];
			snprintf(org, sizeof(org), "Woonstichting %u", (n + i) % 5);
			if (n == 8 && i == 0) { /* as long as organisation names get */
				memset(org, 'o', SIG_ORG_MAX);
				org[SIG_ORG_MAX] = '\0';
			}
			cs->org_name = n % 3 ? name_intern(org) : NAME_NONE;
		}
		/* Every other case carries a (stand-in) sealed contact block. */
		c->contact_len = n % 2 ? (uint16_t)(29 + n * 7 % CONTACT_PLAIN_MAX) : 0;
		for (unsigned i = 0; i < c->contact_len; i++)
			c->contact[i] = (unsigned char)(n + 31 * i);
		s->n_cases = c->seq;
	}
	/* From n = 20 on, some households hold their previous case too. */
	s->has_prev = s->has_case && n >= 20 && n % 5 != 0;
	if (s->has_prev) {
		s->prev = s->cur;
		snprintf(s->prev.id, sizeof(s->prev.id), "c-%08x-20231201", n);
		s->prev.opened -= 60;
		s->prev.n_signals = 1;
		s->prev.signals_dropped = 0;
		s->n_cases = s->cur.seq + n % 3; /* a late case: more than the latest's number */
	}
}

/* Two states are equal when their encodings are. */
static bool state_eq(const struct hh_state *a, const struct hh_state *b)
{
	static unsigned char ea[STATE_ENCODED_MAX], eb[STATE_ENCODED_MAX];
	size_t la = state_encode(a, ea), lb = state_encode(b, eb);
	return la == lb && memcmp(ea, eb, la) == 0;
}

static void test_codec(void)
{
	static struct hh_state s, back;
	static unsigned char buf[STATE_ENCODED_MAX];
	int bad_prefix = 0, bad_rt = 0;

	for (unsigned n = 0; n < 60; n++) {
		state_n(&s, n);
		size_t len = state_encode(&s, buf);
		if (state_decode(buf, len, &back) != VR_OK || !state_eq(&s, &back))
			bad_rt++;
		for (size_t cut = 0; cut < len; cut++)
			if (state_decode(buf, cut, &back) == VR_OK)
				bad_prefix++;
	}
	CHECK_INT(bad_rt, 0);
	CHECK_INT(bad_prefix, 0);
	state_n(&s, 1);
	size_t len = state_encode(&s, buf);
	buf[0] ^= 0xff;
	CHECK_INT(state_decode(buf, len, &back), VR_EPARSE);
	buf[0] ^= 0xff;
	CHECK_INT(state_decode(buf, len + 1, &back), VR_EPARSE); /* trailing byte */
	/* Random garbage never decodes into out-of-range fields. */
	srand(7);
	int accepted_bad = 0;
	for (int t = 0; t < 20000; t++) {
		size_t l = (size_t)(rand() % 300);
		for (size_t i = 0; i < l; i++)
			buf[i] = (unsigned char)rand();
		buf[0] = (unsigned char)(4 + t % 6); /* versions 4 to 9 */
		if (state_decode(buf, l, &back) == VR_OK &&
		    (back.n_arrears > HH_ARREARS_MAX || back.n_marks > HH_MARKS_MAX ||
		     (back.has_case && back.cur.n_signals - back.cur.signals_dropped > CASE_SIGNALS_MAX)))
			accepted_bad++;
	}
	CHECK_INT(accepted_bad, 0);
}

static unsigned order_cap;

/* A state stored before the marks kept their status (version 4) still reads. */
static size_t encode_old(const struct hh_state *s, unsigned version, unsigned char *buf);

static void test_codec_v4(void)
{
	static struct hh_state s, back;
	static unsigned char buf[STATE_ENCODED_MAX], v4[STATE_ENCODED_MAX];
	memset(&s, 0, sizeof(s));
	s.key.b[0] = 7;
	s.n_marks = 2;
	s.marks[0] = (struct hh_mark){11, 19000, 0};
	s.marks[1] = (struct hh_mark){12, 19001, 2};
	size_t k = encode_old(&s, 4, v4), n = state_encode(&s, buf);
	CHECK_INT(state_decode(v4, k, &back), VR_OK);
	CHECK_INT(back.n_marks, 2);
	CHECK(back.marks[0].id == 11 && back.marks[1].id == 12 && back.marks[1].date == 19001);
	CHECK_INT(back.marks[0].status, HH_MARK_UNDECIDED);
	CHECK_INT(back.marks[1].status, HH_MARK_UNDECIDED);
	buf[0] = 3;
	CHECK_INT(state_decode(buf, n, &back), VR_EPARSE);
}

/* Little-endian writers for encode_old(). */
static unsigned char *put_le(unsigned char *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		*p++ = (unsigned char)(v >> (8 * i));
	return p;
}

static unsigned char *put_s(unsigned char *p, const char *str)
{
	size_t n = strlen(str);
	*p++ = (unsigned char)n;
	memcpy(p, str, n);
	return p + n;
}

/*
 * The value version 4, 5, 6 or 7 wrote for s (whose case knows its rules by
 * id): partner entries where arrears are now (s's arrears as such), no
 * receipts, no previous case, no mark status before version 5, no contact
 * block before version 6.  Written independently of
 * state.c, from the layouts those versions had.
 */
static size_t encode_old(const struct hh_state *s, unsigned version, unsigned char *buf)
{
	unsigned char *p = buf;
	const struct case_rec *c = &s->cur;
	*p++ = (unsigned char)version;
	memcpy(p, s->key.b, HKEY_LEN);
	p += HKEY_LEN;
	*p++ = (unsigned char)s->n_arrears;
	for (unsigned i = 0; i < s->n_arrears; i++) {
		p = put_le(p, s->arrears[i].key, 8);
		p = put_le(p, (uint32_t)s->arrears[i].picked, 4);
		p = put_le(p, (uint64_t)s->arrears[i].amount, 8);
	}
	*p++ = (unsigned char)s->n_marks;
	for (unsigned i = 0; i < s->n_marks; i++) {
		p = put_le(p, s->marks[i].id, 8);
		p = put_le(p, (uint32_t)s->marks[i].date, 4);
		if (version >= 5)
			*p++ = s->marks[i].status;
	}
	*p++ = s->has_case;
	if (!s->has_case)
		return (size_t)(p - buf);
	p = put_s(p, c->id);
	p = put_le(p, c->seq, 8);
	p = put_le(p, (uint32_t)c->opened, 4);
	p = put_le(p, (uint32_t)c->last_signal, 4);
	p = put_le(p, (uint32_t)c->due, 4);
	*p++ = c->opeenvolgend;
	*p++ = c->priority;
	p = put_s(p, c->team);
	p = put_le(p, (uint32_t)c->score, 4);
	p = put_le(p, (uint64_t)c->amount, 8);
	p = put_le(p, c->n_orgs, 2);
	p = put_le(p, c->n_signals, 2);
	p = put_le(p, c->signals_dropped, 2);
	p = put_le(p, c->n_rules, 2);
	for (unsigned i = 0; i < c->n_rules; i++) {
		p = put_le(p, c->rules[i].rule, 2);
		p = put_le(p, (uint16_t)c->rules[i].points, 2);
	}
	for (unsigned i = 0; i < c->n_orgs; i++) {
		p = put_le(p, c->orgs[i].org, 8);
		*p++ = c->orgs[i].partner;
		p = put_le(p, (uint64_t)c->orgs[i].amount, 8);
	}
	for (unsigned i = 0; i < (unsigned)(c->n_signals - c->signals_dropped); i++) {
		const struct case_signal *cs = &c->signals[i];
		p = put_s(p, cs->id);
		p = put_le(p, cs->org, 8);
		*p++ = cs->partner;
		*p++ = cs->priority;
		*p++ = (unsigned char)(cs->crisis | cs->end_of_supply << 1);
		p = put_le(p, (uint32_t)cs->date, 4);
		p = put_le(p, (uint64_t)cs->amount, 8);
	}
	if (version >= 6) {
		p = put_le(p, c->contact_len, 2);
		memcpy(p, c->contact, c->contact_len);
		p += c->contact_len;
	}
	return (size_t)(p - buf);
}

/*
 * Values of versions 5 to 7 read as version 9 would have them: partner
 * entries (not arrears) forgotten, no organisation names, the signaaldatum for every receipt;
 * version 5 has no contact block, and its case reads as one without.
 */
static void test_codec_old(void)
{
	static struct hh_state s, back, want;
	static unsigned char buf[STATE_ENCODED_MAX];
	for (unsigned version = 5; version <= 7; version++) {
		state_n(&s, version == 5 ? 4 : 5); /* 5: without a contact block */
		CHECK(s.has_case && !s.cur.has_rule_names && s.n_arrears > 0);
		CHECK((s.cur.contact_len > 0) == (version > 5));
		size_t n = encode_old(&s, version, buf);
		CHECK_INT(state_decode(buf, n, &back), VR_OK);
		want = s;
		want.n_arrears = 0;
		want.cur.received = want.cur.opened;
		want.cur.floor = want.cur.opened;
		want.has_prev = false;
		want.n_cases = want.cur.seq;
		for (unsigned i = 0; i < want.cur.n_orgs; i++)
			want.cur.orgs[i].who = want.cur.orgs[i].org; /* the person is unknown */
		for (unsigned i = 0; i < (unsigned)(want.cur.n_signals - want.cur.signals_dropped); i++) {
			want.cur.signals[i].received = want.cur.signals[i].date;
			want.cur.signals[i].org_name = NAME_NONE; /* named since version 9 */
		}
		CHECK(state_eq(&want, &back));
		CHECK_INT(state_decode(buf, n - 1, &back), VR_EPARSE);
	}
	/* Version 5 ends with the case: 2 bytes more (a contact length) are
	 * too many for it. */
	state_n(&s, 4);
	size_t n = encode_old(&s, 5, buf);
	buf[n] = buf[n + 1] = 0;
	CHECK_INT(state_decode(buf, n + 2, &back), VR_EPARSE);
}

/* A contact block survives the round trip; a length beyond it is corrupt. */
static void test_codec_contact(void)
{
	static struct hh_state s, back;
	static unsigned char buf[STATE_ENCODED_MAX];
	size_t n;
	state_n(&s, 5); /* with a block: it survives the round trip */
	CHECK(s.has_case && s.cur.contact_len > 0);
	n = state_encode(&s, buf);
	CHECK_INT(state_decode(buf, n, &back), VR_OK);
	CHECK_INT(back.cur.contact_len, s.cur.contact_len);
	CHECK(memcmp(back.cur.contact, s.cur.contact, s.cur.contact_len) == 0);
	/* The block ends the case; then one byte (no previous case, the usual
	 * count of cases).  A length beyond the block is corrupt. */
	CHECK(!s.has_prev && s.n_cases == s.cur.seq);
	buf[n - 1 - s.cur.contact_len - 2] ^= 0xff;
	CHECK_INT(state_decode(buf, n, &back), VR_EPARSE);
}

/* The largest value there can be fits STATE_ENCODED_MAX, which the
 * stores' buffers are sized by: every list full, every name as long as
 * names get. */
static void test_codec_bound(void)
{
	static struct hh_state s, back;
	static unsigned char buf[STATE_ENCODED_MAX + 64];
	char name[CASE_RULESET_MAX + 1];
	state_n(&s, 7);
	struct case_rec *c = &s.cur;
	s.n_arrears = HH_ARREARS_MAX;
	s.n_marks = HH_MARKS_MAX;
	c->n_orgs = CASE_ORGS_MAX;
	c->n_signals = CASE_SIGNALS_MAX;
	c->signals_dropped = 0;
	for (unsigned i = 0; i < CASE_SIGNALS_MAX; i++) {
		memset(c->signals[i].id, 'i', SIG_ID_MAX), c->signals[i].id[SIG_ID_MAX] = '\0';
		memset(name, 'A' + (char)i, SIG_ORG_MAX);
		name[SIG_ORG_MAX] = '\0';
		c->signals[i].org_name = name_intern(name);
	}
	memset(c->id, 'c', CASE_ID_STRLEN - 1);
	memset(c->team, 't', CASE_TEAM_MAX);
	c->contact_len = CONTACT_SEALED_MAX;
	c->n_rules = CASE_RULES_MAX;
	c->has_rule_names = true;
	for (unsigned i = 0; i < CASE_RULES_MAX; i++) {
		memset(name, 'a' + (char)(i % 26), CASE_RULE_NAME_MAX);
		snprintf(name + CASE_RULE_NAME_MAX - 3, 4, "%03u", i);
		c->rule_name[i] = name_intern(name);
		c->rules[i] = (struct case_rule){CASE_RULE_ID_NONE, (int16_t)i};
	}
	memset(name, 'r', CASE_RULESET_MAX);
	name[CASE_RULESET_MAX] = '\0';
	c->scored_by = name_intern(name);
	s.has_prev = true; /* both cases as large as cases get */
	s.prev = *c;
	memset(buf + STATE_ENCODED_MAX, 0xa5, 64);
	size_t n = state_encode(&s, buf);
	CHECK(n <= STATE_ENCODED_MAX);
	CHECK(n > sizeof(struct hh_state) + 64); /* the bound before names: too small */
	CHECK(buf[STATE_ENCODED_MAX] == 0xa5 && buf[STATE_ENCODED_MAX + 63] == 0xa5);
	CHECK_INT(state_decode(buf, n, &back), VR_OK);
	CHECK_INT(back.cur.n_rules, CASE_RULES_MAX);
	CHECK_STR(name_str(back.cur.scored_by), name);
	CHECK(back.has_prev && back.prev.n_rules == CASE_RULES_MAX);
}

/* A case keeps its rules' names (version 7), bounded like the rule
 * language's; a value too long for that is corrupt. */
static void test_codec_names(void)
{
	static struct hh_state s, back;
	static unsigned char buf[STATE_ENCODED_MAX];
	state_n(&s, 7);
	CHECK(s.has_case && s.cur.has_rule_names);
	size_t n = state_encode(&s, buf);
	CHECK_INT(buf[0], 9);
	CHECK_INT(state_decode(buf, n, &back), VR_OK);
	CHECK(back.cur.has_rule_names);
	CHECK_INT(back.cur.n_rules, 3);
	CHECK_STR(name_str(back.cur.rule_name[0]), "rule 0 of 7");
	CHECK_INT(strlen(name_str(back.cur.rule_name[1])), CASE_RULE_NAME_MAX);
	CHECK_STR(name_str(back.cur.rule_name[2]), "rule 2 of 7");
	CHECK_STR(name_str(back.cur.scored_by), "gemeente-7/2.7");
	CHECK_INT(back.cur.rules[2].points, 15);
	CHECK_INT(back.cur.rules[2].rule, CASE_RULE_ID_NONE);
	/* One byte longer than a name may be: refused, not cut. */
	unsigned char *len1 = NULL;
	for (size_t i = 0; !len1 && i + CASE_RULE_NAME_MAX < n; i++)
		if (buf[i] == CASE_RULE_NAME_MAX && buf[i + 1] == 'x' &&
		    buf[i + CASE_RULE_NAME_MAX] == 'x')
			len1 = buf + i;
	CHECK(len1 != NULL);
	if (!len1)
		return;
	*len1 = CASE_RULE_NAME_MAX + 1;
	CHECK_INT(state_decode(buf, n, &back), VR_EPARSE);
	/* A case without names (read from an older value, not scored since)
	 * keeps its ids. */
	state_n(&s, 4);
	CHECK(s.has_case && !s.cur.has_rule_names);
	n = state_encode(&s, buf);
	CHECK_INT(state_decode(buf, n, &back), VR_OK);
	CHECK(!back.cur.has_rule_names && back.cur.rules[1].rule == 1);
	CHECK(state_eq(&s, &back));
}

/* A household value written by an older version (6, by the code of
 * commit 9a2994d): a Huur case of 600 euro with the built-in rules'
 * partner:Huur (id 6) and bedrag>=500 (id 13).  It still reads, its case
 * knows the ids only, and it is written back with them (as version 8). */
static void test_codec_v6(void)
{
	static const unsigned char v6[] = {
		0x06, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa,
		0xab, 0xac, 0xad, 0xae, 0xaf, 0x01, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33,
		0x22, 0x11, 0x38, 0x4d, 0x00, 0x00, 0x58, 0x02, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x01, 0x00, 0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x38,
		0x4d, 0x00, 0x00, 0x00, 0x01, 0x1b, 0x63, 0x2d, 0x61, 0x30, 0x61, 0x31,
		0x61, 0x32, 0x61, 0x33, 0x61, 0x34, 0x61, 0x35, 0x61, 0x36, 0x61, 0x37,
		0x2d, 0x32, 0x30, 0x32, 0x34, 0x30, 0x32, 0x31, 0x35, 0x01, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x38, 0x4d, 0x00, 0x00, 0x38, 0x4d, 0x00,
		0x00, 0x54, 0x4d, 0x00, 0x00, 0x00, 0x00, 0x07, 0x64, 0x65, 0x66, 0x61,
		0x75, 0x6c, 0x74, 0x32, 0x00, 0x00, 0x00, 0x58, 0x02, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x06,
		0x00, 0x1e, 0x00, 0x0d, 0x00, 0x14, 0x00, 0x88, 0x77, 0x66, 0x55, 0x44,
		0x33, 0x22, 0x11, 0x06, 0x58, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x03, 0x53, 0x2d, 0x31, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
		0x06, 0x00, 0x00, 0x38, 0x4d, 0x00, 0x00, 0x58, 0x02, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00,
	};
	static struct hh_state back;
	static unsigned char buf[STATE_ENCODED_MAX];
	CHECK_INT(state_decode(v6, sizeof(v6), &back), VR_OK);
	CHECK(back.has_case && !back.cur.has_rule_names);
	CHECK_STR(back.cur.id, "c-a0a1a2a3a4a5a6a7-20240215");
	CHECK_INT(back.cur.score, 50);
	CHECK_INT(back.cur.n_rules, 2);
	CHECK(back.cur.rules[0].rule == 6 && back.cur.rules[0].points == 30);
	CHECK(back.cur.rules[1].rule == 13 && back.cur.rules[1].points == 20);
	/* Version 8: its partner entry (one, 2024-02-15, 600) is not an arrear
	 * and is forgotten; the signaaldatum stands in for the receipts. */
	CHECK_INT(back.n_arrears, 0);
	CHECK(back.cur.received == back.cur.opened && back.cur.signals[0].received ==
								  back.cur.signals[0].date);
	static struct hh_state again;
	size_t n = state_encode(&back, buf);
	CHECK_INT(buf[0], 9);
	CHECK_INT(state_decode(buf, n, &again), VR_OK);
	CHECK(state_eq(&back, &again));
}

static int count_cb(void *ud, const struct hh_state *s)
{
	unsigned *order = ud;
	if (order[0] >= order_cap)
		return VR_ELIMIT; /* more states than written: a failure, not a crash */
	unsigned n = (unsigned)s->key.b[0] | (unsigned)s->key.b[1] << 8 |
		     (unsigned)s->key.b[2] << 16 | (unsigned)s->key.b[3] << 24;
	order[++order[0]] = n;
	return VR_OK;
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
	return (x > y) - (x < y);
}

static void conformance(const char *url)
{
	char err[256];
	struct store *st = store_open(url, err, sizeof(err));
	struct store_stats stats;
	enum { N = 300 };
	struct store_item *items = calloc(N, sizeof(*items));
	struct hh_state *want = calloc(1, sizeof(*want));
	struct store_batch b = {.items = items, .n_items = N};

	fprintf(stderr, "conformance: %s\n", url);
	CHECK(st != NULL);
	if (!st)
		goto out;

	/* Empty store: nothing found. */
	for (unsigned i = 0; i < N; i++)
		items[i].key = key_n(1000 + i);
	CHECK_INT(store_load(st, &b), VR_OK);
	int found = 0;
	for (unsigned i = 0; i < N; i++)
		found += items[i].found;
	CHECK_INT(found, 0);

	/* Write every other item. */
	for (unsigned i = 0; i < N; i++) {
		items[i].dirty = i % 2 == 0;
		state_n(&items[i].state, 1000 + i);
	}
	CHECK_INT(store_apply(st, &b), VR_OK);
	store_stats(st, &stats);
	CHECK_INT(stats.households, N / 2);

	/* Applying the same batch again changes nothing. */
	CHECK_INT(store_apply(st, &b), VR_OK);
	store_stats(st, &stats);
	CHECK_INT(stats.households, N / 2);

	/* Read back: exactly the written ones, equal to what was written. */
	for (unsigned i = 0; i < N; i++)
		memset(&items[i].state, 0xee, sizeof(items[i].state));
	CHECK_INT(store_load(st, &b), VR_OK);
	int wrong = 0;
	for (unsigned i = 0; i < N; i++) {
		bool expect = i % 2 == 0;
		if (items[i].found != expect)
			wrong++;
		state_n(want, 1000 + i);
		if (expect && !state_eq(&items[i].state, want))
			wrong++;
	}
	CHECK_INT(wrong, 0);

	/* Overwrite one: the new value wins, the count stays. */
	struct store_batch one = {.items = items, .n_items = 1};
	items[0].dirty = true;
	items[0].state.cur.score = 4242;
	CHECK_INT(store_apply(st, &one), VR_OK);
	items[0].state.cur.score = 0;
	CHECK_INT(store_load(st, &one), VR_OK);
	CHECK_INT(items[0].state.cur.score, 4242);
	store_stats(st, &stats);
	CHECK_INT(stats.households, N / 2);

	/* Pipelined halves: a load sent after an apply, before the apply's
	 * outcome is read, sees its writes; waits go in the order sent. */
	static struct store_item probe[2];
	struct store_batch pb = {.items = probe, .n_items = 2};
	probe[0].key = items[0].key;
	probe[1].key = key_n(999999); /* never written */
	items[0].state.cur.score = 777;
	store_apply_send(st, &one);
	store_load_send(st, &pb);
	CHECK_INT(store_load(st, &pb), VR_EINVAL);      /* halves outstanding */
	CHECK_INT(store_load_wait(st, &pb), VR_EINVAL); /* the apply comes first */
	CHECK_INT(store_apply_wait(st), VR_OK);
	CHECK_INT(store_load_wait(st, &pb), VR_OK);
	CHECK(probe[0].found && !probe[1].found);
	CHECK_INT(probe[0].state.cur.score, 777);
	CHECK(state_eq(&probe[0].state, &items[0].state));

	/* Many households over many batches; foreach visits each once. */
	unsigned total = N / 2;
	for (unsigned round = 0; round < 40; round++) {
		for (unsigned i = 0; i < N; i++) {
			items[i].key = key_n(100000 + round * N + i);
			state_n(&items[i].state, 100000 + round * N + i);
			items[i].dirty = true;
		}
		struct store_batch big = {.items = items, .n_items = N};
		CHECK_INT(store_apply(st, &big), VR_OK);
		total += N;
	}
	store_stats(st, &stats);
	CHECK_INT(stats.households, total);
	unsigned *order = calloc(total + 1, sizeof(*order));
	order_cap = total;
	CHECK_INT(store_foreach(st, count_cb, order), VR_OK);
	CHECK_INT(order[0], total);
	qsort(order + 1, order[0], sizeof(*order), cmp_uint);
	bool all = true;
	for (unsigned i = 1; i <= N / 2; i++)
		all &= order[i] == 1000 + 2 * (i - 1);
	for (unsigned i = N / 2 + 1; i <= total; i++)
		all &= order[i] == 100000 + (i - N / 2 - 1);
	CHECK(all);
	free(order);
out:
	store_close(st);
	free(items);
	free(want);
}

/*
 * Redis only: a household stored by version 5 kept its case's contact block
 * under PREFIX{H}:contact:CASEID; loading it brings the block into the case.
 */
static void test_v5_contact_upgrade(const char *sock)
{
	static struct hh_state s;
	static unsigned char v5[STATE_ENCODED_MAX];
	static struct store_item items[2];
	static const char block[] = "sealed-block-of-version-5";
	char url[600], k[200], err[256], hex[2 * HKEY_LEN + 1];
	redisContext *c = redisConnectUnix(sock);
	CHECK(c && !c->err);
	if (!c || c->err)
		return;
	for (unsigned n = 0; n < 2; n++) {
		state_n(&s, 4 + 12 * n); /* 4 and 16: a case, no block, no rule names */
		CHECK(s.has_case && s.cur.contact_len == 0);
		size_t len = encode_old(&s, 5, v5);
		for (int i = 0; i < HKEY_LEN; i++)
			snprintf(hex + 2 * i, 3, "%02x", s.key.b[i]);
		snprintf(k, sizeof(k), "up:{%s}:hh", hex);
		redisReply *rep = redisCommand(c, "SET %s %b", k, v5, len);
		CHECK(rep && rep->type == REDIS_REPLY_STATUS);
		freeReplyObject(rep);
		if (n == 0) { /* the second has lost its block (expired) */
			snprintf(k, sizeof(k), "up:{%s}:contact:%s", hex, s.cur.id);
			rep = redisCommand(c, "SET %s %b", k, block, sizeof(block) - 1);
			freeReplyObject(rep);
		}
		items[n].key = s.key;
	}
	redisFree(c);
	snprintf(url, sizeof(url), "unix://%s?prefix=up", sock);
	struct store *st = store_open(url, err, sizeof(err));
	CHECK(st != NULL);
	if (!st)
		return;
	struct store_batch b = {.items = items, .n_items = 2};
	CHECK_INT(store_load(st, &b), VR_OK);
	CHECK(items[0].found && items[1].found);
	CHECK_INT(items[0].state.cur.contact_len, (int)sizeof(block) - 1);
	CHECK(memcmp(items[0].state.cur.contact, block, sizeof(block) - 1) == 0);
	CHECK_INT(items[1].state.cur.contact_len, 0);
	/* Written back, the block is part of the case (version 6). */
	items[0].dirty = true;
	items[1].dirty = false;
	CHECK_INT(store_apply(st, &b), VR_OK);
	memset(&items[0].state, 0, sizeof(items[0].state));
	CHECK_INT(store_load(st, &b), VR_OK);
	CHECK_INT(items[0].state.cur.contact_len, (int)sizeof(block) - 1);
	store_close(st);
}

int main(void)
{
	char err[256];
	store_redis_register();
	test_codec();
	test_codec_v4();
	test_codec_old();
	test_codec_contact();
	test_codec_bound();
	test_codec_v6();
	test_codec_names();
	{
		/* A send out of turn poisons the store rather than mixing up
		 * answers. */
		static struct store_item it;
		struct store_batch one = {.items = &it, .n_items = 1};
		struct store *m = store_open("memory", err, sizeof(err));
		it.key = key_n(1);
		store_apply_send(m, &one);
		store_apply_send(m, &one);
		CHECK_INT(store_apply_wait(m), VR_EINVAL);
		CHECK_INT(store_load(m, &one), VR_EINVAL);
		store_close(m);
	}
	CHECK(store_open("nosuch://x", err, sizeof(err)) == NULL);
	CHECK(strstr(err, "unknown store") != NULL);
	conformance("memory");
	const char *extra = getenv("VROEG_STORE_URL");
	if (extra && *extra)
		conformance(extra);
	const char *sock = getenv("VROEG_TEST_REDIS_SOCK");
	if (sock && *sock)
		test_v5_contact_upgrade(sock);
	return harness_done();
}
