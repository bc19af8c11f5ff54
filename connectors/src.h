/*
 * src.h - where the service's messages come from: the source family.
 *
 * A source hands out messages one at a time, each with its position
 * (topic, partition, offset), and is told when a run of them has been
 * dealt with for good (src_store(): their positions may be committed).
 * Until then a message is the caller's to keep or release.  Ownership
 * changes (a consumer group's rebalance) are reported through the events
 * the caller registers, from inside src_poll(), so the caller can finish
 * or drop what it holds before the partitions go.
 *
 * Backends: src_kafka.c (a consumer group).  The replay's file reader
 * (src_file.h) is not one of them: it hands out whole batches that point
 * into its read buffer and has nothing to commit.
 */
#ifndef VR_SRC_H
#define VR_SRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct src;

struct src_msg {
	const void *payload;     /* NULL for an empty message */
	size_t len;
	const void *key;
	size_t key_len;
	const char *topic;
	int32_t partition;
	long long offset;
	long long timestamp_ms;  /* the message's Kafka timestamp (ms since the epoch), 0 none */
	const char *where;       /* "topic/partition", valid until the next src_poll() */
	void *topic_ud;          /* what the caller registered for the topic, or NULL */
	void *handle;            /* the backend's own message */
};

/* Called from inside src_poll() when partitions are taken away. */
struct src_events {
	void *ud;
	/*
	 * lost == false: finish what you hold of the source (decide it, wait
	 * for its output, src_store() it) and return VR_OK; the source then
	 * commits before it lets go.  lost == true: the partitions already
	 * belong to another consumer; drop what you hold, uncommitted.
	 */
	int (*revoking)(void *ud, bool lost);
	/* Optional: partitions were assigned (after the assignment). */
	void (*assigned)(void *ud);
};

/* The next message, waiting up to wait_ms: 1 with *m filled, 0 none. */
int src_poll(struct src *s, long wait_ms, struct src_msg *m);

/* Free a message handed out by src_poll(). */
void src_release(struct src *s, struct src_msg *m);

/*
 * The messages m[0..n) are dealt with: their positions may be committed
 * (the next offset of each partition; commits are asynchronous).
 */
void src_store(struct src *s, const struct src_msg *m, size_t n);

/* Commit what is stored, and wait for it. */
void src_commit_sync(struct src *s);

/* Has every owned partition been read to its end (stop-at-end mode)? */
bool src_at_end(const struct src *s);

/* The value of m's last header called name: 1 with *val and *len set
 * (valid while m is held), 0 when m has none. */
int src_header(struct src *s, const struct src_msg *m, const char *name, const void **val,
	       size_t *len);
/* The same as a string in out (n bytes with the NUL): false when m has no
 * such header or its value does not fit. */
bool src_header_str(struct src *s, const struct src_msg *m, const char *name, char *out,
		    size_t n);
/*
 * Has every owned partition of topic been read up to its end as the
 * broker knows it now (asked, not remembered)?  For a topic the caller
 * itself writes to, where a partition's end-of-partition event may be
 * older than the last write.  true for a backend that cannot tell.
 */
bool src_caught_up(struct src *s, const char *topic);
/* Leave the group (committing) and free; NULL is a no-op. */
void src_close(struct src *s);

#endif
