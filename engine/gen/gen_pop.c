/*
 * gen_pop.c - the generator's population (gen_int.h): households, their
 * addresses and the adults in them, with BSN, birth date, name, phone and
 * e-mail.  Nothing is stored: every detail is derived from
 * hash(seed, household), so any household can be looked up at any time.
 */
#include "gen_int.h"

#include <stdio.h>

#include "vr.h"

/* ---------------------------------------------------------- population -- */

struct surname {
	const char *name;
	const char *slug; /* ASCII, for e-mail addresses */
};

static const struct surname surnames[] = {
	{"Jansen", "jansen"}, {"de Vries", "devries"},
	{"van den Berg", "vandenberg"}, {"Bakker", "bakker"},
	{"Visser", "visser"}, {"Smit", "smit"}, {"Meijer", "meijer"},
	{"de Boer", "deboer"}, {"Mulder", "mulder"}, {"de Groot", "degroot"},
	{"Bos", "bos"}, {"Vos", "vos"}, {"Peters", "peters"},
	{"Hendriks", "hendriks"}, {"van Leeuwen", "vanleeuwen"},
	{"Dekker", "dekker"}, {"Brouwer", "brouwer"}, {"de Wit", "dewit"},
	{"Dijkstra", "dijkstra"}, {"Smits", "smits"}, {"de Graaf", "degraaf"},
	{"van der Meer", "vandermeer"}, {"van der Linden", "vanderlinden"},
	{"Kok", "kok"}, {"Jacobs", "jacobs"}, {"de Haan", "dehaan"},
	{"Vermeulen", "vermeulen"}, {"van den Heuvel", "vandenheuvel"},
	{"van der Veen", "vanderveen"}, {"van den Broek", "vandenbroek"},
	{"Yilmaz", "yilmaz"}, {"El Idrissi", "elidrissi"}, {"Kaya", "kaya"},
	{"Nguyen", "nguyen"}, {"\xc3\x96zt\xc3\xbcrk", "ozturk"},
	{"\xc5\x9e" "ahin", "sahin"}, {"Pinas", "pinas"},
	{"Martina", "martina"}, {"Kowalski", "kowalski"},
	{"Bouzid", "bouzid"}, {"Verhoeven", "verhoeven"},
	{"Willems", "willems"}, {"Gerritsen", "gerritsen"},
};

static const char initials[] = "ABCDEFGHIJKLMNOPRSTWY";
static const char *const toevoegingen[] = {"A", "B", "C", "1", "2", "3", "HS", "BIS"};
static const char *const mail_domains[] = {"example.com", "example.net", "example.org"};

/* --------------------------------------------------------- households -- */

int gen_household_adults(const struct gen *g, uint32_t h)
{
	unsigned u = (unsigned)(hash3(g->pop_seed, h, 1) & 0xff);
	return u < 90 ? 1 : u < 230 ? 2 : 3;
}

/* The address is a bijection of the index: 20 homes per postcode. */
void gen_household_get(const struct gen *g, uint32_t h, struct household *hh)
{
	uint64_t hb = hash3(g->pop_seed, h, 1);
	uint32_t slot = h / GEN_PER_POSTCODE, letters = slot % 676;
	unsigned digits = 1000 + (g->pc_base + slot / 676) % 9000;

	hh->adults = gen_household_adults(g, h);
	snprintf(hh->postcode, sizeof(hh->postcode), "%u%c%c", digits,
		 'A' + (int)(letters / 26), 'A' + (int)(letters % 26));
	hh->huisnummer = 1 + (unsigned)(hash3(g->pop_seed, slot, 2) % 120) +
			 2 * (h % GEN_PER_POSTCODE);
	hh->toevoeging = NULL;
	if ((hb >> 8) % 100 < 10)
		hh->toevoeging = toevoegingen[(hb >> 16) % VR_ARRAY_LEN(toevoegingen)];
}

/*
 * A valid BSN per (household, adult), unique within a seed: the person
 * number picks a 7-digit prefix through an affine permutation and one of the
 * (at least nine) eighth digits that leave a valid check digit.
 */
static void person_bsn(const struct gen *g, uint32_t h, int a, char bsn[10])
{
	uint64_t p = (uint64_t)h * 3 + (uint64_t)a;
	uint64_t y = (g->bsn_mul * (p % GEN_BSN_SPACE) + g->bsn_add) % GEN_BSN_SPACE;
	unsigned k = (unsigned)((p / GEN_BSN_SPACE + y) % 9), sum = 0;

	y += 1000000;
	for (int i = 6; i >= 0; i--) {
		bsn[i] = (char)('0' + y % 10);
		y /= 10;
	}
	for (int i = 0; i < 7; i++)
		sum += (unsigned)(bsn[i] - '0') * (unsigned)(9 - i);
	for (unsigned d8 = 0; d8 < 10; d8++) {
		unsigned check = (sum + 2 * d8) % 11;
		if (check == 10)
			continue;
		if (k-- == 0) {
			bsn[7] = (char)('0' + d8);
			bsn[8] = (char)('0' + check);
			break;
		}
	}
	bsn[9] = '\0';
}

/* Ages 18-85 at the start; a partner close in age; a third adult a child. */
static vr_date person_birth(const struct gen *g, uint32_t h, int a)
{
	vr_date adult = g->o->start - 18 * 365 - 5, oldest = g->o->start - 85 * 365;
	uint64_t ph = hash3(g->pop_seed, h, 10 + (uint64_t)a);
	vr_date b;

	if (a == 0)
		return adult - (vr_date)(ph % (67 * 365));
	if (a == 2)
		return adult - (vr_date)(ph % (7 * 365));
	b = person_birth(g, h, 0) + (vr_date)(ph % (12 * 365)) - 6 * 365;
	return b > adult ? adult : b < oldest ? oldest : b;
}

void gen_person_get(const struct gen *g, uint32_t h, int a, struct person *p)
{
	uint64_t ph = hash3(g->pop_seed, h, 20 + (uint64_t)a);
	uint64_t family = hash3(g->pop_seed, h, 3);
	const struct surname *sn;
	char ini[5];
	int n = 0;

	sn = &surnames[(a == 1 && ph % 10 < 4 ? ph >> 8 : family) %
		       VR_ARRAY_LEN(surnames)];
	ini[n++] = initials[(ph >> 20) % (sizeof(initials) - 1)];
	ini[n++] = '.';
	if ((ph >> 28) % 3 == 0) {
		ini[n++] = initials[(ph >> 32) % (sizeof(initials) - 1)];
		ini[n++] = '.';
	}
	ini[n] = '\0';
	person_bsn(g, h, a, p->bsn);
	p->birth = person_birth(g, h, a);
	snprintf(p->name, sizeof(p->name), "%s %s", ini, sn->name);
	snprintf(p->phone, sizeof(p->phone), "06%08u",
		 (unsigned)((ph >> 36) % 100000000));
	snprintf(p->email, sizeof(p->email), "%c.%s%02u@%s", ini[0] + 32,
		 sn->slug, (unsigned)((ph >> 12) % 100),
		 mail_domains[(ph >> 4) % VR_ARRAY_LEN(mail_domains)]);
}

