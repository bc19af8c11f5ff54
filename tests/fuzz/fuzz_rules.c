/* fuzz_rules.c - libFuzzer target: any bytes as a rule file.  The loader
 * must return a rule set or errors, never crash, hang or leak; a rule set
 * it returns must evaluate without crashing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char errs[1 << 14];
	struct ruleset *rs = ruleset_load_text("fuzz.rules", "/nonexistent", (const char *)data,
					       size, errs, sizeof(errs));
	if (!rs)
		return 0;
	struct signal s;
	memset(&s, 0, sizeof(s));
	s.partner = PARTNER_HUUR;
	s.amount = 500;
	s.signal_date = date_from_ymd(2024, 3, 1);
	s.arrears_since = date_from_ymd(2024, 1, 1);
	s.client.birth = size % 2 ? VR_DATE_NONE : date_from_ymd(1990, 1, 1);
	struct hkey h = {{1}};
	static struct case_rec c;
	memset(&c, 0, sizeof(c));
	c.n_orgs = 1;
	c.orgs[0].partner = PARTNER_HUUR;
	c.orgs[0].amount = 500;
	c.amount = 500;
	struct rules_ctx ctx = {&s, &h, NULL, NULL};
	const char *why;
	vr_date due;
	ruleset_status(rs, &ctx, &why);
	ruleset_priority(rs, &ctx, &due);
	ctx.kase = &c;
	ruleset_score(rs, &ctx, &c);
	ruleset_route(rs, &ctx);
	ruleset_free(rs);
	return 0;
}
