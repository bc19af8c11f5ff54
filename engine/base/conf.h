/*
 * conf.h - the service's config file: `key = value` lines in [sections].
 *
 *   # a comment (a whole line; '#' inside a value is part of the value)
 *   [store]
 *   url = redis://127.0.0.1:6379/0?prefix=vroeg:0344:
 *   [kafka]
 *   bootstrap.servers = kafka-1:9092
 *   [topic signals.huur]
 *   partner = Huur
 *
 * A section name is one word, optionally followed by an argument
 * ("topic signals.huur"); keys are letters, digits, '.', '_' and '-'.
 * Values run to the end of the line, trimmed; a value in double quotes
 * keeps its spaces.  A key given twice in one section is an error, so a
 * typo cannot silently shadow a setting.
 *
 * Environment overrides (conf_apply_env): VROEG_<SECTION>_<KEY>, upper case,
 * with '.' and '-' as '_', replaces the value of that key in a section
 * without an argument: VROEG_STORE_URL sets [store] url,
 * VROEG_KAFKA_BOOTSTRAP_SERVERS sets [kafka] bootstrap.servers.  Keys of
 * [kafka] the file does not have can be added the same way (their '_'
 * read back as '.').
 */
#ifndef VR_CONF_H
#define VR_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct conf_entry {
	const char *section;  /* "store", "topic signals.huur", "" before any [section] */
	const char *key;
	const char *value;
	int line;             /* 0 when set from the environment */
};

struct conf;

/* Parse a file; on error NULL and err = "path:line: message". */
struct conf *conf_load(const char *path, char *err, size_t errlen);
/* Parse text (name is used in messages). */
struct conf *conf_parse(const char *text, size_t len, const char *name, char *err,
			size_t errlen);
void conf_free(struct conf *c);

/*
 * Apply VROEG_* overrides from envp (NULL-terminated, as environ).  known
 * lists more keys a variable may set when the file lacks them, as pairs of
 * section and key ("store", "url", ..., NULL).  With known, a VROEG_*
 * variable that sets no key (and is no VROEG_KAFKA_* property) is an
 * error naming it; known NULL ignores such variables.
 */
int conf_apply_env(struct conf *c, char *const *envp, const char *const *known, char *err,
		   size_t errlen);

/* Where section/key is set, for messages: "file:line", the environment
 * variable, or the file's name when it is not set. */
void conf_where(const struct conf *c, const char *section, const char *key, char *out,
		size_t n);

/* The value of section/key, or NULL. */
const char *conf_get(const struct conf *c, const char *section, const char *key);
/* Number in [min, max]; absent gives def.  VR_EINVAL with err naming the key. */
int conf_get_long(const struct conf *c, const char *section, const char *key, long min,
		  long max, long def, long *out, char *err, size_t errlen);
/* true/false, yes/no, on/off, 1/0; absent gives def. */
int conf_get_bool(const struct conf *c, const char *section, const char *key, bool def,
		  bool *out, char *err, size_t errlen);

/* All entries, in file order (environment additions last). */
size_t conf_count(const struct conf *c);
const struct conf_entry *conf_at(const struct conf *c, size_t i);

/*
 * Key tables: every module that reads the config declares the keys it
 * reads in a table of its own, next to the code that reads them, and the
 * checker takes the union (conf_check), so a key list is written once.
 * A table ends with an entry whose section is NULL.
 */
enum conf_type {
	CONF_STR,   /* any text */
	CONF_LONG,  /* a whole number in [min, max] */
	CONF_BOOL,  /* true/false, yes/no, on/off, 1/0 */
	CONF_PASS,  /* key "*": any key, checked by its reader (librdkafka, a mapping) */
};

struct conf_key {
	const char *section;  /* "engine"; "topic *": every section "topic NAME";
			       * "sink.*": every section "sink.NAME" */
	const char *key;      /* "batch"; "field.": every key with that prefix; "*" any */
	enum conf_type type;
	const char *def;      /* the default, as documentation; NULL: none or required */
	const char *help;
	long min, max;        /* CONF_LONG */
};

/*
 * Check c against the union of tables (a NULL-terminated array of tables):
 * an unknown section or key, or a number or boolean that does not parse,
 * is an error naming file:line (or the environment variable).
 */
int conf_check(const struct conf *c, const struct conf_key *const *tables, char *err,
	       size_t errlen);

/* The same for the entries of one section against one table. */
int conf_check_section(const struct conf *c, const char *section,
		       const struct conf_key *table, char *err, size_t errlen);

/* conf_apply_env with the plain keys of tables as the known keys. */
int conf_apply_env_keys(struct conf *c, char *const *envp,
			const struct conf_key *const *tables, char *err, size_t errlen);

/* Every key of tables with its default and help, one per line. */
void conf_print_keys(FILE *f, const struct conf_key *const *tables);

/* The name of the file parsed (for messages). */
const char *conf_name(const struct conf *c);

#endif
