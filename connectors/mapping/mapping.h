/*
 * mapping.h - a partner topic's format, turned into canonical signal JSON.
 *
 * Each partner topic has a mapping ([topic NAME] section of the config
 * file, docs/connectors.md): the partner type, the organisation when the
 * message does not say, and the format of its messages:
 *
 *   format = json      canonical signal JSON (docs/formats.md); passed to
 *                      the engine as it is, with the topic's partner as
 *                      default (struct sig_defaults)
 *   format = csv       one CSV record per message (RFC 4180, read with
 *                      libcsv: a quoted value may hold the delimiter,
 *                      quotes and line breaks), with a header line
 *                      (csv.header = true, the default) or with the
 *                      columns named in csv.columns; csv.delimiter (',')
 *   format = mapped    a partner's own JSON shape
 *
 * For csv and mapped, `field.<canonical path> = <source> [| <conversion>]`
 * names where each canonical field comes from (a CSV column, or a dotted
 * path into the partner's JSON), and `const.<canonical path> = <value>`
 * gives a fixed value.  Conversions: `euros` (whole or decimal euros, with
 * '.' or ',' as decimal separator, rounded half up to whole euros), `cents`
 * (integer cents, rounded half up), `int`, `date:<pattern>` (e.g.
 * date:DD-MM-YYYY, date:YYYYMMDD), `bool:<true>/<false>` (e.g. bool:J/N;
 * other values are a mapping error), `string` (the default).
 *
 * An empty CSV cell, or a JSON path that is missing, null or "", leaves the
 * field out of the record, as if a canonical record lacked it.
 *
 * Mapping never validates the signal: it only moves and converts fields,
 * and the engine validates the result like any canonical record, so a
 * partner format gets exactly the same checks and reject codes.  What
 * cannot be mapped (a CSV record with the wrong number of columns, a date
 * that does not fit its pattern, a message that is not JSON) is rejected
 * with code `mapping` and a message that names the field or column, never
 * its value (it may be a BSN or a name).
 */
#ifndef VR_MAPPING_H
#define VR_MAPPING_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "jsonw.h"
#include "signal.h"

enum map_format { MAP_JSON, MAP_CSV, MAP_MAPPED };

struct mapping;

/*
 * The mapping of topic from the config section `topic <topic>`; NULL and
 * err ("path:line: message") when the section is wrong: unknown partner
 * type, unknown format, unknown canonical field, bad conversion, csv
 * columns that the mapping names but the header list lacks.
 */
struct mapping *mapping_from_conf(const struct conf *c, const char *topic, char *err,
				  size_t errlen);
void mapping_free(struct mapping *m);

enum map_format mapping_format(const struct mapping *m);
/* csv: does every message start with a header line (csv.header)? */
bool mapping_csv_header(const struct mapping *m);
const char *mapping_topic(const struct mapping *m);
/* The topic's partner and organisation, for struct engine_rec.def. */
const struct sig_defaults *mapping_defaults(const struct mapping *m);

/*
 * Turn one message into a canonical record.  For MAP_JSON the message is
 * the record: *out_data and *out_len point at msg.  Otherwise the canonical
 * JSON is written to buf (reset first) and *out_data and *out_len point into it.
 * Returns VR_OK, or VR_EINVAL with err->code REJ_MAPPING and a message
 * (REJ_TOO_LONG for a message over SIG_LINE_MAX or a record that does not
 * fit buf), or VR_ENOMEM.  m is only read: one mapping may serve several
 * threads, each with its own buf.
 */
int mapping_apply(const struct mapping *m, const char *msg, size_t len, struct jbuf *buf,
		  const char **out_data, size_t *out_len, struct sig_error *err);

/*
 * CSV files (replay --mapping): the header record is read once, and each
 * row is mapped with it as the message "header + row" would be.  A header
 * that does not serve the mapping (a column missing or named twice, a
 * header over MAP_HEADER_MAX bytes) is not an error by itself: every row
 * is rejected with its reason, as each Kafka message would be.  NULL only
 * when out of memory.
 */
struct map_header;
struct map_header *mapping_header_new(const struct mapping *m, const char *text, size_t len);
void mapping_header_free(struct map_header *h);
/* As mapping_apply, for one row of a CSV file: SIG_LINE_MAX applies to the row. */
int mapping_apply_row(const struct mapping *m, const struct map_header *h, const char *row,
		      size_t len, struct jbuf *buf, const char **out_data, size_t *out_len,
		      struct sig_error *err);
/* csv: the delimiter (csv.delimiter). */
char mapping_csv_delim(const struct mapping *m);

/*
 * Where the records of a CSV file end, when a quoted value may hold line
 * breaks (RFC 4180).  Feed the lines of a record one by one, without their
 * line end: csv_ends_line() is true when the record ends with that line
 * (its quotes are closed, or it cannot be read: the mapping then rejects
 * it).  csv_ends_fields() counts the record's fields so far;
 * csv_ends_reset() starts a new record.
 */
struct csv_ends;
struct csv_ends *csv_ends_new(char delim);
bool csv_ends_line(struct csv_ends *e, const char *line, size_t len);
size_t csv_ends_fields(const struct csv_ends *e);
void csv_ends_reset(struct csv_ends *e);
void csv_ends_free(struct csv_ends *e);

/* The keys of a [topic NAME] section (mapping_keys.c), for the config checker. */
extern const struct conf_key mapping_conf_keys[];

#endif
