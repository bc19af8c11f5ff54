/*
 * send_http.c - drives the HTTP sink for its tests: sends N tasks as one
 * group, serves the sink until every one is delivered or failed for good
 * (or time runs out), and prints what happened as one JSON line:
 *   {"delivered":D,"failed":F,"retried":R,"pending":P,"seconds":S}
 * usage: send_http --url URL --n N [--secret-file F] [--timeout-ms T]
 *                  [--max-seconds S] [--inflight K] [--zgw JWT_SECRET_FILE]
 * Task i has the key "task-i" (its Idempotency-Key) and a body that names
 * it.  With --zgw the sink is the ZGW sink (sink_zgw.h) on the API root URL,
 * and each body a small task of its own.  Exit 0 when nothing is pending at
 * the end, 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sink.h"
#include "sink_http.h"
#include "sink_zgw.h"
#include "vr.h"

int main(int argc, char **argv)
{
	struct sink_http_conf c = {0};
	const char *zgw = NULL;
	int n = 10;
	double max_s = 60;
	char err[256];
	for (int i = 1; i + 1 < argc; i += 2) {
		const char *a = argv[i], *v = argv[i + 1];
		if (strcmp(a, "--url") == 0)
			c.url = v;
		else if (strcmp(a, "--n") == 0)
			n = atoi(v);
		else if (strcmp(a, "--secret-file") == 0)
			c.secret_file = v;
		else if (strcmp(a, "--timeout-ms") == 0)
			c.timeout_ms = atol(v);
		else if (strcmp(a, "--max-seconds") == 0)
			max_s = atof(v);
		else if (strcmp(a, "--inflight") == 0)
			c.max_inflight = atoi(v);
		else if (strcmp(a, "--zgw") == 0)
			zgw = v;
		else {
			fprintf(stderr, "send_http: unknown option %s\n", a);
			return 2;
		}
	}
	log_set_level(LOG_ERROR);
	c.connect_timeout_ms = 1000;
	struct sink_zgw_conf z = {
		.url = c.url, .rsin = "002220647", .client_id = "send_http", .secret_file = zgw,
		.zaaktype = "https://catalogi.example.nl/catalogi/api/v1/zaaktypen/1",
		.roltype = "https://catalogi.example.nl/catalogi/api/v1/roltypen/1",
		.timeout_ms = c.timeout_ms, .connect_timeout_ms = 1000,
		.max_inflight = c.max_inflight,
	};
	struct sink *s = zgw ? sink_zgw_open(&z, "zaken", err, sizeof(err))
			     : sink_http_open(&c, "webhook", err, sizeof(err));
	if (!s) {
		fprintf(stderr, "send_http: %s\n", err);
		return 2;
	}
	sink_set_retry(s, &(struct sink_retry){100, 1000});
	struct sink_group g = {0};
	double t0 = vr_mono_now();
	for (int i = 0; i < n; i++) {
		char key[32], body[400];
		snprintf(key, sizeof(key), "task-%d", i);
		int len = zgw ? snprintf(body, sizeof(body),
					 "{\"task_id\":\"%s\",\"case_id\":\"c-%d\",\"priority\":"
					 "\"crisis\",\"due\":\"2024-01-04\",\"issued\":\"2024-01-01\","
					 "\"signals\":[],\"contact\":{\"naam\":\"Test\"}}", key, i)
			      : snprintf(body, sizeof(body), "{\"task_id\":\"%s\",\"n\":%d}", key, i);
		struct sink_msg m = {.key = key, .key_len = strlen(key), .body = body,
				     .len = (size_t)len};
		if (sink_send(s, &m, &g) != VR_OK) {
			fprintf(stderr, "send_http: cannot send\n");
			return 2;
		}
	}
	while (!sink_group_done(&g) && vr_mono_now() - t0 < max_s)
		sink_poll(s, 50);
	struct sink_stats st;
	sink_stats(s, &st);
	printf("{\"delivered\":%lu,\"failed\":%lu,\"retried\":%lu,\"pending\":%ld,"
	       "\"seconds\":%.2f}\n",
	       st.delivered, st.failed, st.retried, g.pending, vr_mono_now() - t0);
	long pending = g.pending;
	sink_close(s);
	return pending ? 1 : 0;
}
