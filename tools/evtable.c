/*
 * Per event type counters of a trace being streamed (tools.h). The table is
 * an open-addressing hash of at most EVTABLE_MAX names in 2 * EVTABLE_MAX
 * slots (so never more than half full and a probe always ends); the types
 * themselves are kept in order of first appearance, which is the order a
 * printer shows ties in.
 */
#include <stdlib.h>
#include <string.h>

#include "sim/types.h"
#include "tools/tools.h"

static unsigned hash(const char *s, size_t n)
{
	unsigned h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

struct evtype *evtable_get(struct evtable *t, const char *name, size_t len)
{
	unsigned nslots = 2 * EVTABLE_MAX;
	for (unsigned i = hash(name, len) % nslots;; i = (i + 1) % nslots) {
		int s = t->slot[i];
		if (s == 0) {
			if (t->n == EVTABLE_MAX - 1 && !(len == 7 && !memcmp(name, "(other)", 7)))
				return evtable_get(t, "(other)", 7);
			struct evtype *e = mmsim_xcalloc(1, sizeof *e);
			e->name = mmsim_xmalloc(len + 1);
			memcpy(e->name, name, len);
			e->name[len] = 0;
			e->len = len;
			t->types[t->n++] = e;
			t->slot[i] = t->n;
			return e;
		}
		struct evtype *e = t->types[s - 1];
		if (e->len == len && !memcmp(e->name, name, len))
			return e;
	}
}

void evtable_free(struct evtable *t)
{
	for (int i = 0; i < t->n; i++) {
		free(t->types[i]->name);
		free(t->types[i]);
	}
	memset(t, 0, sizeof *t);
}
