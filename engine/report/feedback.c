/* feedback.c - partner feedback events (feedback.h). */
#include "feedback.h"

#include "names.h"

static void event(struct jbuf *b, const char *id, enum sig_partner p, const char *naam,
		  enum dec_status st)
{
	bool first = true;
	jbuf_reset(b);
	jbuf_lit(b, "{");
	jbuf_key(b, "ID", &first);
	jbuf_str(b, id);
	jbuf_key(b, "signaalpartner", &first);
	jbuf_lit(b, "{\"type\":");
	jbuf_str(b, sig_partner_name(p));
	jbuf_lit(b, ",\"naam\":");
	jbuf_str(b, naam);
	jbuf_lit(b, "}");
	jbuf_key(b, "status", &first);
	jbuf_str(b, dec_status_name(st));
	jbuf_lit(b, "}");
}

void feedback_event(struct jbuf *b, const struct signal *sig, enum dec_status st)
{
	event(b, sig->id, sig->partner, sig->partner_org, st);
}

void feedback_event_case(struct jbuf *b, const struct case_signal *s, enum dec_status st)
{
	enum sig_partner p = (enum sig_partner)s->partner;
	event(b, s->id, p, s->org_name != NAME_NONE ? name_str(s->org_name) : sig_partner_name(p),
	      st);
}
