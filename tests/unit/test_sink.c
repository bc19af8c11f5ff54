/*
 * test_sink.c - the sink family's core (connectors/sink.c): what happens
 * after a backend classified a message.  A scripted backend answers each
 * send as the test says, the way SQLite tests its VFS layer with a test
 * VFS; the Kafka and file backends are tested against a real mock cluster
 * and real files (tests/kafka/).
 */
#include <string.h>

#include "harness.h"
#include "sink_int.h"
#include "vr.h"

#define SCRIPT_MAX 400

struct script {
	enum sink_outcome at_send[SCRIPT_MAX];    /* answer to send number i */
	enum sink_outcome later[SCRIPT_MAX];      /* outcome reported by poll, per send */
	int sends, polls_reported;
	uint64_t tickets[SCRIPT_MAX];
	char bodies[SCRIPT_MAX][32];
	char header[SCRIPT_MAX][64];    /* "name=value" of the first header */
	bool closed;
};

static enum sink_outcome t_send(struct sink *s, const struct sink_msg *m, uint64_t ticket,
				char *why, size_t n)
{
	struct script *sc = sink_impl(s);
	int i = sc->sends++;
	sc->tickets[i] = ticket;
	snprintf(sc->bodies[i], sizeof(sc->bodies[i]), "%.*s", (int)m->len, (const char *)m->body);
	if (m->n_headers)
		snprintf(sc->header[i], sizeof(sc->header[i]), "%s=%s", m->headers[0].name,
			 m->headers[0].value);
	snprintf(why, n, "scripted");
	return sc->at_send[i];
}

/* Report the outcome of every accepted send not reported yet; with none,
 * wait as a real backend would. */
static void t_poll(struct sink *s, long wait_ms)
{
	struct script *sc = sink_impl(s);
	if (sc->polls_reported == sc->sends && wait_ms > 0)
		vr_sleep((double)wait_ms / 1000);
	for (; sc->polls_reported < sc->sends; sc->polls_reported++) {
		int i = sc->polls_reported;
		if (sc->at_send[i] == SINK_INFLIGHT)
			sink_outcome(s, sc->tickets[i], sc->later[i], "later");
	}
}

static void t_close(struct sink *s)
{
	struct script *sc = sink_impl(s);
	sc->closed = true;
}

static const struct sink_ops t_ops = {
	.name = "test", .send = t_send, .poll = t_poll, .close = t_close};

static const struct sink_msg msg = {"topic", "k", 1, "hello", 5, NULL, 0};

static void wait_ms(long ms)
{
	vr_sleep((double)ms / 1000);
}

static void test_delivered_later(void)
{
	struct script sc = {.at_send = {SINK_INFLIGHT}, .later = {SINK_DELIVERED}};
	struct sink *s = sink_new(&t_ops, &sc, "t");
	struct sink_group g = {0};
	CHECK_INT(sink_send(s, &msg, &g), VR_OK);
	CHECK_INT(g.pending, 1);
	CHECK(!sink_group_done(&g));
	sink_poll(s, 0);
	CHECK(sink_group_done(&g));
	CHECK_INT(g.failed, 0);
	CHECK_STR(sc.bodies[0], "hello");
	/* A second report of the same ticket changes nothing. */
	sink_outcome(s, sc.tickets[0], SINK_FAILED, "late");
	CHECK_INT(g.pending, 0);
	CHECK_INT(g.failed, 0);
	struct sink_stats st;
	sink_stats(s, &st);
	CHECK_INT(st.delivered, 1);
	CHECK_INT(st.failed, 0);
	sink_close(s);
	CHECK(sc.closed);
}

/* A transient failure is sent again, not before the first pause (at
 * least half of base_ms, with jitter) and with the same bytes. */
static void test_retry(void)
{
	struct script sc = {.at_send = {SINK_INFLIGHT, SINK_RETRY, SINK_INFLIGHT},
			    .later = {SINK_RETRY, 0, SINK_DELIVERED}};
	struct sink *s = sink_new(&t_ops, &sc, "t");
	sink_set_retry(s, &(struct sink_retry){200, 400});
	struct sink_group g = {0};
	char body[8] = "hello";
	struct sink_msg m = msg;
	m.body = body;
	CHECK_INT(sink_send(s, &m, &g), VR_OK);
	memcpy(body, "XXXXX", 5); /* the caller's buffer is free once sent */
	sink_poll(s, 0);          /* outcome: retry */
	CHECK_INT(sc.sends, 1);
	CHECK_INT(g.pending, 1);
	sink_poll(s, 0);
	CHECK_INT(sc.sends, 1);   /* not again at once */
	double t0 = vr_mono_now();
	for (int i = 0; i < 100 && sc.sends < 2; i++)
		sink_poll(s, 20);
	CHECK_INT(sc.sends, 2);   /* refused at send: retry, after a longer pause */
	CHECK(vr_mono_now() - t0 >= 0.09);
	for (int i = 0; i < 100 && sc.sends < 3; i++)
		sink_poll(s, 20);
	CHECK_INT(sc.sends, 3);
	sink_poll(s, 0);
	CHECK(sink_group_done(&g));
	CHECK_STR(sc.bodies[2], "hello");
	struct sink_stats st;
	sink_stats(s, &st);
	CHECK_INT(st.retried, 2);
	CHECK_INT(st.delivered, 1);
	sink_close(s);
}

/* A permanent failure ends the message: the group is done, counted. */
static void test_failed(void)
{
	struct script sc = {.at_send = {SINK_INFLIGHT, SINK_FAILED}, .later = {SINK_FAILED}};
	struct sink *s = sink_new(&t_ops, &sc, "t");
	struct sink_group g = {0};
	sink_send(s, &msg, &g);
	sink_send(s, &msg, &g);
	CHECK_INT(g.pending, 1);
	CHECK_INT(g.failed, 1);
	sink_poll(s, 0);
	CHECK(sink_group_done(&g));
	CHECK_INT(g.failed, 2);
	wait_ms(50);
	sink_poll(s, 0);
	CHECK_INT(sc.sends, 2); /* never sent again */
	sink_close(s);
}

/* A full backend is served and asked again; that is no attempt. */
static void test_busy(void)
{
	struct script sc = {.at_send = {SINK_BUSY, SINK_BUSY, SINK_INFLIGHT},
			    .later = {0, 0, SINK_DELIVERED}};
	struct sink *s = sink_new(&t_ops, &sc, "t");
	struct sink_group g = {0};
	sink_send(s, &msg, &g);
	CHECK_INT(sc.sends, 3);
	sink_poll(s, 0);
	CHECK(sink_group_done(&g));
	struct sink_stats st;
	sink_stats(s, &st);
	CHECK_INT(st.retried, 0);
	sink_close(s);
}

/* A group given up: a waiting message is dropped, an in-flight one's late
 * outcome is ignored, and the reused group starts from zero. */
static void test_reset(void)
{
	struct script sc = {.at_send = {SINK_INFLIGHT, SINK_RETRY, SINK_INFLIGHT},
			    .later = {SINK_RETRY, 0, SINK_DELIVERED}};
	struct sink *s = sink_new(&t_ops, &sc, "t");
	sink_set_retry(s, &(struct sink_retry){10, 10});
	struct sink_group g = {0};
	sink_send(s, &msg, &g);  /* in flight */
	sink_send(s, &msg, &g);  /* waiting for a retry */
	CHECK_INT(g.pending, 2);
	sink_group_reset(s, &g);
	CHECK_INT(g.pending, 0);
	sink_send(s, &msg, &g);  /* the reused group: in flight */
	CHECK_INT(g.pending, 1);
	sink_poll(s, 0);         /* the first one's late retry, the third's delivery */
	CHECK(sink_group_done(&g));
	wait_ms(30);
	sink_poll(s, 0);
	CHECK_INT(sc.sends, 3);  /* the given-up messages were not sent again */
	struct sink_stats st;
	sink_stats(s, &st);
	CHECK_INT(st.abandoned, 2);
	sink_close(s);
}

/* A backend that settles at once (a file): nothing kept, nothing copied
 * unless the message must wait. */
static enum sink_outcome sync_send(struct sink *s, const struct sink_msg *m, uint64_t ticket,
				   char *why, size_t n)
{
	int *calls = sink_impl(s);
	(*calls)++;
	return SINK_DELIVERED;
}

static void nop_close(struct sink *s)
{
}

static void test_settles(void)
{
	static const struct sink_ops ops = {
		.name = "sync", .settles = true, .send = sync_send, .close = nop_close};
	int calls = 0;
	struct sink *s = sink_new(&ops, &calls, NULL);
	struct sink_group g = {0};
	for (int i = 0; i < 1000; i++)
		sink_send(s, &msg, &g);
	CHECK_INT(calls, 1000);
	CHECK(sink_group_done(&g));
	CHECK_STR(sink_name(s), "sync");
	struct sink_stats st;
	sink_stats(s, &st);
	CHECK_INT(st.delivered, 1000);
	sink_close(s);
}

/* Many messages at once: entries are reused, tickets stay unique. */
static void test_many(void)
{
	static struct script sc;
	struct sink *s = sink_new(&t_ops, &sc, "t");
	struct sink_group g[3] = {{0}};
	for (int round = 0; round < 3; round++) {
		memset(&sc, 0, sizeof(sc));
		for (int i = 0; i < SCRIPT_MAX; i++) {
			sc.at_send[i] = SINK_INFLIGHT;
			sc.later[i] = SINK_DELIVERED;
		}
		for (int i = 0; i < SCRIPT_MAX; i++)
			sink_send(s, &msg, &g[i % 3]);
		CHECK_INT(g[0].pending + g[1].pending + g[2].pending, SCRIPT_MAX);
		sink_poll(s, 0);
		CHECK(sink_group_done(&g[0]) && sink_group_done(&g[1]) && sink_group_done(&g[2]));
	}
	sink_close(s);
}

/* A message waiting for its retry keeps its headers while the entries
 * around it are reallocated (many more messages sent meanwhile). */
static void test_headers_survive_growth(void)
{
	static struct script sc;
	memset(&sc, 0, sizeof(sc));
	sc.at_send[0] = SINK_RETRY;
	for (int i = 1; i < SCRIPT_MAX; i++) {
		sc.at_send[i] = SINK_INFLIGHT;
		sc.later[i] = SINK_DELIVERED;
	}
	struct sink *s = sink_new(&t_ops, &sc, "t");
	sink_set_retry(s, &(struct sink_retry){10, 10});
	struct sink_group g = {0};
	const struct sink_header h[] = {{"vroeg.reason.code", "bsn"}};
	struct sink_msg dead = msg;
	dead.headers = h;
	dead.n_headers = 1;
	sink_send(s, &dead, &g);
	for (int i = 0; i < 300; i++)
		sink_send(s, &msg, &g);
	for (int i = 0; i < 50 && !sink_group_done(&g); i++)
		sink_poll(s, 10);
	CHECK(sink_group_done(&g));
	CHECK_STR(sc.header[0], "vroeg.reason.code=bsn");
	CHECK_STR(sc.header[301], "vroeg.reason.code=bsn"); /* the retry */
	sink_close(s);
}

/* Without a group a message is retried all the same. */
static void test_no_group(void)
{
	struct script sc = {.at_send = {SINK_INFLIGHT, SINK_INFLIGHT},
			    .later = {SINK_RETRY, SINK_DELIVERED}};
	struct sink *s = sink_new(&t_ops, &sc, "t");
	sink_set_retry(s, &(struct sink_retry){10, 10});
	sink_send(s, &msg, NULL);
	for (int i = 0; i < 50 && sc.sends < 2; i++)
		sink_poll(s, 10);
	sink_poll(s, 0);
	CHECK_INT(sc.sends, 2);
	struct sink_stats st;
	sink_stats(s, &st);
	CHECK_INT(st.delivered, 1);
	CHECK_INT(st.abandoned, 0);
	sink_close(s);
}

int main(void)
{
	test_delivered_later();
	test_retry();
	test_failed();
	test_busy();
	test_reset();
	test_settles();
	test_many();
	test_headers_survive_growth();
	test_no_group();
	return harness_done();
}
