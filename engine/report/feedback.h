/*
 * feedback.h - the DDAS status event a partner receives for its signal.
 */
#ifndef VR_FEEDBACK_H
#define VR_FEEDBACK_H

#include "engine.h"
#include "jsonw.h"

/*
 * {"ID":..., "signaalpartner":{"type":...,"naam":...}, "status":...} into b
 * (reset first).  The partner learns the DDAS status of its signal, nothing
 * more: no reason (that of "andere reden" is the municipality's own), no
 * household, no case.
 */
void feedback_event(struct jbuf *b, const struct signal *sig, enum dec_status st);
/* The same for a signal of a case (its status changes when the team picks
 * the case up); naam is the organisation's name the case kept, or the
 * partner type's for a case stored before state version 9. */
void feedback_event_case(struct jbuf *b, const struct case_signal *s, enum dec_status st);

#endif
