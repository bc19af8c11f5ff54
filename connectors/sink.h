/*
 * sink.h - where vroeg's output goes: the sink family.
 *
 * A sink delivers messages (a body, optionally a topic, a key and headers)
 * to one destination: a Kafka topic, a file, an HTTP receiver (a webhook) or a
 * ZGW case system.  Every backend is an ops table (sink_int.h) whose calls
 * only say what happened to a message: delivered, try again later, or
 * failed for good with a reason.  sink.c alone decides what follows: it
 * keeps every message until its outcome is known, sends again what should
 * be retried (exponential backoff with jitter), and tells the caller when
 * a group of messages (the service's batch) is done, so the caller can
 * commit what the group stands for.  The model is SQLite's VFS and Fluent
 * Bit's output plugins: the backend knows its protocol, the core knows the
 * policy.
 *
 * Single-threaded: every call comes from the thread that owns the sink
 * (backends that deliver on other threads report through their own poll).
 */
#ifndef VR_SINK_H
#define VR_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sink;

struct sink_header {
	const char *name;
	const char *value;
};

#define SINK_HEADERS_MAX 8

/* A message to deliver; sink_send() copies what it keeps. */
struct sink_msg {
	const char *topic;      /* the destination within the sink (Kafka topic), or NULL */
	const void *key;
	size_t key_len;
	const void *body;
	size_t len;
	const struct sink_header *headers;
	size_t n_headers;       /* at most SINK_HEADERS_MAX */
};

/*
 * A group of messages whose delivery the caller waits for as a whole (the
 * service's batch: its offsets are committed when the group is done).  The
 * caller owns it; zero-initialise, or sink_group_reset() to reuse.
 */
struct sink_group {
	long pending;           /* sent, outcome not known yet (also while retrying) */
	unsigned long failed;   /* failed for good (logged and counted) */
	uint32_t gen;           /* bumped by reset: late outcomes of a reused group are ignored */
};

/* Retry policy; zero fields take the defaults (100 ms, 5 s). */
struct sink_retry {
	long base_ms;           /* the first pause */
	long max_ms;            /* the longest pause */
};

/* Counters, for logs and metrics. */
struct sink_stats {
	unsigned long sent, delivered, retried, failed, abandoned;
};

/*
 * Hand m to the sink as part of g (NULL: no group; retried all the same).  The sink keeps a copy
 * until the message is delivered or has failed for good; a message the
 * backend cannot take now is kept and sent again later.  VR_OK,
 * VR_ENOMEM, or VR_EINVAL for more than SINK_HEADERS_MAX headers.
 */
int sink_send(struct sink *s, const struct sink_msg *m, struct sink_group *g);

/* Serve outcomes and retries for up to wait_ms (0: only what is ready). */
void sink_poll(struct sink *s, long wait_ms);

/* Is every message of g delivered or failed for good? */
static inline bool sink_group_done(const struct sink_group *g)
{
	return g->pending == 0;
}

/*
 * Give up g: its messages waiting for a retry are dropped, those in flight
 * are forgotten when their outcome comes (the caller will send them again,
 * as a redelivery); g can be used again.
 */
void sink_group_reset(struct sink *s, struct sink_group *g);

/*
 * Wait up to wait_ms for everything the backend holds (not for retries):
 * VR_OK when it holds nothing more, VR_EAGAIN when time ran out, VR_EIO
 * when it cannot deliver (sink_error() says why).  A file sink's
 * "delivered" means buffered; its lines are written by sink_flush().
 */
int sink_flush(struct sink *s, long wait_ms);

/* The backend's last permanent error in words, or "". */
const char *sink_error(const struct sink *s);

const char *sink_name(const struct sink *s);
void sink_stats(const struct sink *s, struct sink_stats *out);
void sink_set_retry(struct sink *s, const struct sink_retry *r);

/* Flush (up to 10 s), then free; NULL is a no-op. */
void sink_close(struct sink *s);

#endif
