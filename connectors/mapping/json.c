/*
 * json.c - a partner's own JSON into a mapping's values (mapping_int.h):
 * dotted paths into the message, and JSON values converted for their field.
 */
#include "mapping_int.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "vr.h"

/* ---- mapped JSON ------------------------------------------------------- */

bool map_path_is_valid(const char *p)
{
	if (*p == '.')
		return false;
	for (; *p; p++)
		if (*p == '.' && (p[1] == '.' || p[1] == '\0'))
			return false;
	return true;
}

/* The value at a dotted path; NULL when a part is missing or null. */
static int json_find(const cJSON *root, const char *path, const cJSON **out,
		     struct sig_error *err)
{
	const cJSON *j = root;
	const char *p = path;

	*out = NULL;
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		if (!j || cJSON_IsNull(j))
			return VR_OK;
		if (!cJSON_IsObject(j))
			return map_fail(err, "path \"%.40s\": not an object above \"%.*s\"", path,
					(int)(n > 40 ? 40 : n), p);
		const cJSON *c;
		for (c = j->child; c; c = c->next)
			if (c->string && strlen(c->string) == n && memcmp(c->string, p, n) == 0)
				break;
		j = c;
		p += n + (dot != NULL);
	}
	*out = j;
	return VR_OK;
}

/* Convert a JSON value found at f's path; NULL or null is an absent field. */
static int convert_json(const struct mapping *m, const struct map_field *f, const cJSON *j,
			struct mval *v, struct sig_error *err)
{
	const char *src = f->src;

	if (!j || cJSON_IsNull(j))
		return VR_OK;
	if (cJSON_IsString(j))
		return map_convert_text(m, f, j->valuestring, v, err);
	if (cJSON_IsBool(j)) {
		if (f->conv != CONV_BOOL)
			return map_fail(err,
					"path \"%.40s\": true or false where a %s was expected",
					src, map_canon[f->dst].type == CT_INT ? "number" : "text");
		v->kind = V_BOOL;
		v->b = cJSON_IsTrue(j);
		return VR_OK;
	}
	if (!cJSON_IsNumber(j))
		return map_fail(err, "path \"%.40s\": %s where a value was expected", src,
				cJSON_IsArray(j) ? "an array" : "an object");

	double d = j->valuedouble;
	if (f->conv == CONV_BOOL)
		return map_fail(err, "path \"%.40s\": a number where true or false was expected",
				src);
	if (!(fabs(d) < (double)MAP_NUMBER_MAX))
		return map_fail(err, "path \"%.40s\": number out of range", src);
	if (f->conv == CONV_DATE) { /* 20240115 as a number: read its digits */
		char digits[24];
		if (d != floor(d) || d < 0)
			return map_fail(err, "path \"%.40s\": not a date in the form %s", src,
					f->arg_true);
		snprintf(digits, sizeof(digits), "%lld", (long long)d);
		return map_convert_text(m, f, digits, v, err);
	}
	if (f->conv == CONV_EUROS) {
		v->i = (long long)(d < 0 ? -floor(-d + 0.5) : floor(d + 0.5));
	} else if (d != floor(d)) {
		return map_fail(err, "path \"%.40s\": not a whole number%s", src,
				f->conv == CONV_CENTS ? " of cents" : "");
	} else if (f->conv == CONV_CENTS) {
		v->i = map_round_cents((long long)d);
	} else {
		v->i = (long long)d;
	}
	if (f->conv == CONV_STRING) { /* a number for a text field: its digits */
		snprintf(v->tmp, sizeof(v->tmp), "%lld", v->i);
		v->kind = V_STR;
		v->s = v->tmp;
	} else {
		v->kind = V_INT;
	}
	return VR_OK;
}

/* The message's tree stays alive until the record is written: vals point in. */
int map_json(const struct mapping *m, const char *msg, size_t len, struct mval *vals,
	     struct jbuf *buf, struct sig_error *err)
{
	const char *end = NULL;
	int rc = VR_OK;

	if (memchr(msg, '\0', len))
		return map_fail(err, "NUL byte in message");
	cJSON *root = cJSON_ParseWithLengthOpts(msg, len, &end, false);
	if (!root)
		return map_fail(err, "message is not JSON (error near byte %ld)",
				end ? (long)(end - msg) : 0L);
	size_t used = (size_t)(end - msg);
	while (used < len && (msg[used] == ' ' || msg[used] == '\t' || msg[used] == '\r' ||
			      msg[used] == '\n'))
		used++;
	if (used != len) {
		rc = map_fail(err, "message is not JSON (trailing data at byte %zu)", used);
		goto out_free;
	}
	if (!cJSON_IsObject(root)) {
		rc = map_fail(err, "message is not a JSON object");
		goto out_free;
	}
	for (size_t i = 0; i < m->nfields && rc == VR_OK; i++) {
		const struct map_field *f = &m->fields[i];
		const cJSON *j;
		if (f->src && !(rc = json_find(root, f->src, &j, err)))
			rc = convert_json(m, f, j, &vals[f->dst], err);
	}
	if (rc == VR_OK)
		rc = map_write_record(buf, vals, err);
out_free:
	cJSON_Delete(root);
	return rc;
}
