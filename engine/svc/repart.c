/*
 * repart.c - the repartition stage: one writer per household when several
 * `vroeg run` instances share a consumer group (docs/connectors.md,
 * "Several instances").
 *
 * Partitions of the partner topics are spread over the instances, so two
 * instances would hold signals of one household at the same moment.  With
 * [connector] repartition.topic set, every instance runs two stages on its
 * one consumer, as Kafka Streams does with a repartition topic:
 *
 *   1. A partner message is mapped and validated, and its state key (the
 *      household pseudonym, engine_state_key()) computed.  The mapped
 *      record is sealed under the contact key with that key as associated
 *      data and produced to the repartition topic, keyed by the pseudonym,
 *      with headers naming where it came from.  Nothing personal is in the
 *      clear on the topic.  A message that does not map or validate is
 *      decided as rejected here (its dead letter names the partner topic).
 *   2. A message of the repartition topic is opened and decided by the
 *      engine as the partner message would have been: same record, same
 *      partner defaults, same receipt time, and its decision names the
 *      partner topic, partition and offset.
 *
 * A household's records all land on one partition of the repartition topic,
 * and the group gives that partition to one instance: one writer.  Both
 * stages belong to the batch they were read in: a partner message's offset
 * is stored once its record is acknowledged by the topic (and its batch
 * retires), a repartition message's once it is stored and its feedback
 * acknowledged.  A crash in between sends a record twice; the second is a
 * redelivery the engine recognises (at-least-once, as without the stage).
 */
#include "svc_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "contact.h"
#include "log.h"
#include "vr.h"

#define H_TOPIC "vroeg.source.topic"
#define H_PART "vroeg.source.partition"
#define H_OFFSET "vroeg.source.offset"
#define H_RECEIVED "vroeg.received.ms"

/* Is t a topic vroeg reads or writes otherwise? */
static bool topic_taken(const struct svc *r, const char *t)
{
	const char *oc = conf_get(r->cf, "outcomes", "topic");
	return svc_topic_used(r, t) || (oc && strcmp(oc, t) == 0);
}

/* [connector] dispatch.topic: with a repartition topic and dispatch only. */
static int check_dispatch_topic(const struct svc *r, char *err, size_t n)
{
	const char *d = conf_get(r->cf, "connector", "dispatch.topic");
	bool tasks = svc_wants_tasks(r->cf);
	char at[300];
	if (!d && (!r->repart_topic[0] || !tasks))
		return VR_OK;
	if (!d) {
		conf_where(r->cf, "connector", "repartition.topic", at, sizeof(at));
		snprintf(err, n, "%s: [connector] repartition.topic with [team] or [sink.NAME] "
			 "sections needs [connector] dispatch.topic, a topic of one partition: team "
			 "queues, capacity and the outbox are kept by one instance, the one that "
			 "owns it (docs/connectors.md, \"Several instances\")", at);
		return VR_EINVAL;
	}
	conf_where(r->cf, "connector", "dispatch.topic", at, sizeof(at));
	if (!r->repart_topic[0] || !tasks) {
		snprintf(err, n, "%s: [connector] dispatch.topic is for several instances with "
			 "dispatch: it needs [connector] repartition.topic and a [team] or "
			 "[sink.NAME] section", at);
		return VR_EINVAL;
	}
	const char *url = conf_get(r->cf, "store", "url");
	if (!url || store_url_is_memory(url)) {
		snprintf(err, n, "%s: [connector] dispatch.topic needs the Redis store: the "
			 "dispatching instance takes the queues over from it", at);
		return VR_EINVAL;
	}
	if (!d[0] || strlen(d) >= 256 || strcmp(d, r->repart_topic) == 0 || topic_taken(r, d)) {
		snprintf(err, n, "%s: [connector] dispatch.topic must be a topic of its own (not a "
			 "partner, repartition, dead-letter, feedback or outcomes topic), 1 to 255 "
			 "bytes", at);
		return VR_EINVAL;
	}
	return VR_OK;
}

int svc_setup_repart(struct svc *r, char *err, size_t n)
{
	const char *t = conf_get(r->cf, "connector", "repartition.topic");
	char at[300];
	if (!t)
		return check_dispatch_topic(r, err, n);
	conf_where(r->cf, "connector", "repartition.topic", at, sizeof(at));
	if (!t[0] || strlen(t) >= sizeof(r->repart_topic)) {
		snprintf(err, n, "%s: [connector] repartition.topic must be a topic name of 1 to "
			 "%zu bytes", at, sizeof(r->repart_topic) - 1);
		return VR_EINVAL;
	}
	snprintf(r->repart_topic, sizeof(r->repart_topic), "%s", t);
	for (size_t i = 0; i < r->n_maps; i++)
		if (strcmp(mapping_topic(r->maps[i]), t) == 0) {
			snprintf(err, n, "%s: [connector] repartition.topic %s is also a partner "
				 "topic ([topic %s]): the stages would read each other's records",
				 at, t, t);
			return VR_EINVAL;
		}
	if (topic_taken(r, t)) {
		snprintf(err, n, "%s: [connector] repartition.topic %s is also a dead-letter, "
			 "feedback or outcomes topic: it must be a topic of its own", at, t);
		return VR_EINVAL;
	}
	if (!conf_get(r->cf, "engine", "contact.key.file") || (!r->ck && !r->checking)) {
		snprintf(err, n, "%s: [connector] repartition.topic needs [engine] "
			 "contact.key.file: the records on it are sealed under that key, and every "
			 "instance must hold the same", at);
		return VR_EINVAL;
	}
	if (check_dispatch_topic(r, err, n) != VR_OK)
		return VR_EINVAL;
	if (!(r->rsig = malloc(sizeof(*r->rsig)))) {
		snprintf(err, n, "out of memory");
		return VR_ENOMEM;
	}
	r->repart = true;
	return VR_OK;
}

/* The associated data a record is sealed with: its household key and where
 * it came from, so a record opens only with the headers it was sent with
 * (moved to another key, partner topic or receipt, it does not open). */
#define AAD_MAX (HKEY_STRLEN + 256 + 16 + 24 + 24 + 8)
static void associated(char *out, const char *key, const char *topic, const char *part,
		       const char *off, const char *ms)
{
	snprintf(out, AAD_MAX, "%s\n%.255s/%s:%s@%s", key, topic, part, off, ms);
}

/* A stage-2 record that cannot be decided: rejected. */
static void reject(struct batch *b, size_t i, enum sig_reject code, const char *why)
{
	b->pre[i].code = code;
	snprintf(b->pre[i].msg, sizeof(b->pre[i].msg), "%s", why);
	b->recs[i].reject = &b->pre[i];
}

bool svc_repart_forward(struct svc *r, struct batch *b, size_t i)
{
	struct engine_rec *rec = &b->recs[i];
	const struct src_msg *m = &b->msgs[i];
	struct signal *s = r->rsig;
	char key[HKEY_STRLEN];
	struct hkey hk;

	if (rec->reject)
		return false; /* decided (rejected) here */
	int rc = sig_parse_def(rec->data, rec->len, clock_horizon(&r->clk), rec->def, s,
			       &b->pre[i]);
	if (rc == VR_OK)
		engine_state_key(r->e, s, &hk);
	/* The parsed signal holds the client in the clear: not kept. */
	OPENSSL_cleanse(&s->client, sizeof(s->client));
	if (rc != VR_OK) {
		rec->reject = &b->pre[i];
		return false;
	}
	char part[16], off[24], ms[24], aad[AAD_MAX];
	snprintf(part, sizeof(part), "%d", (int)m->partition);
	snprintf(off, sizeof(off), "%lld", m->offset);
	snprintf(ms, sizeof(ms), "%lld", m->timestamp_ms);
	hkey_format(&hk, key);
	associated(aad, key, m->topic, part, off, ms);
	size_t need = rec->len + CONTACT_SEAL_OVERHEAD, len = 0;
	if (need > r->rseal_cap) {
		unsigned char *p = realloc(r->rseal, need);
		if (p) {
			r->rseal = p;
			r->rseal_cap = need;
		}
	}
	if (need <= r->rseal_cap)
		len = contact_seal_msg(r->ck, aad, rec->data, rec->len, r->rseal);
	const struct sink_header h[] = {
		{H_TOPIC, m->topic}, {H_PART, part}, {H_OFFSET, off}, {H_RECEIVED, ms},
	};
	const struct sink_msg out = {r->repart_topic, key, strlen(key), r->rseal, len,
				     h, VR_ARRAY_LEN(h)};
	if (!len || sink_send(r->kafka, &out, &b->fg) != VR_OK) {
		/* Not a fault of the record: stop, committing nothing; the
		 * restart reads it again. */
		vlog(LOG_ERROR, "cannot forward a record to repartition topic %s: out of memory "
		     "or no AES-256-GCM; stopping", r->repart_topic);
		r->fatal = true;
		return true;
	}
	r->res->forwarded++;
	return true;
}

static bool parse_ll(const char *s, long long *out)
{
	char *end;
	if (!s[0])
		return false;
	*out = strtoll(s, &end, 10);
	return *end == '\0';
}

void svc_repart_open(struct svc *r, struct batch *b, size_t i)
{
	struct engine_rec *rec = &b->recs[i];
	const struct src_msg *m = &b->msgs[i];
	char topic[256], part[16], off[24], ms[24], key[HKEY_STRLEN], aad[AAD_MAX];
	long long p, o, t;
	struct mapping *map;

	if (!src_header_str(r->src, m, H_TOPIC, topic, sizeof(topic)) ||
	    !src_header_str(r->src, m, H_PART, part, sizeof(part)) || !parse_ll(part, &p) ||
	    !src_header_str(r->src, m, H_OFFSET, off, sizeof(off)) || !parse_ll(off, &o) ||
	    !src_header_str(r->src, m, H_RECEIVED, ms, sizeof(ms)) || !parse_ll(ms, &t)) {
		reject(b, i, REJ_SEALED, "repartition record without the headers naming its "
		       "partner topic, partition, offset and receipt");
		return;
	}
	if (!(map = svc_mapping_of(r, topic))) {
		char why[SIG_REASON_MAX];
		snprintf(why, sizeof(why), "repartition record from topic %.60s, which has "
			 "no [topic] section here", topic);
		reject(b, i, REJ_SEALED, why);
		return;
	}
	if (!m->key || m->key_len != HKEY_STRLEN - 1 || !m->payload) {
		reject(b, i, REJ_SEALED, "repartition record without its household key");
		return;
	}
	memcpy(key, m->key, HKEY_STRLEN - 1);
	key[HKEY_STRLEN - 1] = '\0';
	struct jbuf *plain = &b->mapped[i];
	jbuf_reset(plain);
	if (m->len < CONTACT_SEAL_OVERHEAD ||
	    !jbuf_reserve(plain, m->len - CONTACT_SEAL_OVERHEAD + 1)) {
		reject(b, i, REJ_SEALED, "repartition record too short or too long");
		return;
	}
	associated(aad, key, topic, part, off, ms);
	long n = contact_open(r->ck, aad, m->payload, m->len, plain->p, plain->cap);
	if (n < 0) {
		reject(b, i, REJ_SEALED, "repartition record does not open with this contact key "
		       "for its household key and headers");
		return;
	}
	plain->len = (size_t)n;
	rec->data = plain->p;
	rec->len = plain->len;
	rec->def = mapping_defaults(map);
	rec->received_ms = t;
	rec->pos = (long)o;
	snprintf(b->where[i], SVC_WHERE_MAX, "%s/%lld", topic, p);
	rec->source = b->where[i];
}
