/*
 * gen_cli.c - the `vroeg gen` verb (gen.h): options, usage, the output file.
 *
 * It uses only gen.h, so it can move to engine/cmd; it is built into
 * vroeg_gen because tests/unit/test_gen.c calls gen_main() and links
 * vroeg_gen and vroeg_model only.
 */
#include "gen.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vr.h"

/* ---------------------------------------------------------------- CLI -- */

static const char gen_usage[] =
	"usage: vroeg gen --households N --months M --seed S [options]\n"
	"Writes realistic synthetic signals as JSONL (docs/formats.md).\n"
	"  --households N       households in the municipality (1-25000000)\n"
	"  --months M           months to generate (1-600)\n"
	"  --seed S             seed; the same options give the same output\n"
	"  --municipality CODE  4-digit CBS code (default 0344)\n"
	"  --start YYYY-MM-DD   first day of the first month (default 2024-01-01)\n"
	"  --with-taxes         add the yearly Gemeentebelastingen peak\n"
	"  --invalid FRACTION   share of deliberately invalid records, 0-1\n"
	"  --out FILE           write to FILE instead of standard output\n"
	"  -h, --help           show this help\n";

enum cli_opt {
	OPT_HOUSEHOLDS, OPT_MONTHS, OPT_SEED, OPT_MUNICIPALITY, OPT_START,
	OPT_INVALID, OPT_OUT, OPT__COUNT
};

static const char *const cli_names[OPT__COUNT] = {
	"--households", "--months", "--seed", "--municipality", "--start",
	"--invalid", "--out"};

struct cli {
	struct gen_opts o;
	const char *out;
	bool seen[OPT__COUNT];
};

static int cli_fail(const char *what, const char *arg)
{
	fprintf(stderr, "vroeg gen: %s%s%s%s\n%s", what, arg ? " '" : "",
		arg ? arg : "", arg ? "'" : "", gen_usage);
	return 2;
}

static bool parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	char *end;
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static bool parse_fraction(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0 && v <= 1))
		return false;
	*out = v;
	return true;
}

static int cli_set(struct cli *c, enum cli_opt k, const char *v)
{
	static const char *const want[OPT__COUNT] = {
		"a number from 1 to 25000000", "a number from 1 to 600",
		"a non-negative integer", "a 4-digit CBS code",
		"a date YYYY-MM-DD", "a fraction from 0 to 1", "a file name"};
	char msg[96];
	uint64_t n = 0;
	bool ok = false;

	c->seen[k] = true;
	switch (k) {
	case OPT_HOUSEHOLDS:
		ok = parse_u64(v, 1, GEN_HOUSEHOLDS_MAX, &n);
		c->o.households = (long)n;
		break;
	case OPT_MONTHS:
		ok = parse_u64(v, 1, GEN_MONTHS_MAX, &n);
		c->o.months = (int)n;
		break;
	case OPT_SEED: ok = parse_u64(v, 0, UINT64_MAX, &c->o.seed); break;
	case OPT_MUNICIPALITY:
		if ((ok = gen_code_is_valid(v)))
			memcpy(c->o.municipality, v, 5);
		break;
	case OPT_START: ok = date_parse(v, strlen(v), &c->o.start) == VR_OK; break;
	case OPT_INVALID: ok = parse_fraction(v, &c->o.invalid_fraction); break;
	case OPT_OUT: ok = (c->out = v)[0] != '\0'; break;
	case OPT__COUNT: break;
	}
	if (ok)
		return 0;
	snprintf(msg, sizeof(msg), "%s needs %s, got", cli_names[k], want[k]);
	return cli_fail(msg, v);
}

/* "--name value" or "--name=value": 1 and *val set, 0 no match, -1 no value. */
static int cli_value(int argc, char **argv, int *i, const char *name,
		     const char **val)
{
	const char *a = argv[*i];
	size_t n = strlen(name);
	if (strncmp(a, name, n) != 0 || (a[n] != '\0' && a[n] != '='))
		return 0;
	if (a[n] == '=') {
		*val = a + n + 1;
		return 1;
	}
	if (*i + 1 >= argc)
		return -1;
	*val = argv[++*i];
	return 1;
}

/* Returns 0 to go on, 2 for a bad option, -1 when help was printed. */
static int cli_parse(struct cli *c, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		int k, r = 0;
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(gen_usage, stdout);
			return -1;
		}
		if (strcmp(a, "--with-taxes") == 0) {
			c->o.with_taxes = true;
			continue;
		}
		for (k = 0; k < OPT__COUNT && r == 0; k++)
			r = cli_value(argc, argv, &i, cli_names[k], &v);
		if (r < 0)
			return cli_fail("missing value for", a);
		if (r == 0)
			return cli_fail("unknown option", a);
		if (cli_set(c, (enum cli_opt)(k - 1), v))
			return 2;
	}
	for (int k = 0; k <= OPT_SEED; k++)
		if (!c->seen[k])
			return cli_fail("missing required option", cli_names[k]);
	return 0;
}

int gen_main(int argc, char **argv)
{
	struct cli c;
	char err[256];
	FILE *f = stdout;
	int rc;

	memset(&c, 0, sizeof(c));
	gen_opts_init(&c.o);
	rc = cli_parse(&c, argc, argv);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (gen_opts_check(&c.o, err, sizeof(err)))
		return cli_fail(err, NULL);
	if (c.out && strcmp(c.out, "-") != 0) {
		f = fopen(c.out, "w");
		if (!f) {
			fprintf(stderr, "vroeg gen: cannot open '%s': %s\n", c.out,
				strerror(errno));
			return 1;
		}
		setvbuf(f, NULL, _IOFBF, 1 << 20);
	}
	rc = gen_run(&c.o, f, err, sizeof(err));
	if ((f == stdout ? fflush(f) : fclose(f)) != 0 && rc == VR_OK) {
		rc = VR_EIO;
		snprintf(err, sizeof(err), "write failed: %s", strerror(errno));
	}
	if (rc) {
		fprintf(stderr, "vroeg gen: %s\n", err);
		return rc == VR_EINVAL ? 2 : 1;
	}
	return 0;
}
