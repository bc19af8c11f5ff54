/*
 * state.h - what the engine remembers per household.
 *
 * The unit of state is the household (struct hh_state, keyed by its
 * pseudonym): the signals it already had (redelivery marks), the arrears
 * picked up recently (for the herhaalde-melding rule) and the household's
 * two latest cases (the older one for late signals).  Older cases are
 * complete and leave the working state (the replay writes them out; the
 * Redis store keeps them under their own keys with a retention TTL).
 *
 * Everything is fixed-size so a state can be copied with '=', stored as one
 * value and serialised without pointers.  The bounds are generous for a
 * household (DOMAIN.md: a case has a handful of signals); beyond them the
 * oldest arrear is forgotten, and a case keeps counting signals it
 * no longer lists (`signals_dropped`).  A case scores from its own table of
 * partner organisations, so an unlisted signal still counts.
 */
#ifndef VR_STATE_H
#define VR_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "contact.h"
#include "date.h"
#include "pseudo.h"
#include "signal.h"

#define HH_ARREARS_MAX 8     /* arrears remembered per household */
#define HH_MARKS_MAX 32      /* redelivery marks remembered per household */
#define CASE_SIGNALS_MAX 16  /* signals listed per case */
#define CASE_ORGS_MAX 16     /* partner orgs scored per case */
#define CASE_RULES_MAX 32    /* fired scoring rules listed per case */
#define CASE_RULE_NAME_MAX 63 /* bytes of a rule name (the rule language's bound) */
#define CASE_TEAM_MAX 31
#define CASE_RULESET_MAX 127 /* bytes of "name/version" of a rule set */
#define CASE_ID_STRLEN 32

enum case_priority { PRIO_NORMAL = 0, PRIO_URGENT = 1, PRIO_CRISIS = 2, PRIO__COUNT };

/*
 * The last picked-up signal of one arrear: one partner organisation's claim
 * on one person, from one ontstaansdatum (docs/engine.md, step 6).  The key
 * is keyed (pseudo_digest), as it stands for a BSN or a birth date.
 */
struct hh_arrear {
	uint64_t key;
	vr_date picked;      /* the latest signaaldatum picked up */
	int64_t amount;      /* the bedrag of the last pick-up */
	uint64_t case_seq;   /* the household's case it joined (case_rec.seq) */
	bool crisis;         /* its crisissignaal */
	bool end_of_supply;  /* its eindelevering */
};

/* A signal this household already had: hash of (partner org, signal ID). */
struct hh_mark {
	uint64_t id;
	vr_date date;        /* its signaaldatum, for retention */
	uint8_t status;      /* the engine's status of its first decision
			      * (enum dec_status), HH_MARK_UNDECIDED before */
};
#define HH_MARK_UNDECIDED 0xff

/* One signal that joined a case. */
struct case_signal {
	char id[SIG_ID_MAX + 1];
	uint64_t org;
	uint16_t org_name;   /* the organisation's name, interned (names.h):
			      * the team reads who signalled; NAME_NONE in a
			      * value older than state version 9 */
	uint8_t partner;     /* enum sig_partner */
	uint8_t priority;    /* enum case_priority of this signal alone */
	bool crisis;
	bool end_of_supply;
	vr_date date;
	vr_date received;    /* when the municipality received it */
	int64_t amount;
};

/* What one partner organisation claims from one person in a case, with its
 * latest amount: the case total sums these (an organisation's later signal
 * about the same person replaces its amount; another person's adds). */
struct case_org {
	uint64_t org;
	uint64_t who;        /* organisation and person, keyed (pseudo_short) */
	uint8_t partner;     /* enum sig_partner */
	int64_t amount;
};

/* One scoring rule that fired, with its points.  The id indexes the rule set
 * that scored the case, and means nothing to another one (after a reload or
 * a restart with an edited file): a case carries its rules' names too. */
struct case_rule {
	uint16_t rule;       /* CASE_RULE_ID_NONE: read from a store, by name */
	int16_t points;
};
#define CASE_RULE_ID_NONE 0xffff

struct case_rec {
	char id[CASE_ID_STRLEN];
	uint64_t seq;           /* the household's case number: 1, 2, ... */
	vr_date opened;         /* first signal's signaaldatum */
	vr_date received;       /* the earliest receipt of its signals: the
				 * team's clock starts here */
	vr_date floor;          /* the earliest day it may start: the day after
				 * the previous case's matching period (a late
				 * signal moves `opened` back no further);
				 * VR_DATE_NONE for a household's first case */
	vr_date last_signal;    /* latest signaaldatum in the case */
	vr_date due;            /* first-contact due date */
	bool opeenvolgend;      /* an earlier case's signal within the look-back */
	uint8_t priority;       /* enum case_priority */
	char team[CASE_TEAM_MAX + 1]; /* from the rule set's routes */
	int32_t score;          /* all fired rules, listed or not */
	int64_t amount;         /* sum of each org's latest bedrag per person */
	uint16_t n_orgs;        /* entries of orgs[]: an organisation per person */
	uint16_t n_signals;     /* listed + dropped */
	uint16_t signals_dropped;
	uint16_t n_rules;
	struct case_rule rules[CASE_RULES_MAX];
	/* rule_name holds the fired rules' names (interned, names.h), as the
	 * rule set that scored the case has them, so an explanation names the
	 * rules that fired whatever rule set is loaded by then; scored_by
	 * that rule set's "name/version".  false for a case read from a value
	 * older than state version 7 and not scored since: only the ids are
	 * known. */
	bool has_rule_names;
	uint16_t rule_name[CASE_RULES_MAX];
	uint16_t scored_by;
	struct case_org orgs[CASE_ORGS_MAX];       /* what the score counts */
	struct case_signal signals[CASE_SIGNALS_MAX]; /* what the team reads */
	/* The latest picked-up signal's contact details, sealed for this
	 * case (contact.h); contact_len 0 when none are kept (no key). */
	uint16_t contact_len;
	unsigned char contact[CONTACT_SEALED_MAX];
};

struct hh_state {
	struct hkey key;
	uint16_t n_arrears;
	struct hh_arrear arrears[HH_ARREARS_MAX];
	uint16_t n_marks;
	struct hh_mark marks[HH_MARKS_MAX];
	uint64_t n_cases;       /* cases opened so far: the next is case n_cases + 1 */
	bool has_case;
	bool has_prev;
	struct case_rec cur;    /* the latest case */
	/* The case before it: it still takes late signals of its period
	 * (docs/engine.md, step 7), and is complete when a newer case pushes
	 * it out of the state. */
	struct case_rec prev;
};

/* The distinct partner organisations of a case (case.partner_count). */
static inline unsigned case_partner_orgs(const struct case_rec *c)
{
	unsigned n = 0;
	for (unsigned i = 0; i < c->n_orgs; i++) {
		unsigned j = 0;
		while (j < i && c->orgs[j].org != c->orgs[i].org)
			j++;
		n += j == i;
	}
	return n;
}

static inline bool case_is_meervoudig(const struct case_rec *c)
{
	return case_partner_orgs(c) >= 2;
}

const char *case_priority_name(enum case_priority p);

/* The partner types of a case's listed signals, each once, in order of
 * first signal, comma-separated ("Huur,Zorg"), into out (n bytes). */
void case_partner_types(const struct case_rec *c, char *out, size_t n);

/*
 * Compact binary form of a household state, for the stores: only the used
 * entries, strings length-prefixed, integers little-endian, a version byte
 * first.  state_encode() returns the length written (at most
 * STATE_ENCODED_MAX); state_decode() returns VR_OK or VR_EPARSE on a
 * truncated or corrupt value, never reading outside buf.
 */
/* A case's names are ids in the struct but text in the value: up to a
 * length byte and 63 bytes a rule, and 128 for its rule set. */
#define STATE_NAMES_EXTRA (CASE_RULES_MAX * (1 + CASE_RULE_NAME_MAX) + 1 + CASE_RULESET_MAX + \
			   CASE_SIGNALS_MAX * (1 + SIG_ORG_MAX))
#define STATE_ENCODED_MAX (sizeof(struct hh_state) + 64 + 2 * STATE_NAMES_EXTRA)
size_t state_encode(const struct hh_state *s, unsigned char *buf);
int state_decode(const unsigned char *buf, size_t len, struct hh_state *out);

/* One case in the same form (a version byte, then the case as a state
 * holds it): what dispatch keeps of a queued case and of a task in its
 * outbox.  case_decode() reads version 9 on. */
#define CASE_ENCODED_MAX (sizeof(struct case_rec) + 16 + STATE_NAMES_EXTRA)
size_t case_encode(const struct case_rec *c, unsigned char *buf);
int case_decode(const unsigned char *buf, size_t len, struct case_rec *out);

#endif
