/*
 * mapping_int.h - a topic mapping in its compiled form, for the files that
 * implement mapping.h: mapping.c (the config and the API), convert.c (field
 * conversions), csv.c (the CSV reader) and json.c (partner JSON).
 *
 * A struct mapping is built once by mapping_from_conf() and only read
 * afterwards, so one mapping may serve several threads.  A message's values
 * (struct mval) point into the message, the mapping or their own tmp, and
 * live as long as the message.
 */
#ifndef VR_MAPPING_INT_H
#define VR_MAPPING_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "mapping.h"

#define MAP_COLS_MAX 256        /* columns in one CSV record */
#define MAP_HEADER_MAX (1 << 20) /* bytes in a CSV file's header record */
#define MAP_DATE_PATTERN_MAX 32
#define MAP_NUMBER_MAX 1000000000000000LL /* |value| of an int, cents or euros */

/* The type a canonical field has in the output, and the conversions it takes. */
enum ctype { CT_STR, CT_DATE, CT_INT, CT_BOOL };

struct canon {
	const char *path;
	const char *group; /* enclosing object, or NULL */
	const char *key;
	enum ctype type;
};

/* The canonical fields in output order (mapping.c). */
extern const struct canon map_canon[];
#define CANON_COUNT 22 /* entries of map_canon[]; mapping.c asserts the count */

enum conv { CONV_STRING, CONV_INT, CONV_EUROS, CONV_CENTS, CONV_DATE, CONV_BOOL };

/* One field's value in one message (or a constant's, fixed at load). */
enum vkind { V_ABSENT = 0, V_STR, V_INT, V_BOOL };
struct mval {
	enum vkind kind;
	bool b;
	long long i;
	const char *s;  /* V_STR: borrowed from the message, the field or tmp */
	char tmp[24];
};

struct map_field {
	size_t dst;         /* index into map_canon[] */
	char *src;          /* column name or dotted path; NULL for a constant */
	int col;            /* column index when csv.columns fixes them, else -1 */
	enum conv conv;
	char *arg_true;     /* bool: the true and false words; date: the pattern */
	char *arg_false;
	char *cstr;         /* a constant string's text */
	struct mval cval;   /* a constant's value */
};

struct mapping {
	char *topic;
	enum map_format format;
	struct sig_defaults def;
	char delim;
	bool header;
	char **columns;     /* csv.columns, when csv.header = false */
	size_t ncolumns;
	struct map_field fields[CANON_COUNT];
	size_t nfields;
};

/* mapping.c: vals as a canonical record into buf. */
int map_write_record(struct jbuf *buf, const struct mval *vals, struct sig_error *err);

/* convert.c */
/* A mapping error: err->code REJ_MAPPING, the message from fmt; VR_EINVAL. */
int map_fail(struct sig_error *err, const char *fmt, ...);
/* ASCII case-insensitive equality. */
bool map_word_eq(const char *a, const char *b);
/* A date:<pattern>: DD, MM and YYYY once each. */
bool map_date_pattern_is_valid(const char *p);
/* Whole euros from hundredths, half away from zero. */
long long map_round_cents(long long cents);
/* One text value (a CSV cell, a JSON string) for f; blank is absent. */
int map_convert_text(const struct mapping *m, const struct map_field *f, const char *s,
		     struct mval *v, struct sig_error *err);

/* csv.c: one CSV message into vals; cells has room for 2 * len + 2 bytes. */
int map_csv(const struct mapping *m, const char *msg, size_t len, struct mval *vals,
	    char *cells, struct sig_error *err);
/* csv.c: one row of a CSV file, with its file's header; cells as map_csv. */
int map_csv_row(const struct mapping *m, const struct map_header *h, const char *row,
		size_t len, struct mval *vals, char *cells, struct sig_error *err);

/* json.c */
/* A dotted path without empty parts (a.b.c). */
bool map_path_is_valid(const char *p);
/* One partner JSON message into vals, and the record into buf. */
int map_json(const struct mapping *m, const char *msg, size_t len, struct mval *vals,
	     struct jbuf *buf, struct sig_error *err);

#endif
