/*
 * test_conf.c - the config file parser and its environment overrides.
 */
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "harness.h"
#include "vr.h"

static struct conf *parse(const char *text, char *err)
{
	return conf_parse(text, strlen(text), "t.conf", err, 256);
}

static void test_parse(void)
{
	char err[256];
	struct conf *c = parse("# comment\n"
			       "[store]\n"
			       "url = redis://127.0.0.1:6379/0?prefix=vroeg:0344:  \n"
			       "\n"
			       "[kafka]\n"
			       "bootstrap.servers=a:1,b:2\n"
			       "sasl.password = \" p#ss w \"\n"
			       "[topic signals.huur]\n"
			       "partner = Huur\n"
			       "[topic  signals.zorg ]\r\n"
			       "partner = Zorg\r\n",
			       err);
	CHECK(c != NULL);
	if (!c)
		return;
	CHECK_STR(conf_get(c, "store", "url"), "redis://127.0.0.1:6379/0?prefix=vroeg:0344:");
	CHECK_STR(conf_get(c, "kafka", "bootstrap.servers"), "a:1,b:2");
	CHECK_STR(conf_get(c, "kafka", "sasl.password"), " p#ss w ");
	CHECK_STR(conf_get(c, "topic signals.huur", "partner"), "Huur");
	CHECK_STR(conf_get(c, "topic signals.zorg", "partner"), "Zorg");
	CHECK(conf_get(c, "store", "nope") == NULL);
	CHECK_INT(conf_count(c), 5);
	CHECK_INT(conf_at(c, 0)->line, 3);

	long v;
	bool b;
	CHECK_INT(conf_get_long(c, "engine", "batch", 1, 10, 7, &v, err, sizeof(err)), VR_OK);
	CHECK_INT(v, 7);
	CHECK_INT(conf_get_long(c, "store", "url", 1, 10, 7, &v, err, sizeof(err)), VR_EINVAL);
	CHECK(strstr(err, "t.conf:3") != NULL);
	CHECK_INT(conf_get_bool(c, "x", "y", true, &b, err, sizeof(err)), VR_OK);
	CHECK(b);

	static const struct conf_key store[] = {{"store", "url", CONF_STR, NULL, "", 0, 0},
						{NULL, NULL, 0, NULL, NULL, 0, 0}};
	static const struct conf_key kafka[] = {{"kafka", "bootstrap.", CONF_STR, NULL, "", 0, 0},
						{"kafka", "sasl.", CONF_STR, NULL, "", 0, 0},
						{NULL, NULL, 0, NULL, NULL, 0, 0}};
	static const struct conf_key narrow[] = {
		{"kafka", "bootstrap.", CONF_STR, NULL, "", 0, 0}, {NULL, NULL, 0, NULL, NULL, 0, 0}};
	static const struct conf_key topics[] = {{"topic *", "partner", CONF_STR, NULL, "", 0, 0},
						 {NULL, NULL, 0, NULL, NULL, 0, 0}};
	static const struct conf_key pass[] = {{"kafka", "*", CONF_PASS, NULL, "", 0, 0},
					       {NULL, NULL, 0, NULL, NULL, 0, 0}};
	CHECK_INT(conf_check_section(c, "store", store, err, sizeof(err)), VR_OK);
	CHECK_INT(conf_check_section(c, "kafka", kafka, err, sizeof(err)), VR_OK);
	CHECK_INT(conf_check_section(c, "kafka", narrow, err, sizeof(err)), VR_EINVAL);
	CHECK(strstr(err, "t.conf:7: unknown key \"sasl.password\"") != NULL);
	/* The union of tables: every section and key must be in one of them. */
	const struct conf_key *const all[] = {store, kafka, topics, NULL};
	const struct conf_key *const no_topics[] = {store, kafka, NULL};
	const struct conf_key *const with_pass[] = {store, narrow, pass, topics, NULL};
	CHECK_INT(conf_check(c, all, err, sizeof(err)), VR_OK);
	CHECK_INT(conf_check(c, with_pass, err, sizeof(err)), VR_OK);
	CHECK_INT(conf_check(c, no_topics, err, sizeof(err)), VR_EINVAL);
	CHECK(strstr(err, "t.conf:9: unknown section [topic signals.huur]") != NULL);

	char *env[] = {"VROEG_STORE_URL=memory", "VROEG_KAFKA_SESSION_TIMEOUT_MS=6000",
		       "VROEG_KAFKA_BOOTSTRAP_SERVERS=c:3", "PATH=/bin", "VROEG_X",
		       "VROEG_ENGINE_KEY_FILE=/k", NULL};
	static const char *const env_known[] = {"engine", "key.file", "engine", "batch", NULL};
	/* A variable that sets nothing is a typo, not to be ignored. */
	char *typo[] = {"VROEG_ENGINE_KEY_FILEX=/no", NULL};
	CHECK_INT(conf_apply_env(c, typo, env_known, err, sizeof(err)), VR_EINVAL);
	CHECK(strstr(err, "VROEG_ENGINE_KEY_FILEX matches no config key") != NULL);
	CHECK_INT(conf_apply_env(c, env, env_known, err, sizeof(err)), VR_OK);
	CHECK_STR(conf_get(c, "engine", "key.file"), "/k");
	CHECK(conf_get(c, "engine", "batch") == NULL);
	CHECK_STR(conf_get(c, "store", "url"), "memory");
	CHECK_STR(conf_get(c, "kafka", "bootstrap.servers"), "c:3");
	CHECK_STR(conf_get(c, "kafka", "session.timeout.ms"), "6000");
	CHECK_STR(conf_get(c, "topic signals.huur", "partner"), "Huur");
	conf_free(c);
}

/* Values are checked by their declared type; the environment may set
 * exactly the plain keys the tables declare. */
static void test_tables(void)
{
	char err[256];
	static const struct conf_key eng[] = {
		{"engine", "batch", CONF_LONG, "1024", "records per batch", 1, 100},
		{"engine", "feedback", CONF_BOOL, "true", "", 0, 0},
		{"engine", "field.", CONF_STR, NULL, "", 0, 0},
		{NULL, NULL, 0, NULL, NULL, 0, 0}};
	const struct conf_key *const t[] = {eng, NULL};
	struct conf *c = parse("[engine]\nbatch = 500\n", err);
	CHECK(c != NULL);
	CHECK_INT(conf_check(c, t, err, sizeof(err)), VR_EINVAL);
	CHECK(strstr(err, "t.conf:2: [engine] batch must be a whole number from 1 to 100") != NULL);
	conf_free(c);
	c = parse("[engine]\nfeedback = perhaps\n", err);
	CHECK_INT(conf_check(c, t, err, sizeof(err)), VR_EINVAL);
	CHECK(strstr(err, "t.conf:2:") != NULL);
	conf_free(c);
	c = parse("[engine]\nfield. = x\n", err);
	CHECK_INT(conf_check(c, t, err, sizeof(err)), VR_EINVAL); /* a prefix needs more */
	conf_free(c);
	c = parse("[engine]\nbatch = 5\n", err);
	char *env[] = {"VROEG_ENGINE_FEEDBACK=no", "VROEG_ENGINE_BATCH=7", NULL};
	CHECK_INT(conf_apply_env_keys(c, env, t, err, sizeof(err)), VR_OK);
	CHECK_STR(conf_get(c, "engine", "batch"), "7");
	CHECK_STR(conf_get(c, "engine", "feedback"), "no");
	CHECK_INT(conf_check(c, t, err, sizeof(err)), VR_OK);
	conf_free(c);
}

static void test_errors(void)
{
	char err[256];
	struct {
		const char *text, *want;
	} bad[] = {
		{"[store\nurl = x\n", "t.conf:1: malformed section"},
		{"[a b c]\n", "t.conf:1: malformed section"},
		{"[store]\nurl x\n", "t.conf:2: expected key = value"},
		{"[store]\n= x\n", "t.conf:2: expected key = value"},
		{"[store]\nurl = a\nurl = b\n", "t.conf:3: \"url\" is set twice in [store]"},
		{"[store]\nu%rl = a\n", "t.conf:2: expected key = value"},
	};
	for (size_t i = 0; i < VR_ARRAY_LEN(bad); i++) {
		err[0] = '\0';
		struct conf *c = parse(bad[i].text, err);
		CHECK(c == NULL);
		if (!strstr(err, bad[i].want))
			fprintf(stderr, "case %zu: got \"%s\"\n", i, err);
		CHECK(strstr(err, bad[i].want) != NULL);
		conf_free(c);
	}
	CHECK(conf_parse("a = b\0c", 7, "t.conf", err, sizeof(err)) == NULL);
	CHECK(conf_load("/nonexistent/vroeg.conf", err, sizeof(err)) == NULL);
	CHECK(strstr(err, "/nonexistent/vroeg.conf") != NULL);
}

int main(void)
{
	test_parse();
	test_tables();
	test_errors();
	return harness_done();
}
