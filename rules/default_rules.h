/* default_rules.h - rules/default.rules, compiled into the binary by CMake. */
#ifndef VR_DEFAULT_RULES_H
#define VR_DEFAULT_RULES_H

extern const unsigned char rules_default_text[];
extern const unsigned long rules_default_len;

#endif
