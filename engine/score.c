/* score.c - default priority classes, due dates and the weighted-sum score. */
#include "score.h"

#include <string.h>

/*
 * Rule ids: one per partner type, then the amount bands, then the case
 * markers.  Weights follow DOMAIN.md: housing and mortgage arrears threaten
 * the home itself, energy and health insurance come next, the rest last.
 */
enum {
	RULE_BAND_250 = PARTNER__COUNT,
	RULE_BAND_500,
	RULE_BAND_1000,
	RULE_BAND_2500,
	RULE_MEERVOUDIG,
	RULE_OPEENVOLGEND,
	RULE__COUNT
};

static const int partner_weight[PARTNER__COUNT] = {
	[PARTNER_BELASTINGDIENST] = 15,
	[PARTNER_CAK_EIGEN_BIJDRAGE] = 15,
	[PARTNER_CAK_ZORGVERZEKERINGEN] = 25,
	[PARTNER_DIENST_TOESLAGEN] = 15,
	[PARTNER_DUO] = 10,
	[PARTNER_ENERGIE] = 25,
	[PARTNER_HUUR] = 30,
	[PARTNER_HYPOTHEEK] = 30,
	[PARTNER_OVERIGE] = 10,
	[PARTNER_WATER] = 20,
	[PARTNER_ZORG] = 20,
	[PARTNER_GEMEENTEBELASTINGEN] = 15,
};

static const char *const rule_names[RULE__COUNT] = {
	[PARTNER_BELASTINGDIENST] = "partner:Belastingdienst",
	[PARTNER_CAK_EIGEN_BIJDRAGE] = "partner:CAK Eigen bijdrage",
	[PARTNER_CAK_ZORGVERZEKERINGEN] = "partner:CAK Zorgverzekeringen",
	[PARTNER_DIENST_TOESLAGEN] = "partner:Dienst Toeslagen",
	[PARTNER_DUO] = "partner:DUO",
	[PARTNER_ENERGIE] = "partner:Energie",
	[PARTNER_HUUR] = "partner:Huur",
	[PARTNER_HYPOTHEEK] = "partner:Hypotheek",
	[PARTNER_OVERIGE] = "partner:Overige",
	[PARTNER_WATER] = "partner:Water",
	[PARTNER_ZORG] = "partner:Zorg",
	[PARTNER_GEMEENTEBELASTINGEN] = "partner:Gemeentebelastingen",
	[RULE_BAND_250] = "bedrag>=250",
	[RULE_BAND_500] = "bedrag>=500",
	[RULE_BAND_1000] = "bedrag>=1000",
	[RULE_BAND_2500] = "bedrag>=2500",
	[RULE_MEERVOUDIG] = "meervoudig",
	[RULE_OPEENVOLGEND] = "opeenvolgend",
};

static const struct {
	int64_t from;
	int rule;
	int points;
} bands[] = {
	{2500, RULE_BAND_2500, 40},
	{1000, RULE_BAND_1000, 30},
	{500, RULE_BAND_500, 20},
	{250, RULE_BAND_250, 10},
};

#define POINTS_PER_EXTRA_PARTNER 10
#define POINTS_OPEENVOLGEND 15

const char *score_rule_name(unsigned rule)
{
	return rule < RULE__COUNT ? rule_names[rule] : "?";
}

uint64_t score_org_hash(const char *org)
{
	uint64_t h = 14695981039346656037ULL;
	for (const unsigned char *p = (const unsigned char *)org; *p; p++) {
		h ^= *p;
		h *= 1099511628211ULL;
	}
	return h;
}

enum case_priority score_signal_priority(const struct engine_conf *c, const struct signal *s)
{
	if (s->crisis)
		return PRIO_CRISIS;
	if (s->end_of_supply || (s->partner == PARTNER_HUUR && s->amount >= c->urgent_rent))
		return PRIO_URGENT;
	return PRIO_NORMAL;
}

vr_date score_due(const struct engine_conf *c, vr_date signal_date, enum case_priority p)
{
	if (p == PRIO_NORMAL)
		return signal_date + c->due_days;
	return date_add_working_days(signal_date, c->due_working_days);
}

static void add_rule(struct case_rec *k, int rule, int points)
{
	if (k->n_rules < CASE_RULES_MAX) {
		k->rules[k->n_rules].rule = (uint16_t)rule;
		k->rules[k->n_rules].points = (int16_t)points;
		k->n_rules++;
		k->score += points;
	}
}

void score_case(const struct engine_conf *c, struct case_rec *k)
{
	bool type_seen[PARTNER__COUNT] = {false};

	k->amount = 0;
	k->score = 0;
	k->n_rules = 0;
	for (unsigned i = 0; i < k->n_orgs; i++) {
		k->amount += k->orgs[i].amount;
		type_seen[k->orgs[i].partner] = true;
	}
	for (int p = 0; p < PARTNER__COUNT; p++)
		if (type_seen[p])
			add_rule(k, p, partner_weight[p]);
	for (size_t i = 0; i < sizeof(bands) / sizeof(bands[0]); i++) {
		if (k->amount >= bands[i].from) {
			add_rule(k, bands[i].rule, bands[i].points);
			break;
		}
	}
	if (k->n_orgs >= 2)
		add_rule(k, RULE_MEERVOUDIG, POINTS_PER_EXTRA_PARTNER * (k->n_orgs - 1));
	if (k->opeenvolgend)
		add_rule(k, RULE_OPEENVOLGEND, POINTS_OPEENVOLGEND);
}
