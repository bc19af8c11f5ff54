/*
 * kafka_dev.h - a local Kafka cluster for `vroeg demo`, `vroeg dev-kafka`
 * and tests: librdkafka's mock cluster, real Kafka-protocol brokers on
 * 127.0.0.1 ports inside this process, without a server to install.
 */
#ifndef VR_KAFKA_DEV_H
#define VR_KAFKA_DEV_H

#include <stdbool.h>
#include <stddef.h>

struct kafka_dev;

/* A cluster of 1..9 brokers; NULL and err when it cannot start. */
struct kafka_dev *kafka_dev_start(int brokers, char *err, size_t errlen);
/* Stop the cluster (NULL is a no-op). */
void kafka_dev_free(struct kafka_dev *d);

/* "127.0.0.1:PORT,..." */
const char *kafka_dev_bootstraps(const struct kafka_dev *d);

/* Create a topic; VR_OK, or VR_EIO with err naming Kafka's error. */
int kafka_dev_topic(struct kafka_dev *d, const char *name, int partitions, char *err,
		    size_t errlen);
/* Take broker id (1..N) down or bring it up again. */
void kafka_dev_broker(struct kafka_dev *d, int id, bool up);
/* Fail the next n produce requests with Kafka error code code. */
void kafka_dev_produce_errors(struct kafka_dev *d, int n, int code);

/* Produce one message (copied) to topic, waiting while the queue is full. */
int kafka_dev_produce(struct kafka_dev *d, const char *topic, const void *data, size_t len);
/* The same with the message's timestamp (CreateTime, ms since the epoch; 0: now). */
int kafka_dev_produce_at(struct kafka_dev *d, const char *topic, const void *data, size_t len,
			 long long timestamp_ms);
/* Wait up to ms for every produced message: VR_OK or VR_ETIMEDOUT-like VR_EIO. */
int kafka_dev_flush(struct kafka_dev *d, int ms);

/* One message read back, with the headers asked for ("" when absent). */
struct kafka_dev_msg {
	const void *payload;
	size_t len;
	const char *hdr[8];
	size_t hdr_len[8];
};

/*
 * Read partition 0 of topic from its beginning until expect messages were
 * seen or wait_ms passed; fn sees each with the values of headers (at most
 * 8 names).  Returns the number seen.
 */
unsigned long kafka_dev_read(const char *bootstrap, const char *topic, unsigned long expect,
			     int wait_ms, const char *const *headers, size_t n_headers,
			     void (*fn)(void *ud, const struct kafka_dev_msg *m), void *ud);

#endif
