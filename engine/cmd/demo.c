/*
 * demo.c - `vroeg demo`: the streaming service end to end, no servers.
 *
 * Starts a Kafka mock cluster in this process (connectors/kafka_dev.h),
 * creates the partner topics, produces the bundled sample signals of
 * every partner type in that partner's own format (a housing corporation's
 * CSV, an energy company's JSON, canonical JSON for the rest), runs the
 * real service (run.c: connector, engine, memory store) over them until
 * every partition is read, and prints what a debt-help team would see.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cmd.h"
#include "conf.h"
#include "demo_data.h"
#include "jsonw.h"
#include "kafka_dev.h"
#include "keyfile.h"
#include "log.h"
#include "mapping.h"
#include "pseudo.h"
#include "replay_int.h"
#include "service.h"
#include "signal.h"
#include "summary.h"
#include "vr.h"

/* The demo team takes this many cases per working day. */
#define DEMO_CAPACITY 8


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

/* The partner topics, the dead-letter topic and a feedback topic per type. */
int demo_create_topics(struct kafka_dev *d, int partitions, char *err, size_t n)
{
	char t[64], slug[48];
	for (size_t i = 0; i < VR_ARRAY_LEN(partner_topics); i++)
		if (kafka_dev_topic(d, partner_topics[i], partitions, err, n))
			return VR_EIO;
	if (kafka_dev_topic(d, "signals.dlq", 1, err, n))
		return VR_EIO;
	for (int p = 0; p < PARTNER__COUNT; p++) {
		sig_partner_slug((enum sig_partner)p, slug, sizeof(slug));
		snprintf(t, sizeof(t), "feedback.%s", slug);
		if (kafka_dev_topic(d, t, 1, err, n))
			return VR_EIO;
	}
	return VR_OK;
}

/*
 * When the partner sent a message: on its signaaldatum (noon UTC, the same
 * day in Amsterdam), read through the topic's mapping, as if the partners
 * had sent the sample over its months; 0 (now) for a record that does not
 * map or parse (the sample's deliberate errors).
 */
static long long sent_at(const struct mapping *m, const char *msg, size_t len, struct jbuf *buf)
{
	const char *rec;
	size_t rlen;
	struct sig_error e;
	static struct signal s;
	if (!m || mapping_apply(m, msg, len, buf, &rec, &rlen, &e) != VR_OK ||
	    sig_parse_def(rec, rlen, VR_DATE_NONE, mapping_defaults(m), &s, &e) != VR_OK)
		return 0;
	return (long long)s.signal_date * 86400000LL + 12 * 3600000LL;
}

/* Each line of a sample file is one message; a CSV file's first line is
 * its header, which every message repeats (one record per message). */
static int produce_file(struct kafka_dev *d, const char *topic, const struct demo_file *f,
			const struct mapping *m, struct jbuf *jb, unsigned long *count)
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
			if (kafka_dev_produce_at(d, topic, buf, hlen + 1 + len,
						 sent_at(m, buf, hlen + 1 + len, jb)))
				return VR_EIO;
			(*count)++;
		} else {
			if (kafka_dev_produce_at(d, topic, p, len, sent_at(m, p, len, jb)))
				return VR_EIO;
			(*count)++;
		}
		p = nl ? nl + 1 : end;
	}
	return VR_OK;
}

/* The demo's config: the example mappings for Huur and Energie, canonical
 * JSON for the others; the output files in out_dir, or none. */
static int demo_config(const char *bootstrap, const char *out_dir, const char *task_dir,
		       struct conf **out, char *err, size_t n)
{
	char output[3 * 4096 + 160] = "decisions = none\n";
	char tasks[4096 + 160];
	if ((out_dir && (strchr(out_dir, '\n') ||
			 (size_t)snprintf(output, sizeof(output),
					  "decisions = %s/decisions.jsonl\ncases = %s/cases.jsonl\n",
					  out_dir, out_dir) >= sizeof(output))) ||
	    strchr(task_dir, '\n') ||
	    (size_t)snprintf(tasks, sizeof(tasks),
			     "[team default]\ncapacity = %d\n[sink.team]\ntype = file\n"
			     "path = %s/tasks.jsonl\n", DEMO_CAPACITY, task_dir) >= sizeof(tasks)) {
		snprintf(err, n, "--out: not a usable directory name");
		return VR_EINVAL;
	}
	const struct demo_file *huur = demo_file("huur-csv.conf");
	const struct demo_file *energie = demo_file("energie-json.conf");
	if (!huur || !energie) {
		snprintf(err, n, "demo data missing from the binary");
		return VR_EINVAL;
	}
	size_t cap = huur->len + energie->len + 4096 + sizeof(output) + sizeof(tasks);
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
			 "%s"
			 "%s"
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
			 output, tasks, bootstrap);
	memcpy(text + k, huur->data, huur->len);
	k += (int)huur->len;
	text[k++] = '\n';
	memcpy(text + k, energie->data, energie->len);
	k += (int)energie->len;
	*out = conf_parse(text, (size_t)k, "demo.conf", err, n);
	free(text);
	return *out ? VR_OK : VR_EINVAL;
}

/* Every partner's sample file to its topic, in the partner's own format. */
static int produce_sample(struct kafka_dev *d, const struct conf *c, unsigned long *produced)
{
	struct jbuf jb;
	jbuf_init(&jb, SIG_LINE_MAX);
	for (size_t i = 0; i < VR_ARRAY_LEN(partner_topics); i++) {
		char name[80], err[256];
		const char *t = partner_topics[i];
		snprintf(name, sizeof(name), "%s.csv", t);
		const struct demo_file *f = demo_file(name);
		if (!f) {
			snprintf(name, sizeof(name), "%s.jsonl", t);
			f = demo_file(name);
		}
		struct mapping *m = mapping_from_conf(c, t, err, sizeof(err));
		int rc = f && m ? produce_file(d, t, f, m, &jb, produced) : VR_EINVAL;
		mapping_free(m);
		if (rc) {
			fprintf(stderr, "vroeg demo: cannot produce %s\n", t);
			jbuf_fini(&jb);
			return VR_EIO;
		}
	}
	jbuf_fini(&jb);
	if (kafka_dev_flush(d, 10000)) {
		fprintf(stderr, "vroeg demo: the mock cluster did not take the sample\n");
		return VR_EIO;
	}
	return VR_OK;
}

static void print_dead_letter(void *ud, const struct kafka_dev_msg *m)
{
	FILE *f = ud;
	fprintf(f, "  %.*s/%.*s:%.*s  %-12.*s %.*s\n", (int)m->hdr_len[0], m->hdr[0],
		(int)m->hdr_len[1], m->hdr[1], (int)m->hdr_len[2], m->hdr[2], (int)m->hdr_len[3],
		m->hdr[3], (int)m->hdr_len[4], m->hdr[4]);
}

/* Read the dead-letter topic back and list why each was rejected (the
 * reason only: the payload is the partner's and may name the client). */
static void show_dead_letters(const char *bootstrap, unsigned long expect, FILE *f)
{
	static const char *const names[] = {"vroeg.source.topic", "vroeg.source.partition",
					    "vroeg.source.offset", "vroeg.reason.code",
					    "vroeg.reason"};
	fprintf(f, "\nDead letters on signals.dlq (%lu), with the reason and where each came "
		   "from:\n", expect);
	/* At most 10 s: the mock cluster is local and the letters are few. */
	kafka_dev_read(bootstrap, "signals.dlq", expect, 10000, names, VR_ARRAY_LEN(names),
		       print_dead_letter, f);
}

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : "?";
}

/* One task line, as the team's case system received it. */
static void show_task(FILE *f, const cJSON *t)
{
	char partners[128] = "";
	const cJSON *sg, *sc = cJSON_GetObjectItemCaseSensitive(t, "score");
	const cJSON *total = cJSON_GetObjectItemCaseSensitive(sc, "total");
	cJSON_ArrayForEach(sg, cJSON_GetObjectItemCaseSensitive(t, "signals"))
	{
		const char *p = jstr(sg, "partner");
		size_t at = strlen(partners);
		if (!strstr(partners, p))
			snprintf(partners + at, sizeof(partners) - at, "%s%s", at ? "," : "", p);
	}
	const cJSON *contact = cJSON_GetObjectItemCaseSensitive(t, "contact");
	fprintf(f, "  %-10s  %-31s %-6s  %-10s %5d  %-24.24s %s\n", jstr(t, "issued"),
		jstr(t, "task_id"), jstr(t, "priority"), jstr(t, "due"),
		cJSON_IsNumber(total) ? total->valueint : 0, partners,
		cJSON_IsObject(contact) ? "contact block" : "no contact");
}

/* The tasks the file sink received: read back from its file. */
static int show_tasks(const char *path, FILE *f)
{
	FILE *in = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, n = 0;
	if (!in) {
		fprintf(stderr, "vroeg demo: no tasks file %s: %s\n", path, strerror(errno));
		return VR_EIO;
	}
	fprintf(f, "\nTasks delivered to the team's file sink, in the order released:\n"
		   "  %-10s  %-31s %-6s  %-10s %5s  %-24s %s\n",
		"issued", "task", "prio", "due", "score", "partners", "for the team");
	while (getline(&line, &cap, in) > 0) {
		cJSON *t = cJSON_Parse(line);
		if (t)
			show_task(f, t);
		n += t != NULL;
		cJSON_Delete(t);
	}
	free(line);
	fclose(in);
	fprintf(f, "  (%zu tasks: crisis cases at once, the others %d a working day from the "
		   "next working morning)\n", n, DEMO_CAPACITY);
	return VR_OK;
}

static void demo_usage(FILE *f)
{
	fputs("usage: vroeg demo [--out DIR]\n"
	      "Runs the streaming service end to end on an in-process Kafka mock cluster:\n"
	      "produces the bundled sample signals of five partner types in their own\n"
	      "formats, consumes and decides them with the built-in rule set, queues the\n"
	      "cases for the team (capacity 8 a working day, crisis at once), runs the\n"
	      "next working morning's release, and prints the counts per status, the dead\n"
	      "letters, the tasks delivered to a file sink and the queue that is left.\n"
	      "  --out DIR   also write the service's decisions.jsonl, cases.jsonl and\n"
	      "              tasks.jsonl (the file sink) to DIR\n",
	      f);
}

/* --out DIR or --help; the exit code when the demo is not to run, else -1. */
static int demo_args(int argc, char **argv, const char **out_dir)
{
	if (argc == 3 && strcmp(argv[1], "--out") == 0) {
		*out_dir = argv[2];
		if (replay_make_dir(*out_dir) != VR_OK) {
			fprintf(stderr, "vroeg demo: cannot create %s\n", *out_dir);
			return 1;
		}
	} else if (argc > 1) {
		bool help = strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0;
		demo_usage(help ? stdout : stderr);
		return help ? 0 : 2;
	}
	return -1;
}

/* Where the file sink writes: --out DIR, or a directory of this run. */
static const char *task_dir_of(const char *out_dir, char *tmp)
{
	if (out_dir)
		return out_dir;
	strcpy(tmp, "/tmp/vroeg-demo.XXXXXX");
	return mkdtemp(tmp);
}

static void remove_task_dir(const char *out_dir, const char *dir)
{
	char path[64];
	if (out_dir || !dir)
		return;
	snprintf(path, sizeof(path), "%s/tasks.jsonl", dir);
	unlink(path);
	rmdir(dir);
}

/* The run's closing report: counts, dead letters, tasks and queues. */
static void demo_report(const struct run_result *res, const char *bootstrap,
			const char *task_dir, const char *queues)
{
	char path[4200];
	printf("\nSignals consumed: %lu messages in %lu batches; %lu feedback events to the "
	       "partners (feedback.<type>)\n\n",
	       res->messages, res->batches, res->feedback);
	summary_print(&res->sum, stdout);
	show_dead_letters(bootstrap, res->dead_letters, stdout);
	snprintf(path, sizeof(path), "%s/tasks.jsonl", task_dir);
	show_tasks(path, stdout);
	printf("\nThe queue after the next working morning's release, crisis first:\n%s",
	       queues ? queues : "");
}

int demo_main(int argc, char **argv)
{
	char err[1024], tmp[32];
	struct conf *c = NULL;
	struct pseudo *ps = NULL;
	struct run_result *res = calloc(1, sizeof(*res));
	char *queues = NULL;
	size_t queues_len = 0;
	FILE *qf = NULL;
	int code = 1;

	const char *out_dir = NULL;
	int arc = demo_args(argc, argv, &out_dir);
	if (arc >= 0) {
		free(res);
		return arc;
	}
	const char *task_dir = task_dir_of(out_dir, tmp);
	struct kafka_dev *d = res && task_dir ? kafka_dev_start(1, err, sizeof(err)) : NULL;
	if (!d) {
		fprintf(stderr, "vroeg demo: %s\n", !res ? "out of memory" : !task_dir ?
			strerror(errno) : err);
		free(res);
		remove_task_dir(out_dir, task_dir);
		return 1;
	}
	const char *bootstrap = kafka_dev_bootstraps(d);
	if (demo_create_topics(d, 2, err, sizeof(err))) {
		fprintf(stderr, "vroeg demo: cannot create the topics: %s\n", err);
		goto out;
	}
	const struct demo_file *key = demo_file("demo.key");
	if (!key || demo_config(bootstrap, out_dir, task_dir, &c, err, sizeof(err)) != VR_OK) {
		fprintf(stderr, "vroeg demo: %s\n", key ? err : "demo key missing from the binary");
		goto out;
	}
	unsigned long produced = 0;
	if (produce_sample(d, c, &produced) != VR_OK)
		goto out;
	printf("vroeg demo: Kafka mock cluster at %s; %lu partner messages produced on %zu "
	       "topics\n(Huur as a housing corporation's CSV, Energie as an energy company's "
	       "JSON, the rest canonical), each at its signaaldatum\n",
	       bootstrap, produced, VR_ARRAY_LEN(partner_topics));
	fflush(stdout);
	if (!(ps = pseudo_new_key((const unsigned char *)key->data, key->len, err,
				  sizeof(err))) || !(qf = open_memstream(&queues, &queues_len))) {
		fprintf(stderr, "vroeg demo: %s\n", ps ? "out of memory" : err);
		goto out;
	}
	struct run_opts o = {.stop_at_end = true, .max_seconds = 120, .queues = qf,
			     .next_morning = true, .ps = ps};
	if (run_service(c, &o, res) != 0) {
		fprintf(stderr, "vroeg demo: the service stopped with an error\n");
		goto out;
	}
	fclose(qf);
	qf = NULL;
	demo_report(res, bootstrap, task_dir, queues);
	code = res->messages == produced && !res->tasks_failed ? 0 : 1;
	if (res->messages != produced)
		fprintf(stderr, "vroeg demo: produced %lu messages but consumed %lu\n", produced,
			res->messages);
out:
	if (qf)
		fclose(qf);
	free(queues);
	conf_free(c);
	pseudo_free(ps);
	kafka_dev_free(d);
	free(res);
	remove_task_dir(out_dir, task_dir);
	return code;
}
