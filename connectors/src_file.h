/*
 * src_file.h - JSONL (or CSV) records from a file or stdin, in batches.
 *
 * Reads in large blocks and hands out records that point into its buffer,
 * so the engine parses them in place.  A line longer than SIG_LINE_MAX is
 * not buffered: it is skipped to its newline and returned with its full
 * length and no readable bytes, which the engine rejects as too long.
 * Blank lines are not records; line numbers still count them.  Lines end
 * in LF, CRLF (the CR is dropped) or, in a file without any LF, CR.
 */
#ifndef VR_SRC_FILE_H
#define VR_SRC_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"

struct src_file;

/* path "-" reads stdin.  Returns NULL and fills err when it cannot open. */
struct src_file *src_file_open(const char *path, char *err, size_t errlen);
void src_file_close(struct src_file *f);

/*
 * Read CSV records (replay --mapping of a CSV file): a line end inside a
 * quoted value does not end the record, which then spans lines; its
 * position is its first line.  A record still open after SIG_LINE_MAX
 * bytes, or whose lines do not make a whole record (as many fields as the
 * first record), is its first line alone.  VR_ENOMEM.
 */
int src_file_set_csv(struct src_file *f, char delim);

/*
 * Fill at most max records; they stay valid until the next call.  Returns the
 * count, 0 at the end of input, or VR_EIO on a read error.
 */
long src_file_next(struct src_file *f, struct engine_rec *recs, size_t max);

/* Bytes consumed so far and the file's size (0 when unknown, e.g. a pipe). */
uint64_t src_file_offset(const struct src_file *f);
uint64_t src_file_size(const struct src_file *f);

#endif
