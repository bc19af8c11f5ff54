/*
 * test_names.c - interned names: one id per name, stable while the table
 * grows, and the bounds.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "names.h"

int main(void)
{
	char s[NAME_MAX_BYTES + 2];
	uint16_t ids[3000];
	CHECK_INT(name_intern(""), NAME_NONE);
	CHECK_STR(name_str(NAME_NONE), "");
	CHECK_STR(name_str(65000), "");
	memset(s, 'x', NAME_MAX_BYTES);
	s[NAME_MAX_BYTES] = '\0';
	uint16_t longest = name_intern(s);
	CHECK(longest != NAME_NONE);
	CHECK_STR(name_str(longest), s);
	s[NAME_MAX_BYTES] = 'x';
	s[NAME_MAX_BYTES + 1] = '\0';
	CHECK_INT(name_intern(s), NAME_NONE);
	/* Many names, across several rehashes: each keeps its id. */
	for (int i = 0; i < 3000; i++) {
		snprintf(s, sizeof(s), "partner:%d", i);
		ids[i] = name_intern(s);
		CHECK(ids[i] != NAME_NONE);
	}
	int same = 0, distinct = 1;
	for (int i = 0; i < 3000; i++) {
		snprintf(s, sizeof(s), "partner:%d", i);
		same += name_intern(s) == ids[i] && strcmp(name_str(ids[i]), s) == 0;
		if (i && ids[i] == ids[i - 1])
			distinct = 0;
	}
	CHECK_INT(same, 3000);
	CHECK(distinct);
	CHECK(name_intern("partner:17") == ids[17]);
	return harness_done();
}
