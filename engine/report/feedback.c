/* feedback.c - partner feedback events (feedback.h). */
#include "feedback.h"

void feedback_event(struct jbuf *b, const struct signal *sig, enum dec_status st)
{
	bool first = true;
	jbuf_reset(b);
	jbuf_lit(b, "{");
	jbuf_key(b, "ID", &first);
	jbuf_str(b, sig->id);
	jbuf_key(b, "signaalpartner", &first);
	jbuf_lit(b, "{\"type\":");
	jbuf_str(b, sig_partner_name(sig->partner));
	jbuf_lit(b, ",\"naam\":");
	jbuf_str(b, sig->partner_org);
	jbuf_lit(b, "}");
	jbuf_key(b, "status", &first);
	jbuf_str(b, dec_status_name(st));
	jbuf_lit(b, "}");
}
