/*
 * log.c - JSON log lines on stderr.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "jsonw.h"

static enum log_level min_level = LOG_INFO;
static const char *const names[] = {"debug", "info", "warn", "error"};

void log_set_level(enum log_level min)
{
	min_level = min;
}

int log_level_parse(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

void vlog(enum log_level lv, const char *fmt, ...)
{
	char msg[1024], ts[40];
	struct timespec now;
	struct tm tm;
	struct jbuf b;
	va_list ap;

	if (lv < min_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	size_t n = strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + n, sizeof(ts) - n, ".%03ldZ", now.tv_nsec / 1000000);

	jbuf_init(&b, sizeof(msg) * 8);
	bool first = true;
	jbuf_lit(&b, "{");
	jbuf_key(&b, "ts", &first);
	jbuf_str(&b, ts);
	jbuf_key(&b, "level", &first);
	jbuf_str(&b, names[lv]);
	jbuf_key(&b, "msg", &first);
	jbuf_str(&b, msg);
	jbuf_lit(&b, "}\n");
	if (jbuf_ok(&b))
		fwrite(b.p, 1, b.len, stderr);
	jbuf_fini(&b);
}
