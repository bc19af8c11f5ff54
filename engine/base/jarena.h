/*
 * jarena.h - parse untrusted JSON records with cJSON into a per-thread arena.
 *
 * A signal record becomes some thirty cJSON nodes and strings; with the
 * default allocator each is a malloc and a free, about a third of the cost
 * of parsing.  While jarena_parse() runs, cJSON allocates by bumping a
 * pointer in a thread-local block (falling back to malloc when a record
 * does not fit), and jarena_release() drops the whole tree at once.
 * cJSON's hooks are installed once per process; allocations made by other
 * cJSON users, outside jarena_parse(), still go to malloc and free.
 */
#ifndef VR_JARENA_H
#define VR_JARENA_H

#include <stddef.h>

struct cJSON;

/* Like cJSON_ParseWithLengthOpts(s, len, end, false).  At most one tree per
 * thread may be live: release it before the next parse. */
struct cJSON *jarena_parse(const char *s, size_t len, const char **end);
void jarena_release(struct cJSON *root);

#endif
