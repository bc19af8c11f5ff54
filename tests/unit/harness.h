/*
 * harness.h - a tiny assert harness for the unit tests.
 *
 * CHECK() records a failure and goes on; the test's main returns
 * harness_done(), which prints "N passed, N failed" and exits non-zero on any
 * failure, so CTest sees it.
 */
#ifndef VR_HARNESS_H
#define VR_HARNESS_H

#include <stdio.h>
#include <string.h>

static int harness_pass, harness_fail;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (cond) {                                                    \
			harness_pass++;                                        \
		} else {                                                       \
			harness_fail++;                                        \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, \
				__LINE__, #cond);                              \
		}                                                              \
	} while (0)

#define CHECK_INT(a, b)                                                        \
	do {                                                                   \
		long long va_ = (long long)(a), vb_ = (long long)(b);          \
		if (va_ == vb_) {                                              \
			harness_pass++;                                        \
		} else {                                                       \
			harness_fail++;                                        \
			fprintf(stderr, "%s:%d: %s == %lld, expected %lld\n",   \
				__FILE__, __LINE__, #a, va_, vb_);             \
		}                                                              \
	} while (0)

#define CHECK_STR(a, b)                                                        \
	do {                                                                   \
		const char *sa_ = (a), *sb_ = (b);                             \
		if (sa_ && sb_ && strcmp(sa_, sb_) == 0) {                     \
			harness_pass++;                                        \
		} else {                                                       \
			harness_fail++;                                        \
			fprintf(stderr, "%s:%d: %s == \"%s\", expected \"%s\"\n", \
				__FILE__, __LINE__, #a, sa_ ? sa_ : "(null)",   \
				sb_ ? sb_ : "(null)");                         \
		}                                                              \
	} while (0)

static inline int harness_done(void)
{
	printf("%d passed, %d failed\n", harness_pass, harness_fail);
	return harness_fail ? 1 : 0;
}

#endif
