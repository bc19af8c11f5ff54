/*
 * pseudo_cli.c - `vroeg pseudo`: pseudonyms for lists of known households.
 *
 * A municipality's lists (known to schuldhulpverlening, exclusion list) must
 * hold the same pseudonyms the engine computes.  This reads one identity per
 * line on stdin, "POSTCODE HUISNUMMER [TOEVOEGING]" or a 9-digit BSN, and
 * prints its pseudonym, so the list never holds an address or BSN itself.
 */
#include <stdio.h>
#include <string.h>

#include "pseudo.h"
#include "pseudo_cli.h"
#include "signal.h"

static int usage(void)
{
	fputs("usage: vroeg pseudo --key-file PATH < identities.txt > list.txt\n"
	      "  one identity per line: \"3511AB 12 A\" (postcode huisnummer [toevoeging])\n"
	      "  or a BSN; prints the household pseudonym (h-...) of each, in order\n",
	      stderr);
	return 2;
}

/* Parse one line into a client, as the signal validator would. */
static int parse_identity(char *line, struct sig_client *c)
{
	char *tok[4] = {0};
	int n = 0;
	memset(c, 0, sizeof(*c));
	for (char *t = strtok(line, " \t\r\n"); t && n < 4; t = strtok(NULL, " \t\r\n"))
		tok[n++] = t;
	if (n == 1 && strlen(tok[0]) == 9 && sig_bsn_is_valid(tok[0])) {
		memcpy(c->bsn, tok[0], 10);
		return 0;
	}
	/* "3511 AB 12" splits the postcode; join it back. */
	char pc[16];
	int at = 0;
	if (n >= 2 && strlen(tok[0]) == 4 && strlen(tok[1]) == 2) {
		snprintf(pc, sizeof(pc), "%s%s", tok[0], tok[1]);
		at = 2;
	} else if (n >= 1) {
		snprintf(pc, sizeof(pc), "%.15s", tok[0]);
		at = 1;
	}
	if (at == 0 || at >= n || sig_postcode_normalise(pc, c->postcode) != 0)
		return -1;
	const char *nr = tok[at], *toev = at + 1 < n ? tok[at + 1] : "";
	size_t ln = strlen(nr);
	if (ln < 1 || ln > 5 || strspn(nr, "0123456789") != ln || nr[0] == '0')
		return -1;
	memcpy(c->huisnummer, nr, ln + 1);
	size_t k = 0;
	for (const char *p = toev; *p; p++) {
		if (*p == '-')
			continue;
		if (k == 4 || !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
				(*p >= '0' && *p <= '9')))
			return -1;
		c->toevoeging[k++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
	}
	return 0;
}

int pseudo_main(int argc, char **argv)
{
	char err[256], line[256], out[HKEY_STRLEN];
	const char *key = NULL;
	int bad = 0, ln = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--key-file") && i + 1 < argc)
			key = argv[++i];
		else
			return usage();
	}
	if (!key)
		return usage();
	struct pseudo *ps = pseudo_new_file(key, err, sizeof(err));
	if (!ps) {
		fprintf(stderr, "vroeg pseudo: %s\n", err);
		return 1;
	}
	while (fgets(line, sizeof(line), stdin)) {
		struct sig_client c;
		struct hkey h;
		ln++;
		if (line[strspn(line, " \t\r\n")] == '\0' || line[0] == '#')
			continue;
		if (parse_identity(line, &c) != 0) {
			/* Never echo the line: it is an address or a BSN. */
			fprintf(stderr, "vroeg pseudo: line %d: not a postcode + huisnummer or a "
					"valid BSN\n", ln);
			bad = 1;
			continue;
		}
		pseudo_household(ps, &c, &h);
		puts(hkey_format(&h, out));
	}
	pseudo_free(ps);
	return bad;
}
