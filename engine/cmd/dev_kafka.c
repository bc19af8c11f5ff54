/*
 * dev_kafka.c - `vroeg dev-kafka`: the Kafka mock cluster alone, for kcat
 * and tests.  Prints the bootstrap servers, then reads commands on stdin
 * (see dev_usage()).
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "kafka_dev.h"


static volatile sig_atomic_t dev_stop;

static void dev_on_signal(int sig)
{
	(void)sig;
	dev_stop = 1;
}

static void dev_usage(FILE *f)
{
	fputs("usage: vroeg dev-kafka [--brokers N] [--partitions P]\n"
	      "Runs a Kafka mock cluster (librdkafka) on 127.0.0.1 with the partner\n"
	      "topics (P partitions each, default 2), signals.dlq and feedback.<type>,\n"
	      "prints its bootstrap servers on the first line of stdout and runs until\n"
	      "SIGTERM/SIGINT or the command \"quit\".  Commands on stdin, one per line,\n"
	      "each answered \"ok\" or \"error ...\":\n"
	      "  topic NAME PARTITIONS   create a topic\n"
	      "  down BROKER | up BROKER take a broker (1..N) down or up again\n"
	      "  produce-errors N CODE   fail the next N produce requests with CODE\n"
	      "  quit\n",
	      f);
}

static void dev_command(struct kafka_dev *d, char *line, int brokers)
{
	char name[256], err[256];
	int a, b;
	line[strcspn(line, "\r\n")] = '\0';
	if (sscanf(line, "topic %255s %d", name, &a) == 2 && a > 0 && a <= 1000) {
		if (kafka_dev_topic(d, name, a, err, sizeof(err)))
			printf("error %s\n", err);
		else
			printf("ok\n");
	} else if (sscanf(line, "down %d", &a) == 1 && a >= 1 && a <= brokers) {
		kafka_dev_broker(d, a, false);
		printf("ok\n");
	} else if (sscanf(line, "up %d", &a) == 1 && a >= 1 && a <= brokers) {
		kafka_dev_broker(d, a, true);
		printf("ok\n");
	} else if (sscanf(line, "produce-errors %d %d", &a, &b) == 2 && a > 0 && a <= 1000) {
		/* The next a Produce requests fail with error code b. */
		kafka_dev_produce_errors(d, a, b);
		printf("ok\n");
	} else if (strcmp(line, "quit") == 0) {
		dev_stop = 1;
		printf("ok\n");
	} else if (line[0]) {
		printf("error unknown command\n");
	}
	fflush(stdout);
}

int dev_kafka_main(int argc, char **argv)
{
	int brokers = 1, partitions = 2;
	char err[256];
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--brokers") == 0 && i + 1 < argc) {
			brokers = atoi(argv[++i]);
		} else if (strcmp(argv[i], "--partitions") == 0 && i + 1 < argc) {
			partitions = atoi(argv[++i]);
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			dev_usage(stdout);
			return 0;
		} else {
			dev_usage(stderr);
			return 2;
		}
	}
	if (brokers < 1 || brokers > 9 || partitions < 1 || partitions > 100) {
		fprintf(stderr, "vroeg dev-kafka: --brokers 1..9, --partitions 1..100\n");
		return 2;
	}
	struct kafka_dev *d = kafka_dev_start(brokers, err, sizeof(err));
	if (!d) {
		fprintf(stderr, "vroeg dev-kafka: %s\n", err);
		return 1;
	}
	if (demo_create_topics(d, partitions, err, sizeof(err))) {
		fprintf(stderr, "vroeg dev-kafka: cannot create the topics: %s\n", err);
		kafka_dev_free(d);
		return 1;
	}
	struct sigaction sa = {0};
	sa.sa_handler = dev_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	printf("%s\n", kafka_dev_bootstraps(d));
	fflush(stdout);

	char line[512];
	bool eof = false;
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	while (!dev_stop) {
		if (eof) {
			/* Wait for a signal without missing one that came just now. */
			sigprocmask(SIG_BLOCK, &block, &old);
			if (!dev_stop)
				sigsuspend(&old);
			sigprocmask(SIG_SETMASK, &old, NULL);
			continue;
		}
		if (!fgets(line, sizeof(line), stdin)) {
			if (errno == EINTR && !feof(stdin)) {
				clearerr(stdin);
				continue;
			}
			eof = true;
			continue;
		}
		dev_command(d, line, brokers);
	}
	kafka_dev_free(d);
	return 0;
}
