/*
 * scenario_project.c - a readable projection of a replay's output, for the
 * golden scenario tests.
 *
 * usage: scenario_project OUTDIR
 * Prints one line per decision, then one per case, with columns separated by
 * " | ".  A decision: line | ID | status | case | priority | score | received
 * | due | rules | flags | reason (a rejected one: line | ID | rejected | code
 * | reason).  Case ids are replaced by letters (A, B, ...) in order of first
 * appearance, so expected files do not depend on the pseudonym key and a
 * reader can see at a glance which signals share a case.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CASES 4096
#define LINE_MAX_BYTES (1 << 20)

static char *case_ids[MAX_CASES];
static int n_cases;

static const char *alias(const char *id, char *buf, size_t len)
{
	int i;
	for (i = 0; i < n_cases; i++)
		if (strcmp(case_ids[i], id) == 0)
			break;
	if (i == n_cases) {
		if (n_cases == MAX_CASES)
			return "?";
		case_ids[n_cases++] = strdup(id);
	}
	if (i < 26)
		snprintf(buf, len, "%c", 'A' + i);
	else
		snprintf(buf, len, "%c%d", 'A' + i % 26, i / 26);
	return buf;
}

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : "-";
}

static void num(const cJSON *o, const char *k, char *buf, size_t len)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	if (cJSON_IsNumber(v))
		snprintf(buf, len, "%lld", (long long)v->valuedouble);
	else
		snprintf(buf, len, "-");
}

static void list(const cJSON *o, const char *k, const char *sub, char *buf, size_t len)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, k), *v;
	size_t n = 0;
	buf[0] = '\0';
	cJSON_ArrayForEach(v, a)
	{
		const cJSON *s = sub ? cJSON_GetObjectItemCaseSensitive(v, sub) : v;
		char pts[32] = "";
		if (sub && strcmp(sub, "name") == 0) {
			const cJSON *p = cJSON_GetObjectItemCaseSensitive(v, "points");
			if (cJSON_IsNumber(p))
				snprintf(pts, sizeof(pts), "=%d", p->valueint);
		}
		if (cJSON_IsString(s))
			n += (size_t)snprintf(buf + n, len > n ? len - n : 0, "%s%s%s",
					      n ? "," : "", s->valuestring, pts);
	}
	if (!buf[0])
		snprintf(buf, len, "-");
}

static FILE *open_in(const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	if (!f)
		fprintf(stderr, "scenario_project: cannot open %s\n", path);
	return f;
}

static void decisions(FILE *f, char *line)
{
	while (fgets(line, LINE_MAX_BYTES, f)) {
		cJSON *o = cJSON_Parse(line);
		char a[16], score[24], rules[4096], flags[512];
		if (!o) {
			printf("UNPARSEABLE OUTPUT LINE\n");
			continue;
		}
		const char *src = str(o, "source"), *colon = strrchr(src, ':');
		const char *pos = colon ? colon + 1 : src;
		if (strcmp(str(o, "status"), "rejected") == 0) {
			printf("%s | %s | rejected | %s | %s\n", pos, str(o, "signal_id"),
			       str(o, "code"), str(o, "reason"));
			cJSON_Delete(o);
			continue;
		}
		const cJSON *cid = cJSON_GetObjectItemCaseSensitive(o, "case_id");
		num(o, "score", score, sizeof(score));
		list(o, "rules", NULL, rules, sizeof(rules));
		list(o, "flags", NULL, flags, sizeof(flags));
		printf("%s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s\n", pos,
		       str(o, "signal_id"), str(o, "status"),
		       cJSON_IsString(cid) ? alias(cid->valuestring, a, sizeof(a)) : "-",
		       str(o, "priority"), score, str(o, "received"), str(o, "due"), rules, flags,
		       str(o, "reason"));
		cJSON_Delete(o);
	}
}

struct case_line {
	int alias;
	char *text;
};

static int by_alias(const void *a, const void *b)
{
	return ((const struct case_line *)a)->alias - ((const struct case_line *)b)->alias;
}

static void cases(FILE *f, char *line)
{
	struct case_line *out = calloc(MAX_CASES, sizeof(*out));
	int n = 0;
	while (out && n < MAX_CASES && fgets(line, LINE_MAX_BYTES, f)) {
		cJSON *o = cJSON_Parse(line);
		char a[16], score[24], amount[24], sigs[4096], partners[512], rules[4096];
		char buf[16384];
		if (!o)
			continue;
		const char *al = alias(str(o, "case_id"), a, sizeof(a));
		num(o, "score", score, sizeof(score));
		num(o, "bedrag", amount, sizeof(amount));
		list(o, "signals", "id", sigs, sizeof(sigs));
		list(o, "partners", NULL, partners, sizeof(partners));
		list(o, "rules", "name", rules, sizeof(rules));
		snprintf(buf, sizeof(buf), "case %s | opened %s | until %s | received %s | signals %s | "
			 "%s | bedrag %s | %s%s| %s | due %s | score %s | %s\n",
			 al, str(o, "opened"), str(o, "matching_until"), str(o, "received"), sigs,
			 partners, amount,
			 cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "opeenvolgend"))
				 ? "opeenvolgend " : "",
			 cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "meervoudig"))
				 ? "meervoudig " : "",
			 str(o, "priority"), str(o, "due"), score, rules);
		int idx = 0;
		for (idx = 0; idx < n_cases; idx++)
			if (strcmp(case_ids[idx], str(o, "case_id")) == 0)
				break;
		out[n].alias = idx;
		out[n++].text = strdup(buf);
		cJSON_Delete(o);
	}
	if (!out)
		return;
	qsort(out, (size_t)n, sizeof(*out), by_alias);
	for (int i = 0; i < n; i++) {
		fputs(out[i].text, stdout);
		free(out[i].text);
	}
	free(out);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: scenario_project OUTDIR\n");
		return 2;
	}
	char *line = malloc(LINE_MAX_BYTES);
	FILE *d = open_in(argv[1], "decisions.jsonl");
	FILE *c = open_in(argv[1], "cases.jsonl");
	if (!line || !d || !c)
		return 1;
	decisions(d, line);
	cases(c, line);
	fclose(d);
	fclose(c);
	free(line);
	for (int i = 0; i < n_cases; i++)
		free(case_ids[i]);
	return 0;
}
