/* src.c - the source family's calls (src.h), through the backend's ops. */
#include "src_int.h"

#include <stdlib.h>

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

void src_close(struct src *s)
{
	if (!s)
		return;
	s->ops->close(s);
	free(s);
}
