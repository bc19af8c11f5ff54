/* test_signal.c - parsing and validation of canonical signals. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "signal.h"
#include "vr.h"

static const char *good =
	"{\"ID\":\"H-1\",\"signaalpartner\":{\"type\":\"Huur\",\"naam\":\"Woonstichting X\"},"
	"\"gemeentecode\":\"0344\",\"bedrag\":1250,\"ontstaansdatum\":\"2024-01-01\","
	"\"signaaldatum\":\"2024-02-15\",\"crisissignaal\":true,\"eindelevering\":false,"
	"\"incasso\":{\"herinnering\":true,\"persoonlijkContact\":false},"
	"\"client\":{\"burgerservicenummer\":\"111222333\",\"postcode\":\"3511 ab\","
	"\"huisnummer\":\"012\",\"huisnummertoevoeging\":\"bis\",\"geboortedatum\":\"1980-05-17\","
	"\"naam\":\"J. Jansen\",\"telefoon\":\"0612345678\"}}";

/* Replace the first occurrence of from in good by to; parse; return the code. */
static enum sig_reject variant(const char *from, const char *to, vr_date today)
{
	static char buf[SIG_LINE_MAX + 64];
	struct signal s;
	struct sig_error e;
	const char *at = strstr(good, from);
	if (!at)
		return REJ__COUNT;
	size_t pre = (size_t)(at - good);
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)pre, good, to, at + strlen(from));
	if (sig_parse(buf, strlen(buf), today, &s, &e) == VR_OK)
		return REJ_NONE;
	/* Messages never echo client data. */
	CHECK(strstr(e.msg, "111222333") == NULL && strstr(e.msg, "Jansen") == NULL &&
	      strstr(e.msg, "3511") == NULL && strstr(e.msg, "0612345678") == NULL);
	return e.code;
}

/* What the JSON parser lets through, refused: NUL escapes, leading zeros,
 * numbers out of range, a key twice in one object. */
static void test_strict_json(void)
{
	const vr_date none = VR_DATE_NONE;
	CHECK_INT(variant("\"ID\":\"H-1\"", "\"ID\":\"H\\u0000A\"", none), REJ_NUL);
	CHECK_INT(variant("\"0344\"", "\"0344\\u0000junk\"", none), REJ_NUL);
	CHECK_INT(variant("\"111222333\"", "\"111222333\\u0000x\"", none), REJ_NUL);
	/* An escaped backslash followed by u0000 is text, not a NUL. */
	CHECK_INT(variant("\"ID\":\"H-1\"", "\"ID\":\"H\\\\u0000A\"", none), REJ_NONE);
	CHECK_INT(variant("\"bedrag\":1250", "\"bedrag\":01250", none), REJ_JSON);
	CHECK_INT(variant("\"bedrag\":1250", "\"bedrag\":1250,\"x\":0100", none), REJ_JSON);
	CHECK_INT(variant("\"bedrag\":1250", "\"bedrag\":1250,\"x\":-0", none), REJ_NONE);
	CHECK_INT(variant("\"bedrag\":1250", "\"bedrag\":1e-400", none), REJ_JSON);
	CHECK_INT(variant("\"bedrag\":1250", "\"bedrag\":1e999", none), REJ_JSON);
	CHECK_INT(variant("\"bedrag\":1250", "\"bedrag\":1.25e3", none), REJ_NONE);
	CHECK_INT(variant("\"bedrag\":1250", "\"bedrag\":1250,\"bedrag\":5", none), REJ_JSON);
	CHECK_INT(variant("\"client\":{", "\"client\":{\"naam\":\"A\",", none), REJ_JSON);
	CHECK_INT(variant("\"ID\":\"H-1\"", "\"ID\":\"H-1\",\"client\":{}", none), REJ_JSON);
	/* JSON's whitespace may follow the record, line breaks included. */
	static char buf[SIG_LINE_MAX];
	struct signal sg;
	struct sig_error e;
	const char *tails[] = {"\n", "\r\n", " \t\n"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(buf, sizeof(buf), "%s%s", good, tails[i]);
		CHECK_INT(sig_parse(buf, strlen(buf), none, &sg, &e), VR_OK);
	}
	snprintf(buf, sizeof(buf), "%s\nx", good);
	CHECK_INT(sig_parse(buf, strlen(buf), none, &sg, &e), VR_EINVAL);
	CHECK_INT(e.code, REJ_JSON);
}

/* An optional field sent empty is absent, as partners' exports send it. */
static void test_empty_is_absent(void)
{
	const vr_date none = VR_DATE_NONE;
	CHECK_INT(variant("\"bis\"", "\"\"", none), REJ_NONE);
	CHECK_INT(variant("\"J. Jansen\"", "\"\"", none), REJ_NONE);
	CHECK_INT(variant("\"0612345678\"", "\"\"", none), REJ_NONE);
	CHECK_INT(variant("\"1980-05-17\"", "\"\"", none), REJ_NONE);
	CHECK_INT(variant("\"Woonstichting X\"", "\"\"", none), REJ_NONE);
	CHECK_INT(variant("\"crisissignaal\":true", "\"crisissignaal\":\"\"", none), REJ_NONE);
	CHECK_INT(variant("\"herinnering\":true", "\"herinnering\":\"\"", none), REJ_NONE);
	/* With the BSN there, an empty postcode leaves no address (as without one). */
	CHECK_INT(variant("\"3511 ab\"", "\"\"", none), REJ_NONE);
	CHECK_INT(variant("\"111222333\"", "\"\"", none), REJ_NONE); /* the address is there */
	CHECK_INT(variant("\"3511 ab\",\"huisnummer\":\"012\"", "\"\",\"huisnummer\":\"\"",
			  none), REJ_NONE);
	/* A required field sent empty is still refused. */
	CHECK_INT(variant("\"ID\":\"H-1\"", "\"ID\":\"\"", none), REJ_ID);
	static char buf[SIG_LINE_MAX];
	struct signal sg;
	struct sig_error e;
	const char *at = strstr(good, "\"naam\":\"J. Jansen\"");
	snprintf(buf, sizeof(buf), "%.*s\"naam\":\"\"%s", (int)(at - good), good,
		 at + strlen("\"naam\":\"J. Jansen\""));
	CHECK_INT(sig_parse(buf, strlen(buf), none, &sg, &e), VR_OK);
	CHECK_STR(sg.client.name, "");
}

int main(void)
{
	struct signal s;
	struct sig_error e;
	char pc[7];

	CHECK(sig_bsn_is_valid("111222333"));
	CHECK(sig_bsn_is_valid("123456782"));
	CHECK(!sig_bsn_is_valid("123456789"));
	CHECK(!sig_bsn_is_valid("000000000"));
	CHECK(!sig_bsn_is_valid("11122233a"));
	CHECK(!sig_bsn_is_valid("1112223330"));

	CHECK_INT(sig_postcode_normalise("3511 ab", pc), VR_OK);
	CHECK_STR(pc, "3511AB");
	CHECK_INT(sig_postcode_normalise("3511AB", pc), VR_OK);
	CHECK_INT(sig_postcode_normalise("0511AB", pc), VR_EINVAL);
	CHECK_INT(sig_postcode_normalise("3511A", pc), VR_EINVAL);
	CHECK_INT(sig_postcode_normalise("3511ABC", pc), VR_EINVAL);
	CHECK_INT(sig_postcode_normalise("35111AB", pc), VR_EINVAL);
	CHECK_INT(sig_postcode_normalise("", pc), VR_EINVAL);

	CHECK_INT(sig_utf8_check("caf\xc3\xa9", 5), -1);
	CHECK_INT(sig_utf8_check("ab\xff", 3), 2);
	CHECK_INT(sig_utf8_check("a\xc3", 2), 1);          /* truncated */
	CHECK_INT(sig_utf8_check("\xc0\xaf", 2), 0);       /* overlong */
	CHECK_INT(sig_utf8_check("\xed\xa0\x80", 3), 0);   /* surrogate */
	CHECK_INT(sig_utf8_check("\xf0\x9f\x98\x80", 4), -1);

	CHECK_INT(sig_parse(good, strlen(good), VR_DATE_NONE, &s, &e), VR_OK);
	CHECK_STR(s.id, "H-1");
	CHECK_INT(s.partner, PARTNER_HUUR);
	CHECK_STR(s.partner_org, "Woonstichting X");
	CHECK_INT(s.amount, 1250);
	CHECK_INT(sig_days_overdue(&s), 45);
	CHECK(s.crisis && !s.end_of_supply && !s.warm_handover);
	CHECK(s.has_collection);
	CHECK_INT(s.collection[STEP_HERINNERING], TRI_YES);
	CHECK_INT(s.collection[STEP_PERSOONLIJK_CONTACT], TRI_NO);
	CHECK_INT(s.collection[STEP_VERWIJZING_SHV], TRI_UNKNOWN);
	CHECK(sig_collection_incomplete(&s));
	CHECK_STR(s.client.postcode, "3511AB");
	CHECK_STR(s.client.huisnummer, "12");
	CHECK_STR(s.client.toevoeging, "BIS");
	CHECK_STR(s.client.bsn, "111222333");

	/* Partner org defaults to the type; Gemeentebelastingen is accepted. */
	CHECK_INT(variant("\"Huur\",\"naam\":\"Woonstichting X\"", "\"Gemeentebelastingen\"",
			  VR_DATE_NONE), REJ_NONE);
	CHECK_INT(variant("\"Huur\"", "\"Woning\"", VR_DATE_NONE), REJ_PARTNER_TYPE);
	CHECK_INT(variant("\"bedrag\":1250", "\"bedrag\":-1", VR_DATE_NONE), REJ_AMOUNT);
	CHECK_INT(variant("\"bedrag\":1250", "\"bedrag\":12.5", VR_DATE_NONE), REJ_AMOUNT);
	CHECK_INT(variant("\"bedrag\":1250", "\"bedrag\":1000001", VR_DATE_NONE), REJ_AMOUNT);
	CHECK_INT(variant("\"bedrag\":1250", "\"bedrag\":1000000", VR_DATE_NONE), REJ_NONE);
	CHECK_INT(variant("\"bedrag\":1250", "\"bedrag\":0", VR_DATE_NONE), REJ_NONE);
	CHECK_INT(variant("2024-01-01", "2024-02-16", VR_DATE_NONE), REJ_DATE_ORDER);
	CHECK_INT(variant("2024-01-01", "2024-02-15", VR_DATE_NONE), REJ_NONE);
	CHECK_INT(variant("1980-05-17", "2024-02-16", VR_DATE_NONE), REJ_DATE_ORDER);
	CHECK_INT(variant("\"signaaldatum\":\"2024-02-15\"", "\"signaaldatum\":\"2024-02-15\"",
			  date_from_ymd(2024, 2, 14)), REJ_DATE_FUTURE);
	CHECK_INT(variant("\"signaaldatum\":\"2024-02-15\"", "\"signaaldatum\":\"2024-02-15\"",
			  date_from_ymd(2024, 2, 15)), REJ_NONE);
	CHECK_INT(variant("111222333", "111222334", VR_DATE_NONE), REJ_BSN);
	CHECK_INT(variant("\"111222333\"", "111222333", VR_DATE_NONE), REJ_BSN);
	CHECK_INT(variant("3511 ab", "35 11ab", VR_DATE_NONE), REJ_NONE);
	CHECK_INT(variant("3511 ab", "3511 a", VR_DATE_NONE), REJ_POSTCODE);
	CHECK_INT(variant("\"012\"", "0", VR_DATE_NONE), REJ_HUISNUMMER);
	CHECK_INT(variant("\"012\"", "12", VR_DATE_NONE), REJ_NONE);
	CHECK_INT(variant("\"bis\"", "\"toolong\"", VR_DATE_NONE), REJ_HUISNUMMER);
	CHECK_INT(variant("\"crisissignaal\":true", "\"crisissignaal\":1", VR_DATE_NONE),
		  REJ_FLAG);
	CHECK_INT(variant("\"herinnering\":true", "\"herinnering\":\"ja\"", VR_DATE_NONE),
		  REJ_INCASSO);
	CHECK_INT(variant("\"0344\"", "344", VR_DATE_NONE), REJ_GEMEENTECODE);
	CHECK_INT(variant("\"burgerservicenummer\":\"111222333\",\"postcode\":\"3511 ab\","
			  "\"huisnummer\":\"012\",", "", VR_DATE_NONE), REJ_IDENTITY);
	CHECK_INT(variant("\"burgerservicenummer\":\"111222333\",", "", VR_DATE_NONE), REJ_NONE);
	CHECK_INT(variant("\"ID\":\"H-1\"", "\"ID\":\"\"", VR_DATE_NONE), REJ_ID);
	CHECK_INT(variant("\"naam\":\"J. Jansen\"", "\"naam\":7", VR_DATE_NONE), REJ_CONTACT);

	/* Structural failures. */
	CHECK_INT(sig_parse("[1,2]", 5, VR_DATE_NONE, &s, &e), VR_EINVAL);
	CHECK_INT(e.code, REJ_NOT_OBJECT);
	CHECK_INT(sig_parse("{\"ID\":", 6, VR_DATE_NONE, &s, &e), VR_EINVAL);
	CHECK_INT(e.code, REJ_JSON);
	CHECK_INT(sig_parse("{} x", 4, VR_DATE_NONE, &s, &e), VR_EINVAL);
	CHECK_INT(e.code, REJ_JSON);
	CHECK_INT(sig_parse("{\"a\":\"\xff\"}", 9, VR_DATE_NONE, &s, &e), VR_EINVAL);
	CHECK_INT(e.code, REJ_NOT_UTF8);
	CHECK_INT(sig_parse("{\"a\":\"\0\"}", 9, VR_DATE_NONE, &s, &e), VR_EINVAL);
	CHECK_INT(e.code, REJ_JSON);
	CHECK_INT(sig_parse(NULL, SIG_LINE_MAX + 1, VR_DATE_NONE, &s, &e), VR_EINVAL);
	CHECK_INT(e.code, REJ_TOO_LONG);

	/* Deep nesting is refused by the parser's depth limit, not the stack. */
	size_t deep = 30000;
	char *nest = malloc(2 * deep);
	memset(nest, '[', deep);
	memset(nest + deep, ']', deep);
	CHECK_INT(sig_parse(nest, 2 * deep, VR_DATE_NONE, &s, &e), VR_EINVAL);
	CHECK_INT(e.code, REJ_JSON);
	free(nest);

	/* Mutation smoke test: random byte flips, insertions and truncations of
	 * a good record never crash (ASan/UBSan builds run this too) and always
	 * end in OK or a known reject code with a message. */
	{
		static char buf[1024];
		size_t glen = strlen(good);
		int bad_result = 0, accepted = 0;
		unsigned seed = 12345;
		for (int t = 0; t < 20000; t++) {
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
						buf[at] = "{}[]\",:0e-\"\\u\xc3"[(seed >> 12) % 14];
						len++;
					}
				}
			}
			int rc = sig_parse(buf, len, VR_DATE_NONE, &s, &e);
			if (rc == VR_OK)
				accepted++;
			else if (rc != VR_EINVAL || e.code <= REJ_NONE || e.code >= REJ__COUNT ||
				 !e.msg[0])
				bad_result++;
		}
		CHECK_INT(bad_result, 0);
		CHECK(accepted > 0 && accepted < 20000);
	}

	CHECK_STR(sig_reject_code(REJ_BSN), "bsn");
	CHECK_STR(sig_partner_name(PARTNER_CAK_ZORGVERZEKERINGEN), "CAK Zorgverzekeringen");
	CHECK_INT(sig_partner_from_name("huur"), PARTNER__COUNT);
	test_strict_json();
	test_empty_is_absent();
	return harness_done();
}
