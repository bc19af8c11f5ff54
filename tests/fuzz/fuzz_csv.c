/*
 * fuzz_csv.c - libFuzzer target: any bytes as a partner's CSV, once as a
 * Kafka message (header and row) and once as a file (records found by
 * csv_ends over its lines, the first as header, the rest as rows).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "jsonw.h"
#include "mapping.h"
#include "signal.h"
#include "vr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char SECTION[] = "[topic t]\npartner = Huur\nformat = csv\ncsv.delimiter = ;\n"
			      "field.ID = nr\nfield.bedrag = eur | euros\n"
			      "field.signaaldatum = d | date:DD-MM-YYYY\n"
			      "field.crisissignaal = c | bool:J/N\nfield.client.naam = naam\n";

static struct mapping *mapping(void)
{
	static struct mapping *m;
	if (!m) {
		char err[256];
		struct conf *c = conf_parse(SECTION, sizeof(SECTION) - 1, "f.conf", err, sizeof(err));
		m = c ? mapping_from_conf(c, "t", err, sizeof(err)) : NULL;
		conf_free(c);
		if (!m)
			__builtin_trap();
	}
	return m;
}

/* A mapping error always says why; a success is a record. */
static void check(int rc, const struct sig_error *e, size_t len)
{
	if (rc == VR_ENOMEM)
		return;
	if (rc != VR_OK && (e->code <= REJ_NONE || e->code >= REJ__COUNT || !e->msg[0]))
		__builtin_trap();
	if (rc == VR_OK && len < 2)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct mapping *m = mapping();
	struct jbuf buf;
	struct sig_error e;
	const char *out;
	size_t len = 0;

	jbuf_init(&buf, SIG_LINE_MAX);
	check(mapping_apply(m, text, size, &buf, &out, &len, &e), &e, len);

	/* As a file: lines end in LF; records as src_file finds them. */
	struct csv_ends *ends = csv_ends_new(';');
	struct map_header *h = NULL;
	size_t start = 0, pos = 0;
	while (ends && pos < size) {
		const char *nl = memchr(text + pos, '\n', size - pos);
		size_t end = nl ? (size_t)(nl - text) : size;
		bool done = csv_ends_line(ends, text + pos, end - pos);
		pos = nl ? end + 1 : size;
		if (!done && pos < size)
			continue;
		if (!h) {
			h = mapping_header_new(m, text + start, end - start);
		} else {
			len = 0;
			check(mapping_apply_row(m, h, text + start, end - start, &buf, &out, &len, &e),
			      &e, len);
		}
		csv_ends_reset(ends);
		start = pos;
	}
	mapping_header_free(h);
	csv_ends_free(ends);
	jbuf_fini(&buf);
	return 0;
}
