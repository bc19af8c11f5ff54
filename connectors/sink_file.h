/*
 * sink_file.h - the file sink: JSON lines (decisions, cases) to a file.
 */
#ifndef VR_SINK_FILE_H
#define VR_SINK_FILE_H

#include <stddef.h>

#include "conf.h"
#include "sink.h"

/* [output] decisions and cases of the service's config. */
extern const struct conf_key sink_file_conf_keys[];

/*
 * A sink writing each message's body, as it is, to path ("-": stdout),
 * opened with fopen mode ("a+" to append and recover, or "w"); lines are written in blocks of
 * block bytes (0: 1 MiB) and by sink_flush().  NULL and err when the file
 * cannot be opened.
 */
struct sink *sink_file_open(const char *path, const char *mode, size_t block, char *err,
			    size_t errlen);

/*
 * After a crash: a last line without its line end (a write cut short) is
 * cut off the file, and fn sees every complete line of its last max_bytes,
 * so a restart can tell what is already written.  VR_OK, or VR_EIO with
 * err naming the path and errno.  Only for a sink opened on a file.
 */
int sink_file_recover(struct sink *s, size_t max_bytes,
		      void (*fn)(void *ud, const char *line, size_t len), void *ud, char *err,
		      size_t errlen);

#endif
