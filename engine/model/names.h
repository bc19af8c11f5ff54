/*
 * names.h - interned names: a rule's or a rule set's name as a 16-bit id.
 *
 * A case keeps the names of the rules that scored it (docs/state.md), and
 * a case is copied by value many times per batch; a 16-bit id keeps it
 * small where 32 names of 64 bytes would triple it.  The table lives for
 * the process and only grows: it holds the names of the rule sets loaded
 * and of the cases read back, a few hundred in practice.  Not thread-safe:
 * one engine thread per process, as everywhere.
 */
#ifndef VR_NAMES_H
#define VR_NAMES_H

#include <stddef.h>
#include <stdint.h>

#define NAME_NONE 0
#define NAME_MAX_BYTES 127

/* The id of s (added when new); NAME_NONE for "", a name longer than
 * NAME_MAX_BYTES, a full table (65,535 names) or no memory. */
uint16_t name_intern(const char *s);
/* The same for the n bytes at s (a NUL among them would end the name
 * name_str() gives back). */
uint16_t name_intern_n(const char *s, size_t n);

/* The name of id; "" for NAME_NONE or an id never handed out. */
const char *name_str(uint16_t id);
/* strlen(name_str(id)), without counting. */
size_t name_len(uint16_t id);

#endif
