/*
 * conf.c - `key = value` config files with [sections] and VROEG_* overrides.
 */
#include "conf.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vr.h"

#define CONF_FILE_MAX (1u << 20)

struct conf {
	char *name;
	struct conf_entry *e;
	size_t n, cap;
};

static char *dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static struct conf_entry *find(const struct conf *c, const char *section, const char *key)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->e[i].section, section) == 0 && strcmp(c->e[i].key, key) == 0)
			return &c->e[i];
	return NULL;
}

/* Takes ownership of section, key and value (freed on failure). */
static int add(struct conf *c, char *section, char *key, char *value, int line)
{
	if (!section || !key || !value)
		goto fail;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 32;
		struct conf_entry *e = realloc(c->e, cap * sizeof(*e));
		if (!e)
			goto fail;
		c->e = e;
		c->cap = cap;
	}
	c->e[c->n++] = (struct conf_entry){section, key, value, line};
	return VR_OK;
fail:
	free(section);
	free(key);
	free(value);
	return VR_ENOMEM;
}

void conf_free(struct conf *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free((char *)c->e[i].section);
		free((char *)c->e[i].key);
		free((char *)c->e[i].value);
	}
	free(c->e);
	free(c->name);
	free(c);
}

static bool key_char(int ch)
{
	return isalnum(ch) || ch == '.' || ch == '_' || ch == '-';
}

static void trim(const char **s, const char **end)
{
	while (*s < *end && (**s == ' ' || **s == '\t'))
		(*s)++;
	while (*end > *s && ((*end)[-1] == ' ' || (*end)[-1] == '\t' || (*end)[-1] == '\r'))
		(*end)--;
}

/* "[name]" or "[name argument]": the section string, normalised to one space. */
static char *parse_section(const char *s, const char *end)
{
	s++; /* '[' */
	if (end <= s || end[-1] != ']')
		return NULL;
	end--;
	trim(&s, &end);
	const char *w = s;
	while (w < end && key_char((unsigned char)*w))
		w++;
	if (w == s)
		return NULL;
	const char *arg = w, *arg_end = end;
	trim(&arg, &arg_end);
	if (arg == arg_end) {
		if (w != end)
			return NULL;
		return dup_n(s, (size_t)(w - s));
	}
	if (arg == w) /* no space between the word and its argument */
		return NULL;
	for (const char *p = arg; p < arg_end; p++)
		if (!key_char((unsigned char)*p))
			return NULL;
	size_t nw = (size_t)(w - s), na = (size_t)(arg_end - arg);
	char *out = malloc(nw + na + 2);
	if (out) {
		memcpy(out, s, nw);
		out[nw] = ' ';
		memcpy(out + nw + 1, arg, na);
		out[nw + na + 1] = '\0';
	}
	return out;
}

static int parse_line(struct conf *c, const char *s, const char *end, int line,
		      const char **section, char *err, size_t errlen)
{
	trim(&s, &end);
	if (s == end || *s == '#' || *s == ';')
		return VR_OK;
	if (*s == '[') {
		char *sec = parse_section(s, end);
		if (!sec) {
			snprintf(err, errlen, "%s:%d: malformed section header (expected [name] "
				 "or [name argument])", c->name, line);
			return VR_EPARSE;
		}
		/* The caller owns the previous section string and frees it. */
		*section = sec;
		return VR_OK;
	}
	const char *k = s;
	while (s < end && key_char((unsigned char)*s))
		s++;
	const char *k_end = s;
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (k == k_end || s == end || *s != '=') {
		snprintf(err, errlen, "%s:%d: expected key = value", c->name, line);
		return VR_EPARSE;
	}
	const char *v = s + 1, *v_end = end;
	trim(&v, &v_end);
	if (v_end - v >= 2 && *v == '"' && v_end[-1] == '"') {
		v++;
		v_end--;
	}
	char *key = dup_n(k, (size_t)(k_end - k));
	if (key && find(c, *section, key)) {
		snprintf(err, errlen, "%s:%d: \"%s\" is set twice in [%s]", c->name, line, key,
			 *section);
		free(key);
		return VR_EPARSE;
	}
	if (add(c, strdup(*section), key, dup_n(v, (size_t)(v_end - v)), line)) {
		snprintf(err, errlen, "%s: out of memory", c->name);
		return VR_ENOMEM;
	}
	return VR_OK;
}

/* A [topic NAME] section without keys would silently consume nothing. */
static int check_empty(const struct conf *c, const char *section, int line, size_t entries,
		       char *err, size_t errlen)
{
	if (entries || strncmp(section, "topic ", 6) != 0)
		return VR_OK;
	snprintf(err, errlen, "%s:%d: [%s] has no keys: the topic needs at least partner = "
		 "<DDAS partner type>", c->name, line, section);
	return VR_EINVAL;
}

struct conf *conf_parse(const char *text, size_t len, const char *name, char *err,
			size_t errlen)
{
	struct conf *c = calloc(1, sizeof(*c));
	const char *section = "";
	char *owned = NULL;
	int line = 0, rc = VR_OK;

	if (!c || !(c->name = strdup(name))) {
		snprintf(err, errlen, "%s: out of memory", name);
		conf_free(c);
		return NULL;
	}
	if (memchr(text, '\0', len)) {
		snprintf(err, errlen, "%s: NUL byte in config file", name);
		conf_free(c);
		return NULL;
	}
	const char *p = text, *end = text + len;
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3; /* a UTF-8 byte order mark, as Windows editors write */
	int sec_line = 0;
	size_t sec_entries = 0;
	while (p < end && rc == VR_OK) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *before = section;
		line++;
		rc = parse_line(c, p, le, line, &section, err, errlen);
		if (section != before) {
			if (rc == VR_OK)
				rc = check_empty(c, before, sec_line, c->n - sec_entries, err, errlen);
			free(owned);
			owned = (char *)section;
			sec_line = line;
			sec_entries = c->n;
		}
		p = nl ? nl + 1 : end;
	}
	if (rc == VR_OK)
		rc = check_empty(c, section, sec_line, c->n - sec_entries, err, errlen);
	free(owned);
	if (rc != VR_OK) {
		conf_free(c);
		return NULL;
	}
	return c;
}

struct conf *conf_load(const char *path, char *err, size_t errlen)
{
	size_t n;
	char *buf = vr_read_file(path, CONF_FILE_MAX, &n, err, errlen);
	struct conf *c = NULL;
	if (!buf)
		return NULL;
	if (n > CONF_FILE_MAX)
		snprintf(err, errlen, "%s: larger than %u bytes", path, CONF_FILE_MAX);
	else
		c = conf_parse(buf, n, path, err, errlen);
	free(buf);
	return c;
}

/* VROEG_<SECTION>_<KEY> for a plain section and key. */
static void env_name(char *out, size_t n, const char *section, const char *key)
{
	size_t k = (size_t)snprintf(out, n, "VROEG_%s_%s", section, key);
	if (k >= n)
		k = n - 1;
	for (size_t i = 0; i < k; i++)
		out[i] = (out[i] == '.' || out[i] == '-') ? '_' : (char)toupper((unsigned char)out[i]);
}

/* A key the file lacks, set by its variable. */
static int env_add_known(struct conf *c, char *const *envp, const char *const *known)
{
	char name[256];
	for (const char *const *k = known; k && k[0] && k[1]; k += 2) {
		if (find(c, k[0], k[1]))
			continue;
		env_name(name, sizeof(name), k[0], k[1]);
		size_t n = strlen(name);
		for (char *const *ev = envp; *ev; ev++) {
			if (strncmp(*ev, name, n) == 0 && (*ev)[n] == '=') {
				if (add(c, strdup(k[0]), strdup(k[1]), strdup(*ev + n + 1), 0))
					return VR_ENOMEM;
				break;
			}
		}
	}
	return VR_OK;
}

int conf_apply_env(struct conf *c, char *const *envp, const char *const *known, char *err,
		   size_t errlen)
{
	char name[256];
	if (!envp)
		return VR_OK;
	if (env_add_known(c, envp, known))
		goto nomem;
	for (char *const *ev = envp; *ev; ev++) {
		const char *eq = strchr(*ev, '=');
		if (strncmp(*ev, "VROEG_", 6) != 0 || !eq)
			continue;
		size_t nlen = (size_t)(eq - *ev);
		bool used = false;
		for (size_t i = 0; i < c->n; i++) {
			struct conf_entry *e = &c->e[i];
			if (!e->section[0] || strchr(e->section, ' '))
				continue;
			env_name(name, sizeof(name), e->section, e->key);
			if (strlen(name) == nlen && memcmp(name, *ev, nlen) == 0) {
				char *v = strdup(eq + 1);
				if (!v)
					goto nomem;
				free((char *)e->value);
				e->value = v;
				e->line = 0;
				used = true;
			}
		}
		/* A librdkafka property the file does not set. */
		if (!used && nlen > 12 && strncmp(*ev, "VROEG_KAFKA_", 12) == 0) {
			char *key = dup_n(*ev + 12, nlen - 12);
			if (!key)
				goto nomem;
			for (char *p = key; *p; p++)
				*p = *p == '_' ? '.' : (char)tolower((unsigned char)*p);
			if (add(c, strdup("kafka"), key, strdup(eq + 1), 0))
				goto nomem;
		} else if (!used && known) {
			/* A typo in a variable must not leave a default in place. */
			snprintf(err, errlen, "%.*s matches no config key (vroeg run --keys lists "
				 "them)", (int)(nlen > 100 ? 100 : nlen), *ev);
			return VR_EINVAL;
		}
	}
	return VR_OK;
nomem:
	snprintf(err, errlen, "%s: out of memory", c->name);
	return VR_ENOMEM;
}

const char *conf_get(const struct conf *c, const char *section, const char *key)
{
	const struct conf_entry *e = find(c, section, key);
	return e ? e->value : NULL;
}

static void where(char *out, size_t n, const struct conf *c, const struct conf_entry *e)
{
	if (e->line)
		snprintf(out, n, "%s:%d", c->name, e->line);
	else
		env_name(out, n, e->section, e->key);
}

void conf_where(const struct conf *c, const char *section, const char *key, char *out,
		size_t n)
{
	const struct conf_entry *e = find(c, section, key);
	if (e)
		where(out, n, c, e);
	else
		snprintf(out, n, "%s", c->name);
}

int conf_get_long(const struct conf *c, const char *section, const char *key, long min,
		  long max, long def, long *out, char *err, size_t errlen)
{
	const struct conf_entry *e = find(c, section, key);
	char at[300];
	*out = def;
	if (!e)
		return VR_OK;
	char *end;
	errno = 0;
	long v = strtol(e->value, &end, 10);
	if (errno || end == e->value || *end || v < min || v > max) {
		where(at, sizeof(at), c, e);
		snprintf(err, errlen, "%s: [%s] %s must be a whole number from %ld to %ld", at,
			 section, key, min, max);
		return VR_EINVAL;
	}
	*out = v;
	return VR_OK;
}

int conf_get_bool(const struct conf *c, const char *section, const char *key, bool def,
		  bool *out, char *err, size_t errlen)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};
	const struct conf_entry *e = find(c, section, key);
	char at[300];
	*out = def;
	if (!e)
		return VR_OK;
	for (size_t i = 0; i < 4; i++) {
		if (strcmp(e->value, yes[i]) == 0) {
			*out = true;
			return VR_OK;
		}
		if (strcmp(e->value, no[i]) == 0) {
			*out = false;
			return VR_OK;
		}
	}
	where(at, sizeof(at), c, e);
	snprintf(err, errlen, "%s: [%s] %s must be true or false", at, section, key);
	return VR_EINVAL;
}

size_t conf_count(const struct conf *c)
{
	return c->n;
}

const struct conf_entry *conf_at(const struct conf *c, size_t i)
{
	return i < c->n ? &c->e[i] : NULL;
}

const char *conf_name(const struct conf *c)
{
	return c->name;
}

static bool section_is(const char *pattern, const char *section)
{
	size_t n = strlen(pattern);
	if (n >= 2 && strcmp(pattern + n - 2, " *") == 0)
		return strncmp(section, pattern, n - 1) == 0 && section[n - 1];
	/* "sink.*": every "sink.NAME" */
	if (n >= 2 && strcmp(pattern + n - 2, ".*") == 0)
		return strncmp(section, pattern, n - 1) == 0 && section[n - 1] &&
		       !strchr(section, ' ');
	return strcmp(section, pattern) == 0;
}

static bool key_is(const char *pattern, const char *key)
{
	size_t n = strlen(pattern);
	if (strcmp(pattern, "*") == 0)
		return true;
	if (n && pattern[n - 1] == '.')
		return strncmp(key, pattern, n) == 0 && key[n];
	return strcmp(key, pattern) == 0;
}

static int check_value(const struct conf *c, const struct conf_entry *e,
		       const struct conf_key *k, char *err, size_t errlen)
{
	long l;
	bool b;
	if (k->type == CONF_LONG)
		return conf_get_long(c, e->section, e->key, k->min, k->max, 0, &l, err, errlen);
	if (k->type == CONF_BOOL)
		return conf_get_bool(c, e->section, e->key, false, &b, err, errlen);
	return VR_OK;
}

int conf_check(const struct conf *c, const struct conf_key *const *tables, char *err,
	       size_t errlen)
{
	char at[300];
	for (size_t i = 0; i < c->n; i++) {
		const struct conf_entry *e = &c->e[i];
		const struct conf_key *match = NULL;
		bool section_known = false;
		for (const struct conf_key *const *t = tables; *t && !match; t++)
			for (const struct conf_key *k = *t; k->section && !match; k++) {
				if (!section_is(k->section, e->section))
					continue;
				section_known = true;
				if (key_is(k->key, e->key))
					match = k;
			}
		where(at, sizeof(at), c, e);
		if (!section_known) {
			snprintf(err, errlen, "%s: unknown section [%s]", at, e->section);
			return VR_EINVAL;
		}
		if (!match) {
			snprintf(err, errlen, "%s: unknown key \"%s\" in [%s]", at, e->key,
				 e->section);
			return VR_EINVAL;
		}
		if (check_value(c, e, match, err, errlen))
			return VR_EINVAL;
	}
	return VR_OK;
}

int conf_check_section(const struct conf *c, const char *section,
		       const struct conf_key *table, char *err, size_t errlen)
{
	char at[300];
	for (size_t i = 0; i < c->n; i++) {
		const struct conf_entry *e = &c->e[i];
		if (strcmp(e->section, section) != 0)
			continue;
		const struct conf_key *match = NULL;
		for (const struct conf_key *k = table; k->section && !match; k++)
			if (section_is(k->section, section) && key_is(k->key, e->key))
				match = k;
		if (!match) {
			where(at, sizeof(at), c, e);
			snprintf(err, errlen, "%s: unknown key \"%s\" in [%s]", at, e->key,
				 section);
			return VR_EINVAL;
		}
		if (check_value(c, e, match, err, errlen))
			return VR_EINVAL;
	}
	return VR_OK;
}

int conf_apply_env_keys(struct conf *c, char *const *envp,
			const struct conf_key *const *tables, char *err, size_t errlen)
{
	size_t n = 0;
	for (const struct conf_key *const *t = tables; *t; t++)
		for (const struct conf_key *k = *t; k->section; k++)
			n++;
	const char **known = calloc(2 * n + 1, sizeof(*known));
	if (!known) {
		snprintf(err, errlen, "%s: out of memory", c->name);
		return VR_ENOMEM;
	}
	size_t at = 0;
	for (const struct conf_key *const *t = tables; *t; t++)
		for (const struct conf_key *k = *t; k->section; k++) {
			size_t kl = strlen(k->key);
			if (strchr(k->section, ' ') || strcmp(k->key, "*") == 0 ||
			    (kl && k->key[kl - 1] == '.'))
				continue; /* no plain key: nothing to name in a variable */
			known[at++] = k->section;
			known[at++] = k->key;
		}
	int rc = conf_apply_env(c, envp, known, err, errlen);
	free(known);
	return rc;
}

void conf_print_keys(FILE *f, const struct conf_key *const *tables)
{
	const char *last = "";
	for (const struct conf_key *const *t = tables; *t; t++)
		for (const struct conf_key *k = *t; k->section; k++) {
			if (strcmp(k->section, last) != 0)
				fprintf(f, "%s[%s]\n", last[0] ? "\n" : "", k->section);
			last = k->section;
			if (k->def)
				fprintf(f, "  %-20s %s (default %s)\n", k->key, k->help, k->def);
			else
				fprintf(f, "  %-20s %s\n", k->key, k->help);
		}
}
