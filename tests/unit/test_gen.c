/* test_gen.c - the synthetic signal generator: determinism, rates, mix, validity. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gen.h"
#include "harness.h"
#include "signal.h"
#include "vr.h"

#define MONTHS_MAX 24

struct stats {
	long lines, valid, rejected, bad_bsn, out_of_order;
	long partner[PARTNER__COUNT];
	long month[MONTHS_MAX];    /* valid signals per month, taxes excluded */
	long gb_month[MONTHS_MAX]; /* Gemeentebelastingen per month */
	long reject[REJ__COUNT];
};

static char *gen_to_mem(const struct gen_opts *o, size_t *len)
{
	char *buf = NULL, err[256] = "";
	FILE *f = open_memstream(&buf, len);
	if (!f)
		return NULL;
	int rc = gen_run(o, f, err, sizeof(err));
	fclose(f);
	if (rc != VR_OK) {
		fprintf(stderr, "gen_run: %s\n", err);
		free(buf);
		return NULL;
	}
	return buf;
}

static int month_index(vr_date start, vr_date d)
{
	int sy, sm, sd, y, m, dd;
	date_to_ymd(start, &sy, &sm, &sd);
	date_to_ymd(d, &y, &m, &dd);
	return (y - sy) * 12 + (m - sm);
}

static void stats_line(struct stats *st, const char *line, size_t len,
		       vr_date start, vr_date *prev)
{
	static struct signal s;
	struct sig_error e;

	st->lines++;
	if (sig_parse(line, len, VR_DATE_NONE, &s, &e) != VR_OK) {
		st->rejected++;
		st->reject[e.code]++;
		return;
	}
	st->valid++;
	st->partner[s.partner]++;
	if (s.signal_date < *prev)
		st->out_of_order++;
	*prev = s.signal_date;
	if (s.client.bsn[0] && !sig_bsn_is_valid(s.client.bsn))
		st->bad_bsn++;
	int mi = month_index(start, s.signal_date);
	if (mi >= 0 && mi < MONTHS_MAX) {
		if (s.partner == PARTNER_GEMEENTEBELASTINGEN)
			st->gb_month[mi]++;
		else
			st->month[mi]++;
	}
}

static void stats_collect(struct stats *st, const char *buf, size_t len,
			  vr_date start)
{
	vr_date prev = VR_DATE_NONE;
	const char *p = buf, *end = buf + len;
	memset(st, 0, sizeof(*st));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		stats_line(st, p, n, start, &prev);
		p += n + 1;
	}
}

static double share(const struct stats *st, enum sig_partner p)
{
	return st->valid ? (double)st->partner[p] / (double)st->valid : 0;
}

static void test_defaults(void)
{
	struct gen_opts o;
	gen_opts_init(&o);
	CHECK_STR(o.municipality, "0344");
	CHECK_INT(o.start, date_from_ymd(2024, 1, 1));
	CHECK(!o.with_taxes);
	CHECK(o.invalid_fraction == 0);
	CHECK(o.households > 0 && o.months > 0);
}

static void test_determinism(void)
{
	struct gen_opts o;
	size_t la = 0, lb = 0, lc = 0;
	gen_opts_init(&o);
	o.households = 5000;
	o.months = 6;
	o.seed = 42;
	char *a = gen_to_mem(&o, &la), *b = gen_to_mem(&o, &lb);
	o.seed = 43;
	char *c = gen_to_mem(&o, &lc);
	CHECK(a && b && c);
	if (a && b && c) {
		CHECK(la > 0);
		CHECK(la == lb && memcmp(a, b, la) == 0);
		CHECK(la != lc || memcmp(a, c, la) != 0);
	}
	free(a);
	free(b);
	free(c);
}

/* Rate, mix, the March peak, validity, BSNs and order on one year. */
static void test_year(void)
{
	struct gen_opts o;
	struct stats st;
	size_t len = 0;
	gen_opts_init(&o);
	o.households = 50000;
	o.months = 12;
	o.seed = 7;
	char *buf = gen_to_mem(&o, &len);
	CHECK(buf != NULL);
	if (!buf)
		return;
	stats_collect(&st, buf, len, o.start);
	double expect = 50000 * 2.2 * 4.4 / 1000 * 12;
	CHECK(st.lines > expect * 0.9 && st.lines < expect * 1.1);
	CHECK_INT(st.rejected, 0);
	CHECK_INT(st.valid, st.lines);
	CHECK_INT(st.bad_bsn, 0);
	CHECK_INT(st.out_of_order, 0);
	CHECK(share(&st, PARTNER_ZORG) > 0.38 && share(&st, PARTNER_ZORG) < 0.44);
	CHECK(share(&st, PARTNER_HUUR) > 0.17 && share(&st, PARTNER_HUUR) < 0.23);
	CHECK(share(&st, PARTNER_ENERGIE) > 0.17 && share(&st, PARTNER_ENERGIE) < 0.23);
	CHECK(share(&st, PARTNER_WATER) > 0.15 && share(&st, PARTNER_WATER) < 0.21);
	CHECK_INT(st.partner[PARTNER_GEMEENTEBELASTINGEN], 0);
	double avg = (double)st.valid / 12;
	CHECK(st.month[2] > avg * 1.1); /* March */
	for (int m = 0; m < 12; m++)
		CHECK(st.month[m] > avg * 0.8 && st.month[m] < avg * 1.4);
	free(buf);
}

/* Each line that differs from the clean run is invalid and rejected. */
static void test_invalid(void)
{
	struct gen_opts o;
	struct stats st;
	size_t lc = 0, lb = 0;
	gen_opts_init(&o);
	o.households = 20000;
	o.seed = 9;
	char *clean = gen_to_mem(&o, &lc);
	o.invalid_fraction = 0.1;
	char *bad = gen_to_mem(&o, &lb);
	CHECK(clean && bad);
	if (!clean || !bad)
		goto out;
	stats_collect(&st, bad, lb, o.start);
	CHECK(st.lines > 1000);
	double f = (double)st.rejected / (double)st.lines;
	CHECK(f > 0.08 && f < 0.12);
	int kinds = 0;
	for (int r = 0; r < REJ__COUNT; r++)
		kinds += st.reject[r] > 0;
	CHECK(kinds >= 10);
	CHECK(st.reject[REJ_BSN] > 0 && st.reject[REJ_NOT_UTF8] > 0);
	CHECK(st.reject[REJ_JSON] > 0 && st.reject[REJ_DATE_ORDER] > 0);
	CHECK_INT(st.out_of_order, 0);

	long differ = 0, wrong = 0;
	const char *p = clean, *q = bad, *pe = clean + lc, *qe = bad + lb;
	while (p < pe && q < qe) {
		const char *pn = memchr(p, '\n', (size_t)(pe - p));
		const char *qn = memchr(q, '\n', (size_t)(qe - q));
		if (!pn || !qn)
			break;
		size_t n = (size_t)(pn - p), m = (size_t)(qn - q);
		bool same = n == m && memcmp(p, q, n) == 0;
		struct signal s;
		struct sig_error e;
		bool ok = sig_parse(q, m, VR_DATE_NONE, &s, &e) == VR_OK;
		differ += !same;
		wrong += same != ok;
		p = pn + 1;
		q = qn + 1;
	}
	CHECK(p == pe && q == qe);
	CHECK_INT(differ, st.rejected);
	CHECK_INT(wrong, 0);
out:
	free(clean);
	free(bad);
}

static void test_taxes(void)
{
	struct gen_opts o;
	struct stats st;
	size_t len = 0;
	gen_opts_init(&o);
	o.households = 30000;
	o.seed = 11;
	o.with_taxes = true;
	char *buf = gen_to_mem(&o, &len);
	CHECK(buf != NULL);
	if (!buf)
		return;
	stats_collect(&st, buf, len, o.start);
	CHECK_INT(st.rejected, 0);
	CHECK_INT(st.out_of_order, 0);
	long total = st.partner[PARTNER_GEMEENTEBELASTINGEN], peak = 0, others = 0;
	for (int m = 0; m < 12; m++) {
		peak = st.gb_month[m] > peak ? st.gb_month[m] : peak;
		others += st.month[m];
	}
	CHECK(total > 0);
	CHECK(peak > total / 2);                 /* one month holds most */
	CHECK(peak > others / 12 / 2);           /* a month's worth, roughly */
	CHECK(peak < others / 12 * 2);
	free(buf);
}

/* Adding the tax source adds its lines and leaves every other line alone. */
static void test_taxes_only_add(void)
{
	struct gen_opts o;
	size_t lp = 0, lt = 0, kept = 0;
	gen_opts_init(&o);
	o.households = 10000;
	o.seed = 12;
	char *plain = gen_to_mem(&o, &lp);
	o.with_taxes = true;
	char *taxed = gen_to_mem(&o, &lt);
	char *filtered = malloc(lt + 1);
	CHECK(plain && taxed && filtered);
	if (!plain || !taxed || !filtered)
		goto out;
	for (const char *p = taxed, *nl; p < taxed + lt; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(taxed + lt - p));
		size_t n = (size_t)(nl - p) + 1;
		char save = *nl;
		*(char *)nl = '\0';
		bool gb = strstr(p, "\"type\":\"Gemeentebelastingen\"") != NULL;
		*(char *)nl = save;
		if (!gb) {
			memcpy(filtered + kept, p, n);
			kept += n;
		}
	}
	CHECK(lt > lp);
	CHECK(kept == lp && memcmp(filtered, plain, lp) == 0);
out:
	free(plain);
	free(taxed);
	free(filtered);
}

/* A redelivery repeats a line exactly; otherwise IDs are unique per org. */
struct idline {
	char key[SIG_ORG_MAX + SIG_ID_MAX + 2];
	const char *line;
	size_t len;
};

static int idline_cmp(const void *a, const void *b)
{
	return strcmp(((const struct idline *)a)->key, ((const struct idline *)b)->key);
}

static void test_ids(void)
{
	struct gen_opts o;
	size_t len = 0, n = 0;
	gen_opts_init(&o);
	o.households = 20000;
	o.seed = 5;
	char *buf = gen_to_mem(&o, &len);
	struct idline *ids = calloc(len / 100 + 1, sizeof(*ids));
	CHECK(buf && ids);
	if (!buf || !ids)
		goto out;
	for (const char *p = buf, *nl; p < buf + len; p = nl + 1) {
		static struct signal s;
		struct sig_error e;
		nl = memchr(p, '\n', (size_t)(buf + len - p));
		if (sig_parse(p, (size_t)(nl - p), VR_DATE_NONE, &s, &e) == VR_OK) {
			snprintf(ids[n].key, sizeof(ids[n].key), "%s|%s", s.partner_org, s.id);
			ids[n].line = p;
			ids[n++].len = (size_t)(nl - p);
		}
	}
	qsort(ids, n, sizeof(*ids), idline_cmp);
	long dups = 0, clashes = 0;
	for (size_t i = 1; i < n; i++) {
		if (strcmp(ids[i].key, ids[i - 1].key) != 0)
			continue;
		dups++;
		clashes += ids[i].len != ids[i - 1].len ||
			   memcmp(ids[i].line, ids[i - 1].line, ids[i].len) != 0;
	}
	CHECK(dups > 0 && dups < (long)n / 50);
	CHECK_INT(clashes, 0);
out:
	free(ids);
	free(buf);
}

static void test_bad_options(void)
{
	struct gen_opts o;
	char err[128];
	gen_opts_init(&o);
	o.households = 0;
	CHECK_INT(gen_run(&o, stdout, err, sizeof(err)), VR_EINVAL);
	gen_opts_init(&o);
	o.start = date_from_ymd(2024, 1, 15);
	CHECK_INT(gen_run(&o, stdout, err, sizeof(err)), VR_EINVAL);
	gen_opts_init(&o);
	memcpy(o.municipality, "03a4", 5);
	CHECK_INT(gen_run(&o, stdout, err, sizeof(err)), VR_EINVAL);
	gen_opts_init(&o);
	o.invalid_fraction = 1.5;
	CHECK_INT(gen_run(&o, stdout, err, sizeof(err)), VR_EINVAL);
}

static void test_cli(void)
{
	char path[] = "/tmp/test_gen_XXXXXX";
	char *ok[] = {"gen", "--households", "300", "--months", "2", "--seed=4",
		      "--out", path};
	char *words[] = {"gen", "--households", "many", "--months", "2", "--seed",
			 "1"};
	char *missing[] = {"gen", "--months", "2", "--seed", "1"};
	char *unknown[] = {"gen", "--households", "3", "--months", "2", "--seed",
			   "1", "--bogus"};
	char *date[] = {"gen", "--households", "3", "--months", "2", "--seed", "1",
			"--start", "2024-02-30"};
	char *io[] = {"gen", "--households", "3", "--months", "1", "--seed", "1",
		      "--out", "/nonexistent/dir/x.jsonl"};
	char line[1024];
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	close(fd);
	CHECK_INT(gen_main((int)VR_ARRAY_LEN(ok), ok), 0);
	CHECK_INT(gen_main((int)VR_ARRAY_LEN(words), words), 2);
	CHECK_INT(gen_main((int)VR_ARRAY_LEN(missing), missing), 2);
	CHECK_INT(gen_main((int)VR_ARRAY_LEN(unknown), unknown), 2);
	CHECK_INT(gen_main((int)VR_ARRAY_LEN(date), date), 2);
	CHECK_INT(gen_main((int)VR_ARRAY_LEN(io), io), 1);
	FILE *f = fopen(path, "r");
	CHECK(f != NULL);
	if (f) {
		CHECK(fgets(line, sizeof(line), f) != NULL);
		CHECK(strncmp(line, "{\"ID\":", 6) == 0);
		fclose(f);
	}
	remove(path);
}

int main(void)
{
	test_defaults();
	test_determinism();
	test_year();
	test_invalid();
	test_taxes();
	test_taxes_only_add();
	test_ids();
	test_bad_options();
	test_cli();
	return harness_done();
}
