/* test_mapping.c - partner mappings: config, CSV, mapped JSON, the demo files. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "harness.h"
#include "mapping.h"
#include "signal.h"
#include "src_file.h"
#include "vr.h"

/* The source tree, for the example mappings and demo data: $VROEG_SRC, or
 * the directory CMake passes in, or the current directory. */
#ifndef VROEG_SRC_DIR
#define VROEG_SRC_DIR "."
#endif

static char err[512];

static struct mapping *load(const char *text, const char *topic)
{
	err[0] = '\0';
	struct conf *c = conf_parse(text, strlen(text), "t.conf", err, sizeof(err));
	if (!c)
		return NULL;
	struct mapping *m = mapping_from_conf(c, topic, err, sizeof(err));
	conf_free(c);
	return m;
}

/* True when the section fails to load with a message containing want. */
static bool conf_fails(const char *text, const char *want)
{
	struct mapping *m = load(text, "signals.huur");
	if (m) {
		mapping_free(m);
		fprintf(stderr, "expected a config error containing \"%s\"\n", want);
		return false;
	}
	if (!strstr(err, want)) {
		fprintf(stderr, "config error \"%s\" lacks \"%s\"\n", err, want);
		return false;
	}
	return true;
}

static struct jbuf out;
static struct sig_error merr;

/* Map msg; returns the canonical text (in out) or NULL with merr set. */
static const char *map(const struct mapping *m, const char *msg)
{
	const char *data;
	size_t len;
	if (mapping_apply(m, msg, strlen(msg), &out, &data, &len, &merr) != VR_OK)
		return NULL;
	static char copy[SIG_LINE_MAX + 1];
	memcpy(copy, data, len);
	copy[len] = '\0';
	return copy;
}

static bool map_fails(const struct mapping *m, const char *msg, const char *want)
{
	const char *r = map(m, msg);
	if (r) {
		fprintf(stderr, "expected a mapping error, got %s\n", r);
		return false;
	}
	if (merr.code != REJ_MAPPING || !strstr(merr.msg, want)) {
		fprintf(stderr, "mapping error %s \"%s\" lacks \"%s\"\n",
			sig_reject_code(merr.code), merr.msg, want);
		return false;
	}
	return true;
}

static bool signals_equal(const struct signal *a, const struct signal *b)
{
	const struct sig_client *x = &a->client, *y = &b->client;
	bool same = strcmp(a->id, b->id) == 0 && a->partner == b->partner &&
		    strcmp(a->partner_org, b->partner_org) == 0 &&
		    strcmp(a->gemeentecode, b->gemeentecode) == 0 && a->amount == b->amount &&
		    a->arrears_since == b->arrears_since && a->signal_date == b->signal_date &&
		    a->crisis == b->crisis && a->warm_handover == b->warm_handover &&
		    a->end_of_supply == b->end_of_supply &&
		    a->has_collection == b->has_collection &&
		    memcmp(a->collection, b->collection, sizeof(a->collection)) == 0 &&
		    strcmp(x->bsn, y->bsn) == 0 && strcmp(x->postcode, y->postcode) == 0 &&
		    strcmp(x->huisnummer, y->huisnummer) == 0 &&
		    strcmp(x->toevoeging, y->toevoeging) == 0 && x->birth == y->birth &&
		    strcmp(x->name, y->name) == 0 && strcmp(x->phone, y->phone) == 0 &&
		    strcmp(x->email, y->email) == 0;
	if (!same)
		fprintf(stderr, "signals differ: %s / %s\n", a->id, b->id);
	return same;
}

#define SECTION "[topic signals.huur]\npartner = Huur\n"

static void test_config(void)
{
	struct mapping *m = load(SECTION "organisation = Woonstichting De Linie\n",
				 "signals.huur");
	CHECK(m != NULL);
	if (m) {
		CHECK_INT(mapping_format(m), MAP_JSON);
		CHECK_STR(mapping_topic(m), "signals.huur");
		CHECK_INT(mapping_defaults(m)->partner, PARTNER_HUUR);
		CHECK_STR(mapping_defaults(m)->partner_org, "Woonstichting De Linie");
		/* json: the message is the record. */
		const char *msg = "{\"ID\":\"x\"}", *data = NULL;
		size_t len = 0;
		CHECK_INT(mapping_apply(m, msg, strlen(msg), &out, &data, &len, &merr), VR_OK);
		CHECK(data == msg && len == strlen(msg));
		mapping_free(m);
	}
	m = load("[topic signals.water]\npartner = Water\n", "signals.water");
	CHECK(m && mapping_defaults(m)->partner_org[0] == '\0');
	mapping_free(m);

	CHECK(conf_fails("[topic other]\npartner = Huur\n", "t.conf: [topic signals.huur] needs partner"));
	CHECK(conf_fails("[topic signals.huur]\norganisation = X\n", "needs partner"));
	CHECK(conf_fails("[topic signals.huur]\npartner = huur\n", "t.conf:2: [topic signals.huur] unknown partner \"huur\""));
	CHECK(conf_fails(SECTION "colour = red\n", "t.conf:3: unknown key \"colour\""));
	CHECK(conf_fails(SECTION "format = xml\n", "unknown format"));
	CHECK(conf_fails(SECTION "format = csv\nfield.bedrag = a\nfield.client.achternaam = b\n",
			 "t.conf:5: [topic signals.huur] field.client.achternaam: unknown canonical field"));
	CHECK(conf_fails(SECTION "format = csv\nfield.signaalpartner.type = a\n",
			 "comes from `partner`"));
	CHECK(conf_fails(SECTION "format = csv\nfield.bedrag = a | dollars\n",
			 "field.bedrag: unknown conversion \"dollars\""));
	CHECK(conf_fails(SECTION "format = csv\nfield.bedrag = a | date:DD-MM-YYYY\n",
			 "does not fit bedrag (use euros, cents or int)"));
	CHECK(conf_fails(SECTION "format = csv\nfield.ID = a | euros\n", "does not fit ID"));
	CHECK(conf_fails(SECTION "format = csv\nfield.signaaldatum = a | date:dd-mm-yyyy\n",
			 "date pattern"));
	CHECK(conf_fails(SECTION "format = csv\nfield.signaaldatum = a | date:DD-MM\n",
			 "date pattern"));
	CHECK(conf_fails(SECTION "format = csv\nfield.crisissignaal = a | bool:J\n",
			 "bool:<true>/<false>"));
	CHECK(conf_fails(SECTION "format = csv\nfield.crisissignaal = a | bool:J/j\n",
			 "two different words"));
	CHECK(conf_fails(SECTION "format = csv\nfield.crisissignaal = a | euros\n",
			 "does not fit crisissignaal"));
	CHECK(conf_fails(SECTION "format = csv\nfield.bedrag = | euros\n", "no source"));
	CHECK(conf_fails(SECTION "format = csv\nconst.bedrag = veel\n", "whole euros"));
	CHECK(conf_fails(SECTION "format = csv\nconst.crisissignaal = J\n", "true or false"));
	CHECK(conf_fails(SECTION "format = csv\nfield.bedrag = a\nconst.bedrag = 5\n",
			 "mapped twice"));
	CHECK(conf_fails(SECTION "field.bedrag = a\n", "needs format = csv or mapped"));
	CHECK(conf_fails(SECTION "format = mapped\ncsv.delimiter = ;\nfield.ID = a\n",
			 "csv.delimiter needs format = csv"));
	CHECK(conf_fails(SECTION "format = csv\ncsv.delimiter = ;;\nfield.ID = a\n",
			 "one character"));
	CHECK(conf_fails(SECTION "format = csv\ncsv.header = false\nfield.ID = a\n",
			 "needs csv.columns"));
	CHECK(conf_fails(SECTION "format = csv\ncsv.header = maybe\nfield.ID = a\n",
			 "true or false"));
	CHECK(conf_fails(SECTION "format = csv\ncsv.columns = a,b\nfield.ID = a\n",
			 "csv.columns is for messages without a header"));
	CHECK(conf_fails(SECTION "format = csv\ncsv.header = false\ncsv.columns = a,b,a\n"
			 "field.ID = a\n", "\"a\" is named twice"));
	CHECK(conf_fails(SECTION "format = csv\ncsv.header = false\ncsv.columns = a,b\n"
			 "field.ID = c\n", "t.conf:6: [topic signals.huur] field.ID: column \"c\" is not in csv.columns"));
	CHECK(conf_fails(SECTION "format = mapped\nfield.ID = melding..kenmerk\n",
			 "malformed path"));
	CHECK(conf_fails(SECTION "format = csv\n", "maps no fields"));
}

static void test_csv(void)
{
	struct mapping *m = load(SECTION "format = csv\ncsv.delimiter = ;\n"
				 "field.ID = nr\n"
				 "field.gemeentecode = gem\n"
				 "field.bedrag = eur | euros\n"
				 "field.signaaldatum = datum | date:DD-MM-YYYY\n"
				 "field.crisissignaal = crisis | bool:J/N\n"
				 "field.client.naam = naam\n"
				 "const.eindelevering = false\n", "signals.huur");
	CHECK(m != NULL);
	if (!m)
		return;
	const char *h = "nr;gem;eur;datum;crisis;naam\n";
	char msg[512];
#define ROW(r) (snprintf(msg, sizeof(msg), "%s%s", h, r), msg)

	CHECK_STR(map(m, ROW("H-1;0344;1250,00;05-02-2024;J;Jansen")),
		  "{\"ID\":\"H-1\",\"gemeentecode\":\"0344\",\"bedrag\":1250,"
		  "\"signaaldatum\":\"2024-02-05\",\"crisissignaal\":true,"
		  "\"eindelevering\":false,\"client\":{\"naam\":\"Jansen\"}}");
	/* Quoting: the delimiter, doubled quotes and a line break inside quotes;
	 * CRLF line ends; one-digit day and month before a separator. */
	CHECK_STR(map(m, "nr;gem;eur;datum;crisis;naam\r\n\"H;2\";0344;\"7\";5-2-2024;n;"
		      "\"de \"\"Smid\"\"\nB\"\r\n"),
		  "{\"ID\":\"H;2\",\"gemeentecode\":\"0344\",\"bedrag\":7,"
		  "\"signaaldatum\":\"2024-02-05\",\"crisissignaal\":false,"
		  "\"eindelevering\":false,\"client\":{\"naam\":\"de \\\"Smid\\\"\\nB\"}}");
	/* A NUL byte would cut a cell short: refused. */
	{
		static const char nul[] = "nr;gem;eur;datum;crisis;naam\nA\0B;;;;;\n";
		const char *data;
		size_t len;
		CHECK_INT(mapping_apply(m, nul, sizeof(nul) - 1, &out, &data, &len, &merr),
			  VR_EINVAL);
		CHECK(merr.code == REJ_MAPPING && strstr(merr.msg, "NUL byte"));
	}
	/* Empty cells are absent fields: the engine then names what is missing. */
	CHECK_STR(map(m, ROW("H-3;;;;;")), "{\"ID\":\"H-3\",\"eindelevering\":false}");
	/* Columns in another order than the fields; the header decides. */
	CHECK_STR(map(m, "naam;crisis;datum;eur;gem;nr\nX;N;01-01-2024;1;0344;H-4"),
		  "{\"ID\":\"H-4\",\"gemeentecode\":\"0344\",\"bedrag\":1,"
		  "\"signaaldatum\":\"2024-01-01\",\"crisissignaal\":false,"
		  "\"eindelevering\":false,\"client\":{\"naam\":\"X\"}}");
	/* Byte-order mark of a spreadsheet export. */
	CHECK(map(m, "\xef\xbb\xbfnr;gem;eur;datum;crisis;naam\nH-5;0344;1;01-01-2024;N;X") != NULL);

	/* Euros: decimal comma or point, thousands grouping, half up. */
	static const struct { const char *in; long long want; } euros[] = {
		{"1.250,50", 1251}, {"1250,49", 1250}, {"1250,5", 1251}, {"1,250.50", 1251},
		{"1250.50", 1251}, {"1.250.000", 1250000}, {" 12 ", 12}, {"0,49", 0},
		{"-3,50", -4}, {"1250,499", 1250}, {"0,125", 0}, {"1250.000", 1250},
	};
	for (size_t i = 0; i < VR_ARRAY_LEN(euros); i++) {
		char row[128], want[64];
		snprintf(row, sizeof(row), "H;0344;%s;01-01-2024;N;X", euros[i].in);
		snprintf(want, sizeof(want), "\"bedrag\":%lld,", euros[i].want);
		const char *r = map(m, ROW(row));
		CHECK(r && strstr(r, want));
		if (!r || !strstr(r, want))
			fprintf(stderr, "  euros \"%s\": %s\n", euros[i].in, r ? r : merr.msg);
	}
	static const char *const bad_euros[] = {"1.250", "12,50,1", "1.25.0", "abc", "1,2.3,4",
						"12e3", ",5", "1.2345.000"};
	for (size_t i = 0; i < VR_ARRAY_LEN(bad_euros); i++) {
		char row[128];
		snprintf(row, sizeof(row), "H;0344;%s;01-01-2024;N;X", bad_euros[i]);
		CHECK(map_fails(m, ROW(row), "column \"eur\": not an amount in euros"));
	}

	/* Errors name the column, never the value. */
	CHECK(map_fails(m, ROW("H;0344;1;2024-01-05;N;X"),
			"column \"datum\": not a date in the form DD-MM-YYYY"));
	CHECK(map_fails(m, ROW("H;0344;1;05-01-2024;Ja;X"), "column \"crisis\": not J or N"));
	CHECK(!strstr(merr.msg, "Ja"));
	CHECK(map_fails(m, ROW("H;0344;1;05-01-2024;N"), "CSV record has 5 columns, header has 6"));
	CHECK(map_fails(m, ROW("H;0344;1;05-01-2024;N;X;Y"), "CSV record has 7 columns, header has 6"));
	CHECK(map_fails(m, ROW("H;0344;1;05-01-2024;N;X\nH2;0344;1;05-01-2024;N;X"),
			"more than one data record"));
	CHECK(map_fails(m, h, "no data record"));
	CHECK(map_fails(m, "", "empty CSV message"));
	CHECK(map_fails(m, ROW("\"H;0344;1;05-01-2024;N;X"), "unterminated quoted value"));
	CHECK(map_fails(m, ROW("\"H\"x;0344;1;05-01-2024;N;X"), "text after a closing quote"));
	CHECK(map_fails(m, "nr;gem;euro;datum;crisis;naam\nH;0344;1;05-01-2024;N;X",
			"column \"eur\" is not in the CSV header"));
	CHECK(map_fails(m, "nr;gem;eur;eur;datum;crisis;naam\nH;0344;1;1;05-01-2024;N;X",
			"column \"eur\" appears twice"));
	/* A trailing line end, or several, is not a second record. */
	CHECK(map(m, ROW("H;0344;1;05-01-2024;N;X\r\n\n")) != NULL);
	mapping_free(m);

	/* No header: csv.columns names them; comma delimiter; cents. */
	m = load(SECTION "format = csv\ncsv.header = false\ncsv.columns = nr, gem ,cent,x\n"
		 "field.ID = nr\nfield.gemeentecode = gem\nfield.bedrag = cent | cents\n"
		 "field.client.huisnummer = x\n", "signals.huur");
	CHECK(m != NULL);
	if (m) {
		CHECK_STR(map(m, "N-1,0344,125050,12\n"),
			  "{\"ID\":\"N-1\",\"gemeentecode\":\"0344\",\"bedrag\":1251,"
			  "\"client\":{\"huisnummer\":\"12\"}}");
		CHECK_STR(map(m, "N-1,0344,125049,"),
			  "{\"ID\":\"N-1\",\"gemeentecode\":\"0344\",\"bedrag\":1250}");
		CHECK(map_fails(m, "N-1,0344,12.50,1", "column \"cent\": not a whole number of cents"));
		CHECK(map_fails(m, "N-1,0344,1", "CSV record has 3 columns, csv.columns has 4"));
		CHECK(map_fails(m, "nr,gem,cent,x\nN-1,0344,1,1", "more than one data record"));
		mapping_free(m);
	}

	/* Booleans without a conversion read true/false; bedrag reads an integer. */
	m = load(SECTION "format = csv\ncsv.delimiter = tab\nfield.crisissignaal = c\n"
		 "field.bedrag = b\nfield.ontstaansdatum = d\n", "signals.huur");
	CHECK(m != NULL);
	if (m) {
		CHECK_STR(map(m, "c\tb\td\nTRUE\t-5\t2024-01-01"),
			  "{\"bedrag\":-5,\"ontstaansdatum\":\"2024-01-01\",\"crisissignaal\":true}");
		CHECK(map_fails(m, "c\tb\td\nJ\t5\t", "column \"c\": not true or false"));
		CHECK(map_fails(m, "c\tb\td\ntrue\t5,0\t", "column \"b\": not a whole number"));
		mapping_free(m);
	}
#undef ROW
}

static void test_mapped(void)
{
	struct mapping *m = load("[topic signals.energie]\npartner = Energie\n"
				 "format = mapped\n"
				 "field.ID = melding.kenmerk\n"
				 "field.bedrag = schuld.centen | cents\n"
				 "field.ontstaansdatum = schuld.sinds | date:YYYYMMDD\n"
				 "field.crisissignaal = afsluiting\n"
				 "field.incasso.herinnering = incasso.herinnering\n"
				 "field.client.postcode = klant.adres.postcode\n"
				 "field.client.huisnummer = klant.adres.huisnr\n"
				 "field.client.naam = klant.naam\n", "signals.energie");
	CHECK(m != NULL);
	if (!m)
		return;
	CHECK_STR(map(m, "{\"melding\":{\"kenmerk\":\"E-1\"},\"schuld\":{\"centen\":58450,"
		      "\"sinds\":\"20240115\"},\"afsluiting\":true,\"incasso\":{\"herinnering\":false},"
		      "\"klant\":{\"adres\":{\"postcode\":\"8534DZ\",\"huisnr\":49},\"naam\":\"A\"},"
		      "\"extra\":[1,2]}"),
		  "{\"ID\":\"E-1\",\"bedrag\":585,\"ontstaansdatum\":\"2024-01-15\","
		  "\"crisissignaal\":true,\"incasso\":{\"herinnering\":false},"
		  "\"client\":{\"postcode\":\"8534DZ\",\"huisnummer\":\"49\",\"naam\":\"A\"}}");
	/* Missing paths, null and empty strings are absent fields. */
	CHECK_STR(map(m, "{\"melding\":{\"kenmerk\":\"E-2\"},\"klant\":null,\"incasso\":{},"
		      "\"afsluiting\":null,\"schuld\":{\"sinds\":\"\"}}"),
		  "{\"ID\":\"E-2\"}");
	CHECK_STR(map(m, " {\"afsluiting\":\"false\"}\n"), "{\"crisissignaal\":false}");
	CHECK(map_fails(m, "{\"melding\":", "not JSON"));
	CHECK(map_fails(m, "{} {}", "trailing data"));
	CHECK(map_fails(m, "[1]", "not a JSON object"));
	CHECK(map_fails(m, "\"E-1\"", "not a JSON object"));
	CHECK(map_fails(m, "{\"klant\":{\"adres\":\"Dorpsstraat 1\"}}",
			"path \"klant.adres.postcode\": not an object above \"postcode\""));
	CHECK(!strstr(merr.msg, "Dorpsstraat"));
	CHECK(map_fails(m, "{\"melding\":{\"kenmerk\":{\"a\":1}}}",
			"path \"melding.kenmerk\": an object"));
	CHECK(map_fails(m, "{\"melding\":{\"kenmerk\":true}}", "path \"melding.kenmerk\": true or false"));
	CHECK(map_fails(m, "{\"schuld\":{\"centen\":12.5}}", "not a whole number of cents"));
	CHECK(map_fails(m, "{\"schuld\":{\"centen\":1e300}}", "out of range"));
	CHECK(map_fails(m, "{\"schuld\":{\"sinds\":\"15-01-2024\"}}",
			"path \"schuld.sinds\": not a date in the form YYYYMMDD"));
	CHECK_STR(map(m, "{\"schuld\":{\"sinds\":20240115}}"),
		  "{\"ontstaansdatum\":\"2024-01-15\"}");
	CHECK(map_fails(m, "{\"schuld\":{\"sinds\":2024.5}}", "not a date in the form"));
	/* Seven digits could be 2024-11-01 or 2024-01-11: refused, not guessed. */
	CHECK(map_fails(m, "{\"schuld\":{\"sinds\":\"2024111\"}}", "not a date in the form"));
	CHECK(map_fails(m, "{\"schuld\":{\"sinds\":2024111}}", "not a date in the form"));
	CHECK(map_fails(m, "{\"afsluiting\":1}", "a number where true or false"));
	CHECK(map_fails(m, "{\"afsluiting\":\"ja\"}", "not true or false"));
	CHECK(map_fails(m, "{\"melding\":{\"kenmerk\":12.5}}", "not a whole number"));
	/* A string for a cents field is read as its digits. */
	CHECK_STR(map(m, "{\"schuld\":{\"centen\":\"1049\"}}"), "{\"bedrag\":10}");

	/* Messages too long to map, and output too long for the buffer. */
	char *big = malloc(SIG_LINE_MAX + 2);
	memset(big, ' ', SIG_LINE_MAX + 1);
	big[SIG_LINE_MAX + 1] = '\0';
	const char *data;
	size_t len;
	CHECK_INT(mapping_apply(m, big, SIG_LINE_MAX + 1, &out, &data, &len, &merr), VR_EINVAL);
	CHECK_INT(merr.code, REJ_TOO_LONG);
	struct jbuf small;
	jbuf_init(&small, 16);
	const char *msg = "{\"klant\":{\"naam\":\"a rather long name\"}}";
	CHECK_INT(mapping_apply(m, msg, strlen(msg), &small, &data, &len, &merr), VR_EINVAL);
	CHECK_INT(merr.code, REJ_TOO_LONG);
	msg = "{}";
	CHECK_INT(mapping_apply(m, msg, strlen(msg), &small, &data, &len, &merr), VR_OK);
	jbuf_fini(&small);
	free(big);
	mapping_free(m);
}

/* A mapped record and its canonical twin give the same struct signal. */
static void test_end_to_end(void)
{
	struct mapping *m = load(SECTION "organisation = Woonstichting De Linie\n"
				 "format = csv\ncsv.delimiter = ;\n"
				 "field.ID = dossier\nfield.gemeentecode = gem\n"
				 "field.bedrag = achterstand | euros\n"
				 "field.ontstaansdatum = sinds | date:DD-MM-YYYY\n"
				 "field.signaaldatum = melding | date:DD-MM-YYYY\n"
				 "field.crisissignaal = vonnis | bool:J/N\n"
				 "field.incasso.herinnering = aanmaning | bool:J/N\n"
				 "field.incasso.persoonlijkContact = contact | bool:J/N\n"
				 "field.client.burgerservicenummer = bsn\n"
				 "field.client.postcode = postcode\nfield.client.huisnummer = nr\n"
				 "field.client.huisnummertoevoeging = toev\n"
				 "field.client.geboortedatum = geboren | date:DD-MM-YYYY\n"
				 "field.client.naam = naam\n", "signals.huur");
	CHECK(m != NULL);
	if (!m)
		return;
	const char *msg = "dossier;gem;achterstand;sinds;melding;vonnis;aanmaning;contact;bsn;"
			  "postcode;nr;toev;geboren;naam\n"
			  "H-1;0344;1.249,50;01-01-2024;15-02-2024;J;J;N;111222333;3511 ab;012;"
			  "bis;17-05-1980;J. Jansen\n";
	const char *canonical =
		"{\"ID\":\"H-1\",\"signaalpartner\":{\"type\":\"Huur\",\"naam\":"
		"\"Woonstichting De Linie\"},\"gemeentecode\":\"0344\",\"bedrag\":1250,"
		"\"ontstaansdatum\":\"2024-01-01\",\"signaaldatum\":\"2024-02-15\","
		"\"crisissignaal\":true,\"incasso\":{\"herinnering\":true,"
		"\"persoonlijkContact\":false},\"client\":{\"burgerservicenummer\":\"111222333\","
		"\"postcode\":\"3511AB\",\"huisnummer\":12,\"huisnummertoevoeging\":\"BIS\","
		"\"geboortedatum\":\"1980-05-17\",\"naam\":\"J. Jansen\"}}";
	struct signal a, b;
	struct sig_error e;
	const char *r = map(m, msg);
	CHECK(r != NULL);
	CHECK_INT(sig_parse_def(r, strlen(r), VR_DATE_NONE, mapping_defaults(m), &a, &e), VR_OK);
	CHECK_INT(sig_parse(canonical, strlen(canonical), VR_DATE_NONE, &b, &e), VR_OK);
	CHECK(signals_equal(&a, &b));
	CHECK_INT(a.partner, PARTNER_HUUR);
	CHECK_STR(a.partner_org, "Woonstichting De Linie");

	/* An empty required cell reaches the engine as a missing field. */
	r = map(m, "dossier;gem;achterstand;sinds;melding;vonnis;aanmaning;contact;bsn;"
		"postcode;nr;toev;geboren;naam\n"
		"H-1;;1;01-01-2024;15-02-2024;N;J;J;111222333;;;;;\n");
	CHECK(r != NULL);
	CHECK_INT(sig_parse_def(r, strlen(r), VR_DATE_NONE, mapping_defaults(m), &a, &e),
		  VR_EINVAL);
	CHECK_INT(e.code, REJ_GEMEENTECODE);
	CHECK_STR(e.msg, "missing gemeentecode");
	/* A date of the right shape that does not exist is the engine's call. */
	r = map(m, "dossier;gem;achterstand;sinds;melding;vonnis;aanmaning;contact;bsn;"
		"postcode;nr;toev;geboren;naam\n"
		"H-1;0344;1;30-02-2024;15-02-2024;N;J;J;111222333;;;;;\n");
	CHECK(r != NULL);
	CHECK_INT(sig_parse_def(r, strlen(r), VR_DATE_NONE, mapping_defaults(m), &a, &e),
		  VR_EINVAL);
	CHECK_INT(e.code, REJ_DATE);
	mapping_free(m);
}

/*
 * Random byte flips, insertions and truncations of good messages never
 * crash (the sanitizer builds run this too); they map to a JSON object or
 * fail with a mapping error and a message.
 */
static void mutate_and_map(const struct mapping *m, const char *good, int rounds)
{
	static char buf[1024];
	size_t glen = strlen(good);
	int bad_result = 0, accepted = 0;
	unsigned seed = 4242;
	for (int t = 0; t < rounds; t++) {
		memcpy(buf, good, glen);
		size_t len = glen;
		int edits = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 4;
		for (int k = 0; k < edits; k++) {
			seed = seed * 1103515245u + 12345u;
			size_t at = (seed >> 8) % len;
			switch ((seed >> 4) % 3) {
			case 0: buf[at] = (char)(seed >> 20); break;
			case 1: len = at + 1; break;
			default:
				if (len + 1 < sizeof(buf)) {
					memmove(buf + at + 1, buf + at, len - at);
					buf[at] = "{}[]\",:;0.\n\r\\\xc3"[(seed >> 12) % 14];
					len++;
				}
			}
		}
		const char *data;
		size_t n;
		int rc = mapping_apply(m, buf, len, &out, &data, &n, &merr);
		if (rc == VR_OK) {
			cJSON *j = cJSON_ParseWithLength(data, n);
			accepted++;
			if (!cJSON_IsObject(j))
				bad_result++;
			cJSON_Delete(j);
		} else if (rc != VR_EINVAL || merr.code != REJ_MAPPING || !merr.msg[0]) {
			bad_result++;
		}
	}
	CHECK_INT(bad_result, 0);
	CHECK(accepted > 0 && accepted < rounds);
}

static void test_mutations(void)
{
	struct mapping *m = load(SECTION "format = csv\ncsv.delimiter = ;\n"
				 "field.ID = nr\nfield.bedrag = eur | euros\n"
				 "field.signaaldatum = datum | date:DD-MM-YYYY\n"
				 "field.crisissignaal = crisis | bool:J/N\n"
				 "field.client.naam = naam\n", "signals.huur");
	CHECK(m != NULL);
	if (m) {
		mutate_and_map(m, "nr;eur;datum;crisis;naam\r\nH-1;\"1.250,50\";05-02-2024;J;"
			       "\"de \"\"Smid\"\"\"\r\n", 20000);
		mapping_free(m);
	}
	m = load("[topic signals.energie]\npartner = Energie\nformat = mapped\n"
		 "field.ID = melding.kenmerk\nfield.bedrag = schuld.centen | cents\n"
		 "field.ontstaansdatum = schuld.sinds | date:YYYYMMDD\n"
		 "field.crisissignaal = afsluiting\nfield.client.huisnummer = klant.adres.nr\n",
		 "signals.energie");
	CHECK(m != NULL);
	if (m) {
		mutate_and_map(m, "{\"melding\":{\"kenmerk\":\"E-1\"},\"schuld\":{\"centen\":58450,"
			       "\"sinds\":\"20240115\"},\"afsluiting\":true,"
			       "\"klant\":{\"adres\":{\"nr\":49}}}", 20000);
		mapping_free(m);
	}
}

/* ---- the demo data against the sample it came from --------------------- */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *p = malloc((size_t)n + 1);
	if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
		free(p);
		p = NULL;
	}
	fclose(f);
	if (p) {
		p[n] = '\0';
		*len = (size_t)n;
	}
	return p;
}

/* Split text into lines in place; returns the count (at most max). */
static size_t split_lines(char *text, char **lines, size_t max)
{
	size_t n = 0;
	for (char *p = text; *p && n < max;) {
		char *nl = strchr(p, '\n');
		lines[n++] = p;
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	return n;
}

#define SAMPLE_MAX 1024

struct sample {
	char *text;
	char *line[SAMPLE_MAX];
	char id[SAMPLE_MAX][SIG_ID_MAX + 1];
	bool used[SAMPLE_MAX];
	size_t n;
};

/* The first unused sample record with this ID (duplicates pair in order). */
static const char *sample_take(struct sample *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++) {
		if (!s->used[i] && strcmp(s->id[i], id) == 0) {
			s->used[i] = true;
			return s->line[i];
		}
	}
	return NULL;
}

/*
 * Records whose result may differ, and why: the canonical format cannot
 * hold 677.50 euros (rejected, bedrag); the energy format's cents can, and
 * round it to 678.
 */
static bool known_difference(const char *id)
{
	return strcmp(id, "NZE-2024-000004") == 0;
}

static void compare_demo(struct sample *s, const struct mapping *m, const char *msg,
			 int *compared)
{
	struct signal a, b;
	struct sig_error ea, eb;
	const char *r = map(m, msg);
	CHECK(r != NULL);
	if (!r) {
		fprintf(stderr, "  %s: %s\n", mapping_topic(m), merr.msg);
		return;
	}
	int rca = sig_parse_def(r, strlen(r), VR_DATE_NONE, mapping_defaults(m), &a, &ea);
	/* The ID as mapped, read back from the canonical text. */
	cJSON *j = cJSON_Parse(r);
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "ID");
	const char *orig = cJSON_IsString(id) ? sample_take(s, id->valuestring) : NULL;
	CHECK(orig != NULL);
	if (orig) {
		int rcb = sig_parse(orig, strlen(orig), VR_DATE_NONE, &b, &eb);
		if (known_difference(id->valuestring)) {
			CHECK(rca == VR_OK && rcb == VR_EINVAL && eb.code == REJ_AMOUNT);
			CHECK_INT(a.amount, 678);
		} else {
			CHECK_INT(rca, rcb);
			if (rca == VR_OK && rcb == VR_OK)
				CHECK(signals_equal(&a, &b));
			else if (rca != VR_OK && rcb != VR_OK)
				CHECK_STR(sig_reject_code(ea.code), sig_reject_code(eb.code));
		}
		(*compared)++;
	}
	cJSON_Delete(j);
}

static struct mapping *load_example(const char *root, const char *file, const char *topic)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/examples/mappings/%s", root, file);
	struct conf *c = conf_load(path, err, sizeof(err));
	struct mapping *m = c ? mapping_from_conf(c, topic, err, sizeof(err)) : NULL;
	if (!m)
		fprintf(stderr, "%s\n", err);
	conf_free(c);
	return m;
}

static void test_demo_data(void)
{
	const char *root = getenv("VROEG_SRC") ? getenv("VROEG_SRC") : VROEG_SRC_DIR;
	char path[1024];
	size_t len;
	static struct sample s;

	snprintf(path, sizeof(path), "%s/examples/signals-sample.jsonl", root);
	CHECK((s.text = slurp(path, &len)) != NULL);
	if (!s.text)
		return;
	s.n = split_lines(s.text, s.line, SAMPLE_MAX);
	for (size_t i = 0; i < s.n; i++) {
		cJSON *j = cJSON_Parse(s.line[i]);
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "ID");
		if (cJSON_IsString(id))
			snprintf(s.id[i], sizeof(s.id[i]), "%s", id->valuestring);
		cJSON_Delete(j);
	}

	struct mapping *huur = load_example(root, "huur-csv.conf", "signals.huur");
	struct mapping *energie = load_example(root, "energie-json.conf", "signals.energie");
	CHECK(huur && energie);
	int compared = 0;
	char *text, *lines[SAMPLE_MAX];
	size_t n;

	snprintf(path, sizeof(path), "%s/examples/demo/signals.huur.csv", root);
	if (huur && (text = slurp(path, &len))) {
		n = split_lines(text, lines, SAMPLE_MAX);
		/* Each Kafka message is the header line and one row. */
		for (size_t i = 1; i < n; i++) {
			if (!lines[i][0])
				continue;
			char *msg = malloc(strlen(lines[0]) + strlen(lines[i]) + 2);
			sprintf(msg, "%s\n%s", lines[0], lines[i]);
			compare_demo(&s, huur, msg, &compared);
			free(msg);
		}
		CHECK_INT(compared, 29);
		free(text);
	}
	snprintf(path, sizeof(path), "%s/examples/demo/signals.energie.jsonl", root);
	if (energie && (text = slurp(path, &len))) {
		n = split_lines(text, lines, SAMPLE_MAX);
		for (size_t i = 0; i < n; i++)
			if (lines[i][0])
				compare_demo(&s, energie, lines[i], &compared);
		CHECK_INT(compared, 29 + 20);
		free(text);
	}
	mapping_free(huur);
	mapping_free(energie);
	free(s.text);
}

/* ---- CSV files: records over several lines, the header read once -------- */

static char *write_tmp(const char *text, size_t len)
{
	static char path[64];
	snprintf(path, sizeof(path), "/tmp/vroeg-test-csv-%d.csv", (int)getpid());
	FILE *fp = fopen(path, "wb");
	if (!fp || fwrite(text, 1, len, fp) != len || fclose(fp) != 0)
		return NULL;
	return path;
}

/* Read path in CSV mode, batches of max, into ids[] ("line:text" per record). */
static size_t read_csv_file(const char *path, size_t max, char ids[][64], size_t cap)
{
	char e[128];
	struct engine_rec recs[8];
	struct src_file *f = src_file_open(path, e, sizeof(e));
	size_t n = 0;
	long got;
	if (!f || src_file_set_csv(f, ';') != VR_OK)
		return 0;
	while ((got = src_file_next(f, recs, max)) > 0)
		for (long i = 0; i < got && n < cap; i++, n++) {
			const char *semi = memchr(recs[i].data, ';', recs[i].len);
			int w = semi ? (int)(semi - recs[i].data) : (int)recs[i].len;
			snprintf(ids[n], 64, "%ld:%.*s", recs[i].pos, w > 40 ? 40 : w,
				 recs[i].data);
		}
	CHECK(got == 0);
	src_file_close(f);
	return n;
}

static void test_csv_file(void)
{
	/* A spreadsheet export: a name and a note with line breaks (one of them
	 * blank), a blank line between rows, a stray quote that must cost its
	 * own row only, and a last row without a line end. */
	static const char text[] =
		"nr;gem;eur;datum;crisis;naam;opmerking\n"               /* 1 */
		"H-1;0344;1;05-01-2024;N;A;\"kort\"\n"                   /* 2 */
		"H-2;0344;1;05-01-2024;N;\"Jan\r\nJansen\";\"belt terug\n" /* 3, 4 */
		"na 17:00; zegt \"\"morgen\"\"\"\n"                       /* 5 */
		"\n"                                                    /* 6 */
		"H-3;0344;1;05-01-2024;N;C;\"regel1\n"                   /* 7 */
		"\n"                                                    /* 8 */
		"regel3\"\n"                                            /* 9 */
		"H-4;0344;1;05-01-2024;N;D;\"kapot\n"                    /* 10 */
		"H-5;0344;1;05-01-2024;N;E;\"\"\n"                       /* 11 */
		"H-6;0344;1;05-01-2024;N;F;\"x\"";                       /* 12 */
	static const char *const want[] = {"1:nr", "2:H-1", "3:H-2", "7:H-3", "10:H-4",
					   "11:H-5", "12:H-6"};
	char ids[16][64];
	const char *path = write_tmp(text, sizeof(text) - 1);
	CHECK(path != NULL);
	if (!path)
		return;
	/* The same records whatever the batch size: records never split. */
	for (size_t max = 1; max <= 8; max += 7) {
		size_t n = read_csv_file(path, max, ids, 16);
		CHECK_INT((long)n, (long)VR_ARRAY_LEN(want));
		for (size_t i = 0; i < n && i < VR_ARRAY_LEN(want); i++)
			CHECK_STR(ids[i], want[i]);
	}

	/* Each row maps with the header read once; the stray quote is rejected. */
	struct mapping *m = load(SECTION "format = csv\ncsv.delimiter = ;\n"
				 "field.ID = nr\nfield.client.naam = naam\n", "signals.huur");
	CHECK(m != NULL);
	char e[128];
	struct src_file *f = m ? src_file_open(path, e, sizeof(e)) : NULL;
	CHECK(f && src_file_set_csv(f, mapping_csv_delim(m)) == VR_OK);
	struct engine_rec recs[8];
	struct map_header *h = NULL;
	static const char *const mapped[] = {
		"{\"ID\":\"H-1\",\"client\":{\"naam\":\"A\"}}",
		"{\"ID\":\"H-2\",\"client\":{\"naam\":\"Jan\\r\\nJansen\"}}",
		"{\"ID\":\"H-3\",\"client\":{\"naam\":\"C\"}}",
		NULL,
		"{\"ID\":\"H-5\",\"client\":{\"naam\":\"E\"}}",
		"{\"ID\":\"H-6\",\"client\":{\"naam\":\"F\"}}",
	};
	long got;
	int row = -1; /* the header first */
	while (f && (got = src_file_next(f, recs, 8)) > 0)
		for (long k = 0; k < got; k++, row++) {
			const char *data;
			size_t len;
			if (row < 0) {
				h = mapping_header_new(m, recs[k].data, recs[k].len);
				CHECK(h != NULL);
				continue;
			}
			if (!h || row >= 6)
				break;
			int rc = mapping_apply_row(m, h, recs[k].data, recs[k].len, &out, &data,
						   &len, &merr);
			if (!mapped[row]) {
				CHECK(rc == VR_EINVAL && merr.code == REJ_MAPPING &&
				      strstr(merr.msg, "unterminated quoted value"));
				continue;
			}
			CHECK_INT(rc, VR_OK);
			if (rc == VR_OK) {
				char copy[256];
				snprintf(copy, sizeof(copy), "%.*s", (int)len, data);
				CHECK_STR(copy, mapped[row]);
			}
		}
	CHECK_INT(row, 6);
	mapping_header_free(h);
	src_file_close(f);
	mapping_free(m);
}

/* A header over SIG_LINE_MAX is read (the limit is per row); one over
 * MAP_HEADER_MAX, or one that lacks a column, rejects every row with its
 * reason instead of stopping the file. */
static void test_csv_file_header(void)
{
	struct mapping *m = load(SECTION "format = csv\ncsv.delimiter = ;\n"
				 "field.ID = nr\nfield.client.naam = naam\n", "signals.huur");
	CHECK(m != NULL);
	size_t big = 3 * SIG_LINE_MAX;
	char *hdr = malloc(big + 1);
	CHECK(hdr != NULL);
	if (m && hdr) {
		memset(hdr, 'x', big);
		memcpy(hdr, "nr;naam;", 8);
		struct map_header *wide = mapping_header_new(m, hdr, big);
		const char *data;
		size_t len;
		CHECK(wide && mapping_apply_row(m, wide, "H-7;G;z", 7, &out, &data, &len, &merr) ==
				      VR_OK);
		mapping_header_free(wide);
		struct map_header *huge = mapping_header_new(m, hdr, (1u << 20) + 1);
		CHECK(huge && mapping_apply_row(m, huge, "H-7;G;z", 7, &out, &data, &len, &merr) ==
				      VR_EINVAL);
		CHECK(merr.code == REJ_MAPPING && strstr(merr.msg, "the CSV header is 1048577 bytes"));
		mapping_header_free(huge);
		struct map_header *lacks = mapping_header_new(m, "nr;name", 7);
		CHECK(lacks && mapping_apply_row(m, lacks, "H-8;G", 5, &out, &data, &len, &merr) ==
				       VR_EINVAL);
		CHECK(strstr(merr.msg, "column \"naam\" is not in the CSV header") != NULL);
		mapping_header_free(lacks);
	}
	free(hdr);
	mapping_free(m);
}

/* Records across the reader's 4 MiB blocks: 100,000 rows of three lines. */
static void test_csv_file_blocks(void)
{
	struct engine_rec recs[8];
	char e[128];
	long got;
	struct src_file *f;
	const char *path;

	size_t rows = 100000, cap = rows * 80 + 64, len = 0;
	char *many = malloc(cap);
	CHECK(many != NULL);
	if (!many)
		return;
	len += (size_t)snprintf(many, cap, "nr;naam;opmerking\n");
	for (size_t i = 0; i < rows; i++)
		len += (size_t)snprintf(many + len, cap - len,
					"R-%zu;N;\"een notitie\nover twee\nregels; en \"\"meer\"\"\"\n", i);
	path = write_tmp(many, len);
	free(many);
	f = path ? src_file_open(path, e, sizeof(e)) : NULL;
	CHECK(f && src_file_set_csv(f, ';') == VR_OK);
	size_t seen = 0, bad = 0;
	while (f && (got = src_file_next(f, recs, 8)) > 0)
		for (long i = 0; i < got; i++, seen++) {
			char want_id[32];
			int w = snprintf(want_id, sizeof(want_id), "R-%zu;", seen - 1);
			long want_line = seen == 0 ? 1 : 2 + 3 * (long)(seen - 1);
			if (seen > 0 && (recs[i].pos != want_line ||
					 strncmp(recs[i].data, want_id, (size_t)w) != 0 ||
					 recs[i].data[recs[i].len - 1] != '"'))
				bad++;
		}
	CHECK_INT((long)seen, (long)rows + 1);
	CHECK_INT((long)bad, 0);
	src_file_close(f);
	if (path)
		unlink(path);
}

int main(void)
{
	jbuf_init(&out, SIG_LINE_MAX);
	test_config();
	test_csv();
	test_csv_file();
	test_csv_file_header();
	test_csv_file_blocks();
	test_mapped();
	test_end_to_end();
	test_mutations();
	test_demo_data();
	jbuf_fini(&out);
	return harness_done();
}
