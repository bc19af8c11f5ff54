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

#endif
