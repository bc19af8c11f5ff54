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
 * opened with fopen mode ("a" or "w"); lines are written in blocks of
 * block bytes (0: 1 MiB) and by sink_flush().  NULL and err when the file
 * cannot be opened.
 */
struct sink *sink_file_open(const char *path, const char *mode, size_t block, char *err,
			    size_t errlen);

#endif
