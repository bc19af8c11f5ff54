/*
 * demo.c - `vroeg demo` and `vroeg dev-kafka`.
 *
 * Both start librdkafka's mock cluster in this process: real Kafka-protocol
 * brokers on 127.0.0.1 ports, without a server to install.
 *
 * demo: creates the partner topics, produces the bundled sample signals of
 * every partner type in that partner's own format (a housing corporation's
 * CSV, an energy company's JSON, canonical JSON for the rest), runs the
 * real service (run.c: connector, engine, memory store) over them until
 * every partition is read, and prints what a debt-help team would see.
 *
 * dev-kafka: the mock cluster alone, for kcat and tests.  Prints the
 * bootstrap servers, then reads commands on stdin (see usage()).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "cmd.h"
#include "conf.h"
#include "demo_data.h"
#include "keyfile.h"
#include "log.h"
#include "pseudo.h"
#include "service.h"
#include "signal.h"
#include "summary.h"
#include "vr.h"


static const char *const partner_topics[] = {"signals.huur", "signals.energie",
					     "signals.water", "signals.zorg",
					     "signals.gemeentebelastingen"};

static const struct demo_file *demo_file(const char *name)
{
	for (const struct demo_file *f = demo_files; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

/* A mock cluster of n brokers, owned by a producer handle that is also
 * its client (test.mock.num.brokers), to produce the sample data; the
 * cluster goes with the handle's rd_kafka_destroy(). */
static rd_kafka_t *mock_start(int brokers, rd_kafka_mock_cluster_t **mc, char *err, size_t n)
{
	char e[256], nb[8];
	rd_kafka_conf_t *kc = rd_kafka_conf_new();
	snprintf(nb, sizeof(nb), "%d", brokers);
	if (rd_kafka_conf_set(kc, "log_level", "3", e, sizeof(e)) != RD_KAFKA_CONF_OK ||
	    rd_kafka_conf_set(kc, "test.mock.num.brokers", nb, e, sizeof(e)) !=
		    RD_KAFKA_CONF_OK) {
		snprintf(err, n, "%s", e);
		rd_kafka_conf_destroy(kc);
		return NULL;
	}
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, kc, e, sizeof(e));
	if (!rk) {
		snprintf(err, n, "kafka: %s", e);
		rd_kafka_conf_destroy(kc);
		return NULL;
	}
	if (!(*mc = rd_kafka_handle_mock_cluster(rk))) {
		snprintf(err, n, "cannot start the Kafka mock cluster");
		rd_kafka_destroy(rk);
		return NULL;
	}
	return rk;
}

/* The partner topics, the dead-letter topic and a feedback topic per type. */
static int create_topics(rd_kafka_mock_cluster_t *mc, int partitions)
{
	char t[64], slug[48];
	for (size_t i = 0; i < VR_ARRAY_LEN(partner_topics); i++)
		if (rd_kafka_mock_topic_create(mc, partner_topics[i], partitions, 1))
			return VR_EIO;
	if (rd_kafka_mock_topic_create(mc, "signals.dlq", 1, 1))
		return VR_EIO;
	for (int p = 0; p < PARTNER__COUNT; p++) {
		sig_partner_slug((enum sig_partner)p, slug, sizeof(slug));
		snprintf(t, sizeof(t), "feedback.%s", slug);
		if (rd_kafka_mock_topic_create(mc, t, 1, 1))
			return VR_EIO;
	}
	return VR_OK;
}

static int produce(rd_kafka_t *rk, const char *topic, const char *data, size_t len)
{
	rd_kafka_resp_err_t err;
	do {
		err = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic),
					RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
					RD_KAFKA_V_VALUE((void *)data, len), RD_KAFKA_V_END);
		if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL)
			rd_kafka_poll(rk, 50);
	} while (err == RD_KAFKA_RESP_ERR__QUEUE_FULL);
	return err ? VR_EIO : VR_OK;
}

/* Each line of a sample file is one message; a CSV file's first line is
 * its header, which every message repeats (one record per message). */
static int produce_file(rd_kafka_t *rk, const char *topic, const struct demo_file *f,
			unsigned long *count)
{
	const char *p = f->data, *end = f->data + f->len;
	const char *header = NULL;
	size_t hlen = 0;
	bool csv = strstr(f->name, ".csv") != NULL;
	char buf[70000];

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		size_t len = (size_t)(le - p);
		if (len && p[len - 1] == '\r')
			len--;
		if (len == 0) {
			p = nl ? nl + 1 : end;
			continue;
		}
		if (csv && !header) {
			header = p;
			hlen = len;
		} else if (csv) {
			if (hlen + 1 + len > sizeof(buf))
				return VR_ELIMIT;
			memcpy(buf, header, hlen);
			buf[hlen] = '\n';
			memcpy(buf + hlen + 1, p, len);
			if (produce(rk, topic, buf, hlen + 1 + len))
				return VR_EIO;
			(*count)++;
		} else {
			if (produce(rk, topic, p, len))
				return VR_EIO;
			(*count)++;
		}
		p = nl ? nl + 1 : end;
	}
	return VR_OK;
}

/* The demo's config: the example mappings for Huur and Energie, canonical
 * JSON for the others. */
static int demo_config(const char *bootstrap, struct conf **out, char *err, size_t n)
{
	const struct demo_file *huur = demo_file("huur-csv.conf");
	const struct demo_file *energie = demo_file("energie-json.conf");
	if (!huur || !energie) {
		snprintf(err, n, "demo data missing from the binary");
		return VR_EINVAL;
	}
	size_t cap = huur->len + energie->len + 4096;
	char *text = malloc(cap);
	if (!text)
		return VR_ENOMEM;
	int k = snprintf(text, cap,
			 "[engine]\n"
			 "clock = 2024-05-31\n"     /* the sample runs to May 2024 */
			 "municipalities = 0344\n"  /* Utrecht: the sample's municipality */
			 "batch = 256\n"
			 "linger.ms = 20\n"
			 "log.level = warn\n"
			 "[output]\n"
			 "decisions = none\n"
			 "[kafka]\n"
			 "bootstrap.servers = %s\n"
			 "[kafka consumer]\n"
			 "group.id = vroeg-demo\n"
			 "session.timeout.ms = 6000\n"
			 "fetch.wait.max.ms = 20\n"
			 "[topic signals.water]\n"
			 "partner = Water\n"
			 "[topic signals.zorg]\n"
			 "partner = Zorg\n"
			 "[topic signals.gemeentebelastingen]\n"
			 "partner = Gemeentebelastingen\n"
			 "organisation = Gemeente Utrecht, afdeling Belastingen\n",
			 bootstrap);
	memcpy(text + k, huur->data, huur->len);
	k += (int)huur->len;
	text[k++] = '\n';
	memcpy(text + k, energie->data, energie->len);
	k += (int)energie->len;
	*out = conf_parse(text, (size_t)k, "demo.conf", err, n);
	free(text);
	return *out ? VR_OK : VR_EINVAL;
}

/* Read the dead-letter topic back and list why each was rejected (the
 * reason only: the payload is the partner's and may name the client). */
static void show_dead_letters(const char *bootstrap, unsigned long expect, FILE *f)
{
	char e[256];
	rd_kafka_conf_t *kc = rd_kafka_conf_new();
	if (rd_kafka_conf_set(kc, "bootstrap.servers", bootstrap, e, sizeof(e)) ||
	    rd_kafka_conf_set(kc, "group.id", "vroeg-demo-reader", e, sizeof(e)) ||
	    rd_kafka_conf_set(kc, "enable.auto.commit", "false", e, sizeof(e)) ||
	    rd_kafka_conf_set(kc, "log_level", "3", e, sizeof(e))) {
		rd_kafka_conf_destroy(kc);
		return;
	}
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, kc, e, sizeof(e));
	if (!rk) {
		rd_kafka_conf_destroy(kc);
		return;
	}
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
	rd_kafka_topic_partition_list_add(l, "signals.dlq", 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
	rd_kafka_assign(rk, l);
	rd_kafka_topic_partition_list_destroy(l);
	fprintf(f, "\nDead letters on signals.dlq (%lu), with the reason and where each came "
		   "from:\n", expect);
	unsigned long seen = 0;
	/* At most 10 s: the mock cluster is local and the letters are few. */
	for (int polls = 0; seen < expect && polls < 100; polls++) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
		if (!m)
			continue;
		if (!m->err) {
			rd_kafka_headers_t *h = NULL;
			const void *v[5] = {0};
			size_t vl[5] = {0};
			static const char *const names[] = {"vroeg.source.topic",
							    "vroeg.source.partition",
							    "vroeg.source.offset",
							    "vroeg.reason.code", "vroeg.reason"};
			if (rd_kafka_message_headers(m, &h) == RD_KAFKA_RESP_ERR_NO_ERROR)
				for (int i = 0; i < 5; i++)
					if (rd_kafka_header_get_last(h, names[i], &v[i], &vl[i]))
						v[i] = "", vl[i] = 0;
			fprintf(f, "  %.*s/%.*s:%.*s  %-12.*s %.*s\n", (int)vl[0], (const char *)v[0],
				(int)vl[1], (const char *)v[1], (int)vl[2], (const char *)v[2],
				(int)vl[3], (const char *)v[3], (int)vl[4], (const char *)v[4]);
			seen++;
		}
		rd_kafka_message_destroy(m);
	}
	rd_kafka_consumer_close(rk);
	rd_kafka_destroy(rk);
}

static void demo_usage(FILE *f)
{
	fputs("usage: vroeg demo\n"
	      "Runs the streaming service end to end on an in-process Kafka mock cluster:\n"
	      "produces the bundled sample signals of five partner types in their own\n"
	      "formats, consumes and decides them with the built-in rule set, and prints\n"
	      "the team's worklist, the counts per status and the dead letters.\n",
	      f);
}

int demo_main(int argc, char **argv)
{
	char err[1024];
	rd_kafka_mock_cluster_t *mc = NULL;
	struct conf *c = NULL;
	struct pseudo *ps = NULL;
	struct run_result *res = calloc(1, sizeof(*res));
	int code = 1;

	if (argc > 1) {
		demo_usage(strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ? stdout
											  : stderr);
		free(res);
		return strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ? 0 : 2;
	}
	rd_kafka_t *rk = res ? mock_start(1, &mc, err, sizeof(err)) : NULL;
	if (!rk) {
		fprintf(stderr, "vroeg demo: %s\n", res ? err : "out of memory");
		free(res);
		return 1;
	}
	const char *bootstrap = rd_kafka_mock_cluster_bootstraps(mc);
	if (create_topics(mc, 2)) {
		fprintf(stderr, "vroeg demo: cannot create the topics\n");
		goto out;
	}
	unsigned long produced = 0;
	for (size_t i = 0; i < VR_ARRAY_LEN(partner_topics); i++) {
		char name[80];
		const char *t = partner_topics[i];
		snprintf(name, sizeof(name), "%s.csv", t);
		const struct demo_file *f = demo_file(name);
		if (!f) {
			snprintf(name, sizeof(name), "%s.jsonl", t);
			f = demo_file(name);
		}
		if (!f || produce_file(rk, t, f, &produced)) {
			fprintf(stderr, "vroeg demo: cannot produce %s\n", t);
			goto out;
		}
	}
	if (rd_kafka_flush(rk, 10000)) {
		fprintf(stderr, "vroeg demo: the mock cluster did not take the sample\n");
		goto out;
	}
	printf("vroeg demo: Kafka mock cluster at %s; %lu partner messages produced on %zu "
	       "topics\n(Huur as a housing corporation's CSV, Energie as an energy company's "
	       "JSON, the rest canonical)\n\n",
	       bootstrap, produced, VR_ARRAY_LEN(partner_topics));
	fflush(stdout);

	const struct demo_file *key = demo_file("demo.key");
	if (!key || demo_config(bootstrap, &c, err, sizeof(err)) != VR_OK) {
		fprintf(stderr, "vroeg demo: %s\n", err);
		goto out;
	}
	if (!(ps = pseudo_new_key((const unsigned char *)key->data, key->len, err,
				  sizeof(err)))) {
		fprintf(stderr, "vroeg demo: %s\n", err);
		goto out;
	}
	struct run_opts o = {.stop_at_end = true, .max_seconds = 120, .worklist = stdout,
			     .ps = ps};
	printf("The team's worklist, most urgent first:\n\n");
	if (run_service(c, &o, res) != 0) {
		fprintf(stderr, "vroeg demo: the service stopped with an error\n");
		goto out;
	}
	printf("\nSignals consumed: %lu messages in %lu batches; %lu feedback events to the "
	       "partners (feedback.<type>)\n\n",
	       res->messages, res->batches, res->feedback);
	summary_print(&res->sum, stdout);
	show_dead_letters(bootstrap, res->dead_letters, stdout);
	code = res->messages == produced ? 0 : 1;
	if (code)
		fprintf(stderr, "vroeg demo: produced %lu messages but consumed %lu\n", produced,
			res->messages);
out:
	conf_free(c);
	pseudo_free(ps);
	rd_kafka_destroy(rk);
	free(res);
	return code;
}

/* ---- dev-kafka -------------------------------------------------------- */

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

static void dev_command(rd_kafka_mock_cluster_t *mc, char *line, int brokers)
{
	char name[256];
	int a, b;
	line[strcspn(line, "\r\n")] = '\0';
	if (sscanf(line, "topic %255s %d", name, &a) == 2 && a > 0 && a <= 1000) {
		rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(mc, name, a, 1);
		printf(e ? "error %s\n" : "ok\n", rd_kafka_err2str(e));
	} else if (sscanf(line, "down %d", &a) == 1 && a >= 1 && a <= brokers) {
		rd_kafka_mock_broker_set_down(mc, a);
		printf("ok\n");
	} else if (sscanf(line, "up %d", &a) == 1 && a >= 1 && a <= brokers) {
		rd_kafka_mock_broker_set_up(mc, a);
		printf("ok\n");
	} else if (sscanf(line, "produce-errors %d %d", &a, &b) == 2 && a > 0 && a <= 1000) {
		/* The next a Produce requests fail with error code b. */
		rd_kafka_resp_err_t errs[1000];
		for (int i = 0; i < a; i++)
			errs[i] = (rd_kafka_resp_err_t)b;
		rd_kafka_mock_push_request_errors_array(mc, 0 /* Produce */, (size_t)a, errs);
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
	rd_kafka_mock_cluster_t *mc = NULL;
	rd_kafka_t *rk = mock_start(brokers, &mc, err, sizeof(err));
	if (!rk) {
		fprintf(stderr, "vroeg dev-kafka: %s\n", err);
		return 1;
	}
	if (create_topics(mc, partitions)) {
		fprintf(stderr, "vroeg dev-kafka: cannot create the topics\n");
		rd_kafka_destroy(rk);
		return 1;
	}
	struct sigaction sa = {0};
	sa.sa_handler = dev_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
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
		dev_command(mc, line, brokers);
	}
	rd_kafka_destroy(rk);
	return 0;
}
