/* src.c - the source family's calls (src.h), through the backend's ops. */
#include "src_int.h"

#include <stdlib.h>
#include <string.h>

int src_poll(struct src *s, long wait_ms, struct src_msg *m)
{
	return s->ops->poll(s, wait_ms, m);
}

void src_release(struct src *s, struct src_msg *m)
{
	if (m->handle)
		s->ops->release(s, m);
	m->handle = NULL;
}

void src_store(struct src *s, const struct src_msg *m, size_t n)
{
	if (n)
		s->ops->store(s, m, n);
}

void src_commit_sync(struct src *s)
{
	s->ops->commit_sync(s);
}

bool src_at_end(const struct src *s)
{
	return s->ops->at_end(s);
}

int src_header(struct src *s, const struct src_msg *m, const char *name, const void **val,
	       size_t *len)
{
	return s->ops->header ? s->ops->header(s, m, name, val, len) : 0;
}

bool src_header_str(struct src *s, const struct src_msg *m, const char *name, char *out,
		    size_t n)
{
	const void *v;
	size_t len;
	if (src_header(s, m, name, &v, &len) != 1 || !v || len >= n)
		return false;
	memcpy(out, v, len);
	out[len] = '\0';
	return true;
}

bool src_caught_up(struct src *s, const char *topic)
{
	return s->ops->caught_up ? s->ops->caught_up(s, topic) : true;
}

void src_close(struct src *s)
{
	if (!s)
		return;
	s->ops->close(s);
	free(s);
}
