/* cli.c - `vroeg rules check FILE...`: static check of rule files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "rules_cli.h"

#define ERRBUF (64u << 10)

static int check(const char *path, char *errs)
{
	struct ruleset *rs = ruleset_load_file(path, errs, ERRBUF);
	if (!rs) {
		fprintf(stderr, "%s\n", errs);
		return 1;
	}
	printf("%s: ok: rule set \"%s\" version \"%s\", %zu score rules\n", path,
	       ruleset_name(rs), ruleset_version(rs), ruleset_n_scores(rs));
	ruleset_free(rs);
	return 0;
}

int rules_main(int argc, char **argv)
{
	if (argc < 3 || strcmp(argv[1], "check") != 0) {
		fprintf(stderr, "usage: vroeg rules check FILE...\n"
				"  parse and type-check rule files; errors as file:line:col: message\n");
		return 2;
	}
	char *errs = malloc(ERRBUF);
	int bad = 0;
	if (!errs)
		return 1;
	for (int i = 2; i < argc; i++)
		bad |= check(argv[i], errs);
	free(errs);
	return bad;
}
