/*
 * run.c - the `vroeg run` verb: options, the config file and its
 * environment overrides, then the service (engine/svc) or its check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "demo_data.h"
#include "keyfile.h"
#include "log.h"
#include "service.h"

int run_main(int argc, char **argv);

static void usage(FILE *f)
{
	fputs("usage: vroeg run -c FILE [--check] [--stop-at-end] [--max-seconds S]\n"
	      "  -c FILE          config file (docs/connectors.md); VROEG_<SECTION>_<KEY>\n"
	      "                   environment variables override its values\n"
	      "  --check          check the config and rule file, then exit\n"
	      "  --keys           list every config key with its default, then exit\n"
	      "  --stop-at-end    stop when every partition is read to its end (tests,\n"
	      "                   one-off catch-up runs)\n"
	      "  --max-seconds S  stop after S seconds\n"
	      "SIGTERM/SIGINT finish the batch in hand, commit and stop; SIGHUP reloads\n"
	      "the rule file.\n",
	      f);
}

extern char **environ;

/* The demo key, as a key file holding it decodes: public, so refused. */
static unsigned char demo_key[32];
static struct run_key public_keys[2];

static const struct run_key *known_public_keys(void)
{
	for (const struct demo_file *f = demo_files; f->name; f++)
		if (strcmp(f->name, "demo.key") == 0 && f->len >= 64 &&
		    hex_decode(f->data, sizeof(demo_key), demo_key) == 0)
			public_keys[0] = (struct run_key){demo_key, sizeof(demo_key)};
	return public_keys;
}

/* 0 to go on, else the exit code + 1. */
static int parse_args(int argc, char **argv, const char **path, bool *check,
		      struct run_opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if ((strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) && i + 1 < argc) {
			*path = argv[++i];
		} else if (strcmp(a, "--stop-at-end") == 0) {
			o->stop_at_end = true;
		} else if (strcmp(a, "--check") == 0) {
			*check = true;
		} else if (strcmp(a, "--keys") == 0) {
			conf_print_keys(stdout, run_conf_tables());
			return 1;
		} else if (strcmp(a, "--max-seconds") == 0 && i + 1 < argc) {
			char *end;
			o->max_seconds = strtod(argv[++i], &end);
			if (*end || o->max_seconds <= 0) {
				fprintf(stderr, "vroeg run: --max-seconds needs a positive number\n");
				return 3;
			}
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 1;
		} else {
			fprintf(stderr, "vroeg run: unknown option %s\n", a);
			usage(stderr);
			return 3;
		}
	}
	if (!*path) {
		fprintf(stderr, "vroeg run: no config file (-c FILE)\n");
		usage(stderr);
		return 3;
	}
	return 0;
}

int run_main(int argc, char **argv)
{
	const char *path = NULL;
	struct run_opts o = {.public_keys = known_public_keys()};
	bool check = false;
	char err[1024];

	int stop = parse_args(argc, argv, &path, &check, &o);
	if (stop)
		return stop - 1;
	struct conf *c = conf_load(path, err, sizeof(err));
	if (!c || conf_apply_env_keys(c, environ, run_conf_tables(), err, sizeof(err))) {
		vlog(LOG_ERROR, "%s", err);
		conf_free(c);
		return 1;
	}
	int rc;
	if (check) {
		rc = run_check(c, &o, err, sizeof(err));
		if (rc)
			vlog(LOG_ERROR, "%s", err);
		else
			printf("%s: ok\n", path);
	} else {
		struct run_result res;
		rc = run_service(c, &o, &res);
	}
	conf_free(c);
	return rc ? 1 : 0;
}
