/*
 * main.c - the vroeg command: one program, several verbs.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "gen.h"
#include "pseudo_cli.h"
#include "replay.h"
#include "rules_cli.h"
#include "store_redis.h"

#define VROEG_VERSION "0.1.0"

static void usage(FILE *f)
{
	fputs("vroeg " VROEG_VERSION " - vroegsignalering van schulden: signals in, "
	      "prioritised follow-up out\n\n"
	      "usage: vroeg <command> [options]\n\n"
	      "commands:\n"
	      "  run      the streaming service: partner topics in (run -c FILE)\n"
	      "  demo     the whole service on an embedded Kafka mock cluster, no servers\n"
	      "  dev-kafka  a local Kafka mock cluster for trying and testing\n"
	      "  queue    the team queues in the service's store\n"
	      "  outcome  hand the teams' outcomes (contact attempts, resultaat) to the service\n"
	      "  replay   decide historic signals (JSONL) deterministically\n"
	      "  gen      generate realistic synthetic signals\n"
	      "  rules    check rule files (rules check FILE...)\n"
	      "  pseudo   pseudonyms of addresses or BSNs, for known-client lists\n"
	      "  version  print the version\n\n"
	      "`vroeg <command> --help` describes a command's options.\n",
	      f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	store_redis_register();
	if (strcmp(cmd, "demo") == 0)
		return demo_main(argc - 1, argv + 1);
	if (strcmp(cmd, "dev-kafka") == 0)
		return dev_kafka_main(argc - 1, argv + 1);
	if (strcmp(cmd, "run") == 0)
		return run_main(argc - 1, argv + 1);
	if (strcmp(cmd, "queue") == 0)
		return queue_main(argc - 1, argv + 1);
	if (strcmp(cmd, "outcome") == 0)
		return outcome_main(argc - 1, argv + 1);
	if (strcmp(cmd, "replay") == 0)
		return replay_main(argc - 1, argv + 1);
	if (strcmp(cmd, "gen") == 0)
		return gen_main(argc - 1, argv + 1);
	if (strcmp(cmd, "rules") == 0)
		return rules_main(argc - 1, argv + 1);
	if (strcmp(cmd, "pseudo") == 0)
		return pseudo_main(argc - 1, argv + 1);
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
		puts("vroeg " VROEG_VERSION);
		return 0;
	}
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "vroeg: unknown command \"%s\"\n\n", cmd);
	usage(stderr);
	return 2;
}
