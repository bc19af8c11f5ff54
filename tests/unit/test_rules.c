/*
 * test_rules.c - the rule language: error messages with positions, limits
 * on pathological files, and evaluation against hand-built signals and cases.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "rules.h"
#include "vr.h"

static char errs[1 << 16];

static struct ruleset *load(const char *text)
{
	return ruleset_load_text("t.rules", NULL, text, strlen(text), errs, sizeof(errs));
}

#define BASE "priority normal due 28 days\n"

/* The file must fail with exactly this first message. */
static void expect_error(const char *text, const char *first_msg)
{
	struct ruleset *rs = load(text);
	CHECK(rs == NULL);
	ruleset_free(rs);
	size_t n = strcspn(errs, "\n");
	char got[512];
	snprintf(got, sizeof(got), "%.*s", (int)n, errs);
	CHECK_STR(got, first_msg);
}

static struct signal sig(enum sig_partner p, int64_t amount, bool crisis)
{
	struct signal s;
	memset(&s, 0, sizeof(s));
	strcpy(s.id, "X-1");
	s.partner = p;
	strcpy(s.partner_org, "Org");
	strcpy(s.gemeentecode, "0344");
	s.amount = amount;
	s.arrears_since = date_from_ymd(2024, 1, 1);
	s.signal_date = date_from_ymd(2024, 2, 15); /* a Thursday */
	s.crisis = crisis;
	s.has_collection = true;
	for (int i = 0; i < STEP__COUNT; i++)
		s.collection[i] = TRI_YES;
	s.client.birth = VR_DATE_NONE;
	strcpy(s.client.bsn, "111222333");
	return s;
}

static void test_errors(void)
{
	expect_error("ruleset \"a\" version \"1\"\nruleset \"b\" version \"2\"\n" BASE,
		     "t.rules:2:9: a second 'ruleset' line (the first is line 1): a file is one "
		     "rule set");
	expect_error(BASE "list known from \"/tmp\"\n", "t.rules:2:6: list /tmp is not a file");
	/* A UTF-8 byte order mark is not part of the file's text. */
	struct ruleset *bom = load("\xef\xbb\xbfruleset \"bom\" version \"1\"\n" BASE);
	CHECK(bom != NULL);
	if (bom)
		CHECK_STR(ruleset_name(bom), "bom");
	ruleset_free(bom);
	expect_error("set treshold = 5\n" BASE, "t.rules:1:5: unknown setting 'treshold'");
	expect_error(BASE "score \"a\" when signal.amout > 5 points 1\n",
		     "t.rules:2:16: unknown field signal.amout (did you mean signal.amount?)");
	expect_error(BASE "score \"a\" points 1\nscore \"a\" points 2\n",
		     "t.rules:3:7: duplicate rule name \"a\"");
	expect_error(BASE "score \"a\" when signal.amount points 1\n",
		     "t.rules:2:16: a condition must be true/false, not number");
	expect_error(BASE "score \"a\" when signal.partner == 3 points 1\n",
		     "t.rules:2:34: type mismatch: cannot compare partner type with number");
	expect_error(BASE "score \"a\" when signal.partner == \"Woning\" points 1\n",
		     "t.rules:2:34: unknown partner type \"Woning\"");
	expect_error(BASE "score \"a\" when signal.crisis points signal.crisis\n",
		     "t.rules:2:37: points must be number, not true/false");
	expect_error("set repeat_window = 90\n" BASE,
		     "t.rules:1:21: bad duration: give a unit, 'days' or 'weeks'");
	expect_error("set repeat_window = 0 days\n" BASE,
		     "t.rules:1:21: bad duration: must be 1 to 3660 days");
	expect_error("set matching_period = 3 working days\n" BASE,
		     "t.rules:1:23: bad duration: working days are only for due dates");
	expect_error(BASE "route a\nroute b when case.crisis\n",
		     "t.rules:3:7: unreachable route: the route at line 2 always applies");
	expect_error(BASE "priority crisis when signal.crisis due 3 working days\n",
		     "t.rules:2:10: unreachable priority: the priority at line 1 always applies");
	expect_error("score \"a\" points 1\n",
		     "t.rules:2:1: missing a final 'priority normal due N days' without a condition");
	expect_error(BASE "priority urgent when case.crisis due 3 days\n",
		     "t.rules:2:22: case.crisis is not available here: status and priority rules "
		     "see the signal, not its case");
	expect_error(BASE "status andere_reden when household in nolist\n",
		     "t.rules:2:39: 'household in' needs a list declared with 'list NAME from \"file\"'");
	expect_error(BASE "list x from \"/nonexistent/list.txt\"\n",
		     "t.rules:2:6: cannot open list /nonexistent/list.txt: No such file or directory");
	expect_error(BASE "score \"a\" when (signal.crisis points 1\n",
		     "t.rules:2:31: expected ')', found 'points'");
	expect_error(BASE "score \"a\" when signal.crisis points 1 extra\n",
		     "t.rules:2:39: unexpected 'extra' after the declaration");
	expect_error(BASE "scor \"a\" points 1\n",
		     "t.rules:2:1: expected a declaration (ruleset, set, list, status, priority, "
		     "score, route, holiday), found 'scor'");
	expect_error(BASE "score \"a\" points 99999999999999999999\n", "t.rules:2:18: number too large");
	expect_error(BASE "set holidays = maybe\n",
		     "t.rules:2:16: holidays is 'nl' (the national holidays) or 'none' (only 'holiday' lines)");
	expect_error(BASE "set liberation_day = 2025\n",
		     "t.rules:2:22: liberation_day is 'yearly' or 'lustrum' (every 5 years)");
	expect_error(BASE "holiday \"2024-02-30\"\n",
		     "t.rules:2:9: holiday needs a date in quotes, \"YYYY-MM-DD\"");
	expect_error(BASE "score \"a\" when signal.org < \"x\" points 1\n",
		     "t.rules:2:16: only numbers can be ordered, not text");
	expect_error(BASE "score \"a\" when household points 1\n",
		     "t.rules:2:16: household must be used as 'household in LIST'");

	/* Several errors: all reported, each once, in order. */
	struct ruleset *rs = load("set x = 1\n" BASE "score \"a\" when y points 1\n");
	CHECK(rs == NULL);
	CHECK(strstr(errs, "t.rules:1:5: unknown setting 'x'\nt.rules:3:16: unknown name 'y'") ==
	      errs);
}

static void test_limits(void)
{
	/* Deep nesting: an error, not a stack overflow. */
	size_t depth = 100000;
	char *deep = malloc(2 * depth + 200);
	size_t n = (size_t)sprintf(deep, BASE "score \"a\" when ");
	memset(deep + n, '(', depth);
	n += depth;
	n += (size_t)sprintf(deep + n, "true");
	memset(deep + n, ')', depth);
	n += depth;
	n += (size_t)sprintf(deep + n, " points 1\n");
	struct ruleset *rs = ruleset_load_text("t.rules", NULL, deep, n, errs, sizeof(errs));
	CHECK(rs == NULL);
	CHECK(strstr(errs, "line too long") != NULL);
	/* Nesting within the line limit still stops at the depth limit. */
	n = (size_t)sprintf(deep, BASE "score \"a\" when ");
	memset(deep + n, '(', 1000);
	n += 1000;
	n += (size_t)sprintf(deep + n, "true points 1\n");
	rs = ruleset_load_text("t.rules", NULL, deep, n, errs, sizeof(errs));
	CHECK(rs == NULL);
	CHECK(strstr(errs, "expression nested too deeply (max 64)") != NULL);
	free(deep);

	/* A 1 MB line. */
	char *big = malloc(1 << 20);
	memset(big, 'a', (1 << 20) - 1);
	big[(1 << 20) - 1] = '\n';
	rs = ruleset_load_text("t.rules", NULL, big, 1 << 20, errs, sizeof(errs));
	CHECK(rs == NULL);
	CHECK(strstr(errs, "t.rules:1:4097: line too long (1048575 bytes, max 4096)") != NULL);
	free(big);

	/* 100,000 rules: refused with one message, quickly. */
	size_t cap = 100000 * 40 + 100;
	char *many = malloc(cap);
	n = (size_t)sprintf(many, BASE);
	for (int i = 0; i < 100000; i++)
		n += (size_t)sprintf(many + n, "score \"r%d\" points %d\n", i, i % 7);
	rs = ruleset_load_text("t.rules", NULL, many, n, errs, sizeof(errs));
	CHECK(rs == NULL);
	CHECK(strstr(errs, "too many declarations (max 10000)") != NULL);
	CHECK(strchr(errs, '\n') == NULL); /* one message, not 90,000 */
	free(many);

	/* Binary garbage: errors, no crash. */
	char junk[4096];
	unsigned seed = 99;
	for (int t = 0; t < 200; t++) {
		for (size_t i = 0; i < sizeof(junk); i++)
			junk[i] = (char)((seed = seed * 1103515245u + 12345u) >> 16);
		rs = ruleset_load_text("t.rules", NULL, junk, sizeof(junk), errs, sizeof(errs));
		CHECK(rs == NULL);
	}
	/* Too many errors are capped with a count. */
	char *bad = malloc(200 * 10 + 100);
	n = 0;
	for (int i = 0; i < 200; i++)
		n += (size_t)sprintf(bad + n, "nonsense\n");
	rs = ruleset_load_text("t.rules", NULL, bad, n, errs, sizeof(errs));
	CHECK(rs == NULL);
	CHECK(strstr(errs, "more errors") != NULL);
	free(bad);
}

static void test_eval(void)
{
	char path[] = "/tmp/vroeg-test-list-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	fprintf(f, "# known clients\nh-000102030405060708090a0b0c0d0e0f\n\n"
		   "h-ffffffffffffffffffffffffffffffff  # trailing comment\n");
	fclose(f);

	char text[4096];
	snprintf(text, sizeof(text),
		 "ruleset \"t\" version \"2\"\n"
		 "set threshold = 75\nset threshold[Huur] = 150\n"
		 "set days_overdue = 30..\nset days_overdue[Zorg] = 30..100\n"
		 "set municipalities = [\"0344\", \"0345\"]\n"
		 "holiday \"2024-02-19\"\n"
		 "list known from \"%s\"\n"
		 "status bekend when household in known reason \"bekend bij team\"\n"
		 "status andere_reden when signal.amount == 13 reason \"test\"\n"
		 "priority crisis when signal.crisis due 3 working days\n"
		 "priority urgent when signal.partner in [Huur, \"CAK Zorgverzekeringen\"] due 2 weeks\n"
		 "priority normal due 28 days\n"
		 "score \"huur\" when Huur in case.partners points 30\n"
		 "score \"big\" when case.amount >= 1000 points case.amount / 100\n"
		 "score \"young\" when signal.age < 27 points 5\n"
		 "score \"old\" when not (signal.age < 67) points 7\n"
		 "score \"neg\" when case.amount[Huur] > 0 points -(2 * 3)\n"
		 "route bestaand when household in known\n"
		 "route jong when signal.age < 27\n"
		 "route default\n",
		 path);
	struct ruleset *rs = load(text);
	CHECK(rs != NULL);
	if (!rs) {
		fprintf(stderr, "%s\n", errs);
		return;
	}
	unlink(path);
	CHECK_STR(ruleset_name(rs), "t");
	CHECK_STR(ruleset_version(rs), "2");
	CHECK_INT(ruleset_threshold(rs, PARTNER_HUUR), 150);
	CHECK_INT(ruleset_threshold(rs, PARTNER_ZORG), 75);
	int lo, hi;
	ruleset_days_range(rs, PARTNER_ZORG, &lo, &hi);
	CHECK(lo == 30 && hi == 100);
	ruleset_days_range(rs, PARTNER_WATER, &lo, &hi);
	CHECK(lo == 30 && hi == -1);
	CHECK_INT(ruleset_n_municipalities(rs), 2);
	CHECK_STR(ruleset_municipality(rs, 1), "0345");

	struct hkey known = {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}}, other = {{7}};
	struct signal s = sig(PARTNER_HUUR, 1200, true);
	struct rules_ctx ctx = {&s, &other, NULL, NULL};
	const char *why;
	vr_date due;

	CHECK_INT(ruleset_status(rs, &ctx, &why), RSTATUS_NONE);
	ctx.household = &known;
	CHECK_INT(ruleset_status(rs, &ctx, &why), RSTATUS_BEKEND);
	CHECK_STR(why, "bekend bij team");
	ctx.household = &other;
	s.amount = 13;
	CHECK_INT(ruleset_status(rs, &ctx, &why), RSTATUS_ANDERE_REDEN);
	s.amount = 1200;

	/* Crisis: 3 working days from Thursday 02-15, skipping the weekend and
	 * the holiday on Monday 02-19: Fri 16, Tue 20, Wed 21. */
	CHECK_INT(ruleset_priority(rs, &ctx, &due), PRIO_CRISIS);
	CHECK_INT(due, date_from_ymd(2024, 2, 21));
	s.crisis = false;
	CHECK_INT(ruleset_priority(rs, &ctx, &due), PRIO_URGENT);
	CHECK_INT(due, date_from_ymd(2024, 2, 29));
	s.partner = PARTNER_CAK_ZORGVERZEKERINGEN;
	CHECK_INT(ruleset_priority(rs, &ctx, &due), PRIO_URGENT);
	s.partner = PARTNER_WATER;
	CHECK_INT(ruleset_priority(rs, &ctx, &due), PRIO_NORMAL);
	CHECK_INT(due, date_from_ymd(2024, 3, 14));

	/* Score a case: Huur 1200 + Water 300. */
	static struct case_rec c;
	memset(&c, 0, sizeof(c));
	c.n_orgs = 2;
	c.orgs[0] = (struct case_org){1, 1, PARTNER_HUUR, 1200};
	c.orgs[1] = (struct case_org){2, 2, PARTNER_WATER, 300};
	c.amount = 1500;
	ctx.kase = &c;
	ruleset_score(rs, &ctx, &c);
	/* huur 30 + big 15 + neg -6; age unknown: neither young nor old. */
	CHECK_INT(c.score, 39);
	CHECK_INT(c.n_rules, 3);
	CHECK_STR(ruleset_score_name(rs, c.rules[0].rule), "huur");
	CHECK_INT(c.rules[1].points, 15);
	CHECK_INT(c.rules[2].points, -6);
	CHECK_STR(ruleset_route(rs, &ctx), "default");
	s.client.birth = date_from_ymd(2000, 2, 16); /* 23 on 2024-02-15 */
	ruleset_score(rs, &ctx, &c);
	CHECK_INT(c.score, 44);
	CHECK_STR(ruleset_route(rs, &ctx), "jong");
	s.client.birth = date_from_ymd(1957, 2, 15); /* 67 that day */
	ruleset_score(rs, &ctx, &c);
	CHECK_INT(c.score, 46);
	ctx.household = &known;
	CHECK_STR(ruleset_route(rs, &ctx), "bestaand");
	ruleset_free(rs);

	/* The built-in rule set is rules/default.rules and loads clean. */
	rs = ruleset_load_default(errs, sizeof(errs));
	CHECK(rs != NULL);
	if (rs) {
		CHECK_STR(ruleset_name(rs), "default");
		CHECK_INT(ruleset_threshold(rs, PARTNER_HUUR), 75);
		CHECK_INT(ruleset_repeat_window(rs), 90);
		CHECK_INT(ruleset_matching_period(rs), 30);
		CHECK_INT(ruleset_consecutive_lookback(rs), 183);
	}
	ruleset_free(rs);
}

/* The national holidays by default; `set holidays`, `set liberation_day`,
 * and a crisis due date across Christmas. */
static void test_holidays(void)
{
	static const char *const texts[] = {
		"priority crisis due 3 working days\n",
		"set holidays = none\npriority crisis due 3 working days\n",
		"set liberation_day = lustrum\nholiday \"2024-12-27\"\n"
		"priority crisis due 3 working days\n",
	};
	struct ruleset *rs[3];
	for (int i = 0; i < 3; i++) {
		rs[i] = load(texts[i]);
		CHECK(rs[i] != NULL);
		if (!rs[i])
			return;
	}
	vr_date xmas = date_from_ymd(2024, 12, 25), lib26 = date_from_ymd(2026, 5, 5);
	CHECK(ruleset_is_holiday(rs[0], xmas) && !ruleset_is_holiday(rs[1], xmas));
	CHECK(ruleset_is_holiday(rs[0], lib26) && !ruleset_is_holiday(rs[2], lib26));
	CHECK(ruleset_is_holiday(rs[2], date_from_ymd(2025, 5, 5)));
	CHECK(ruleset_is_holiday(rs[2], date_from_ymd(2024, 12, 27))); /* its own */
	struct signal s = sig(PARTNER_ZORG, 100, true);
	s.signal_date = s.received = date_from_ymd(2024, 12, 24);
	struct hkey h = {{1}};
	struct rules_ctx ctx = {&s, &h, NULL, NULL};
	vr_date due;
	static const int want[3][3] = {{2024, 12, 31}, {2024, 12, 27}, {2025, 1, 2}};
	for (int i = 0; i < 3; i++) {
		CHECK_INT(ruleset_priority(rs[i], &ctx, &due), PRIO_CRISIS);
		CHECK_INT(due, date_from_ymd(want[i][0], want[i][1], want[i][2]));
	}
	/* Received later than signalled: counted from the receipt. */
	s.received = date_from_ymd(2025, 1, 3);
	CHECK_INT(ruleset_priority(rs[0], &ctx, &due), PRIO_CRISIS);
	CHECK_INT(due, date_from_ymd(2025, 1, 8));
	for (int i = 0; i < 3; i++)
		ruleset_free(rs[i]);
}

int main(void)
{
	test_errors();
	test_holidays();
	test_limits();
	test_eval();
	return harness_done();
}
