/*
 * sink_int.h - for implementers of a sink backend only (sink.h).
 *
 * A backend fills a struct sink_ops and opens itself with sink_new().  Its
 * calls classify; they never retry, wait for backoff or count: sink.c owns
 * that.
 *
 * send() either settles the message at once (SINK_DELIVERED, SINK_RETRY,
 * SINK_FAILED) or accepts it (SINK_INFLIGHT) and reports its outcome later
 * with sink_outcome(), from inside its poll() or flush(), quoting the
 * ticket.  An accepted message's bytes stay valid until that report, so a
 * backend may reference them instead of copying.  SINK_BUSY: the backend
 * has no room now; sink.c serves its poll() and sends again, without
 * counting an attempt.
 */
#ifndef VR_SINK_INT_H
#define VR_SINK_INT_H

#include "sink.h"

enum sink_outcome {
	SINK_DELIVERED,
	SINK_INFLIGHT,
	SINK_RETRY,       /* a transient failure: send again after a pause */
	SINK_FAILED,      /* a permanent failure: never sent again */
	SINK_BUSY,        /* no room in the backend now */
};

struct sink_ops {
	const char *name;
	/* send() always settles at once (never SINK_INFLIGHT) and keeps no
	 * reference to the message: sink.c copies it only when it must wait. */
	bool settles;
	enum sink_outcome (*send)(struct sink *s, const struct sink_msg *m, uint64_t ticket,
				  char *why, size_t whylen);
	/* Serve the backend's callbacks for up to wait_ms; may be NULL. */
	void (*poll)(struct sink *s, long wait_ms);
	/* Wait up to wait_ms for every accepted message (sink_flush()); may
	 * be NULL. */
	int (*flush)(struct sink *s, long wait_ms);
	/* The last permanent error in words; may be NULL. */
	const char *(*error)(const struct sink *s);
	void (*close)(struct sink *s);
};

/* A sink around ops and the backend's state impl (NULL on no memory). */
struct sink *sink_new(const struct sink_ops *ops, void *impl, const char *name);
void *sink_impl(const struct sink *s);

/* The outcome of an accepted message: SINK_DELIVERED, SINK_RETRY or
 * SINK_FAILED (why: a reason without message content). */
void sink_outcome(struct sink *s, uint64_t ticket, enum sink_outcome o, const char *why);
/* The same; a SINK_RETRY waits at least min_pause seconds (the receiver
 * said when to come back: HTTP Retry-After), else its backoff. */
void sink_outcome_after(struct sink *s, uint64_t ticket, enum sink_outcome o, const char *why,
			double min_pause);

#endif
