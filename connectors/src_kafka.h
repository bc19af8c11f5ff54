/*
 * src_kafka.h - the Kafka source: one consumer in a consumer group.
 */
#ifndef VR_SRC_KAFKA_H
#define VR_SRC_KAFKA_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "src.h"

/* [kafka], [kafka consumer] and [kafka producer]: librdkafka's own
 * properties, passed through (librdkafka checks them). */
extern const struct conf_key kafka_conf_keys[];

struct src_kafka_topic {
	const char *name;
	void *ud;                /* handed out with each of its messages (src_msg.topic_ud) */
};

/*
 * A consumer from [kafka] and [kafka consumer], subscribed to topics.
 * vroeg forces enable.auto.offset.store = false (only src_store() marks a
 * position) and defaults group.id = vroeg, auto.offset.reset = earliest
 * and a 64 MiB prefetch (librdkafka 2.0.2 stalls a second when its queue
 * is full).  stop_at_end turns on partition EOF events for src_at_end().
 * NULL and err on a bad property or subscription.
 */
struct src *src_kafka_open(const struct conf *c, const struct src_kafka_topic *topics,
			   size_t n, bool stop_at_end, const struct src_events *ev, char *err,
			   size_t errlen);

/* The same in the consumer group group (NULL: the config's group.id): a
 * second consumer of the same service, for topics of its own. */
struct src *src_kafka_open_group(const struct conf *c, const struct src_kafka_topic *topics,
				 size_t n, bool stop_at_end, const char *group,
				 const struct src_events *ev, char *err, size_t errlen);

/* Stop (true) or go on fetching every partition the consumer owns; polls
 * then still serve the group's events.  A rebalance ends a pause. */
void src_kafka_pause(struct src *s, bool pause);
/* Does the consumer own a partition of topic now? */
bool src_kafka_owns(struct src *s, const char *topic);
/* How many partitions topic has (asks the cluster, up to timeout_ms): -1
 * when it cannot tell (no such topic, no answer). */
int src_kafka_partition_count(struct src *s, const char *topic, int timeout_ms);
/* The consumer's configuration as src_kafka_open() would make it, without
 * a client (`vroeg run --check`): VR_OK, or VR_EINVAL and err. */
int src_kafka_check(const struct conf *c, char *err, size_t errlen);

#endif
