/*
 * log.h - the service's log: one JSON object per line on stderr.
 *
 *   {"ts":"2026-11-27T13:02:11.120Z","level":"warn","msg":"store unavailable",...}
 *
 * Messages are written by vroeg's own code and never carry client data
 * (BSN, name, address, contact details): positions (topic/partition:offset)
 * and pseudonyms identify records.  Extra fields are given as pairs of
 * key and already-formatted JSON value text.
 */
#ifndef VR_LOG_H
#define VR_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level min);
/* Parse "debug", "info", "warn", "error"; -1 when unknown. */
int log_level_parse(const char *s);

/* printf-style message. */
void vlog(enum log_level lv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
