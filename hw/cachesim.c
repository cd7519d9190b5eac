/*
 * The trace-driven hierarchy. Each level is a struct cache (hw/cache.c, the
 * machine model's own code) plus its policies, its Dinero-style counters and
 * a pointer to the next level (NULL: memory).
 *
 * One reference at one level (level_ref) mirrors Dinero IV's d4ref
 * (ref.c, d4-7) for the policies mmsim has (no sub-blocks, no prefetch):
 *
 *   1. A reference that crosses a line boundary is cut at the boundary;
 *      the first part is handled completely (including everything it sends
 *      below) before the rest, which may be cut again. Each cut counts one
 *      multi-block reference, each part one demand fetch.
 *   2. A hit updates the replacement state; a write hit sets the line dirty
 *      (write-back) or sends the written bytes below (write-through).
 *   3. A miss counts a demand miss. A write miss without write-allocate
 *      sends the written bytes below and changes nothing here. Otherwise the
 *      line is filled (dirty for a write-back write), evicting a victim if
 *      the set is full, and the level below receives, in this order (Dinero
 *      pushes them on a stack in the opposite order):
 *        a. the fetch of the whole line, as a read (an instruction fetch
 *           stays one, a misc access stays misc) -- skipped for a write that
 *           covers the whole line, which needs no data from below;
 *        b. in write-through mode, the written bytes;
 *        c. if the victim was dirty, its write-back: a write of the line.
 *
 * Miss classification (optional, Dinero's "ccc") runs beside the real
 * cache: a fully associative shadow of the same capacity and policy (struct
 * fa) sees every reference part, and is updated unless the part is a write
 * miss (in the shadow) that does not allocate; a real miss that hits in the
 * shadow is a conflict miss; otherwise the line is looked up, and recorded,
 * in the set of every line that ever missed both (struct lineset, Dinero's
 * "infinite cache"): new means compulsory, known means capacity.
 *
 * Everything sent below counts bytes_read (fetches) or bytes_written
 * (writes) at the sending level. Flushing (csim_flush, din label 4) copies
 * dirty lines back in Dinero's order: sets from last to first, and within a
 * set from least to most recently used, then the level below does the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/cache_impl.h"
#include "hw/cachesim.h"
#include "sim/types.h"

/* A set of line addresses: open addressing, linear probing, power-of-two
 * capacity kept at most half full. NO_KEY marks an empty slot (no aligned
 * line address has all bits set). */
#define NO_KEY UINT64_MAX

struct lineset {
	uint64_t *keys;
	uint32_t *vals;          /* payload per key (the fa slot), or unused */
	size_t mask;             /* capacity - 1 */
	size_t count;
};

/*
 * A fully associative cache of n lines for classification: slots in an
 * array, a lineset from line to slot, and a doubly linked list of the valid
 * slots, most recent first (LRU: last use; FIFO: fill; RANDOM: fill, victim
 * drawn from the rng). Slot indexes are 32-bit: a level of 2^32 lines would
 * be 256 GiB of 64-byte lines.
 */
struct fa {
	uint64_t *line;
	uint32_t *prev, *next;   /* list links; NONE at the ends */
	uint32_t head, tail, used, n;
	enum hw_repl repl;
	uint64_t rng;
	struct lineset map;
};
#define NONE UINT32_MAX

struct level {
	struct cache *cache;
	struct level *next;           /* NULL: memory */
	uint64_t line_mask;           /* line - 1 */
	uint32_t line;
	unsigned ways;
	bool wt, nwa;
	struct fa *fa;                /* classification only, else NULL */
	struct lineset *seen;
	struct csim_stats st;
};

struct csim {
	struct level lv[CSIM_NR_LEVELS];
	struct level *ientry, *dentry;  /* where instruction / data references enter */
	uint64_t refs[ATRACE_FLUSH + 1];
	struct csim_config cfg;
	uint64_t *scratch;             /* a set's worth of way indexes, for flushes */
};

static const char *const level_names[CSIM_NR_LEVELS] = {"l1i", "l1d", "l2", "llc"};

const char *csim_level_name(enum csim_level_id id)
{
	return level_names[id];
}

void csim_config_default(struct csim_config *cfg)
{
	struct hw_machine_desc *d = mmsim_xcalloc(1, sizeof *d);  /* big: not on the stack */
	hw_desc_init(d, HW_ARCH_X86_64);
	memset(cfg, 0, sizeof *cfg);
	cfg->level[CSIM_L1D] = (struct csim_level_config){.present = true, .geom = d->l1d};
	cfg->level[CSIM_L2] = (struct csim_level_config){.present = true, .geom = d->l2};
	cfg->level[CSIM_LLC] = (struct csim_level_config){.present = true, .geom = d->llc};
	cfg->level[CSIM_L1I].geom = d->l1d;   /* what --l1i would default to */
	cfg->seed = 1;
	free(d);
}

int csim_config_validate(const struct csim_config *cfg, char *err, size_t errlen)
{
	int any = 0;
	for (int i = 0; i < CSIM_NR_LEVELS; i++) {
		const struct csim_level_config *l = &cfg->level[i];
		if (!l->present)
			continue;
		any = 1;
		const struct hw_cache_params *g = &l->geom;
		if (g->line < 2 || (g->line & (g->line - 1))) {
			snprintf(err, errlen, "%s: line size %u is not a power of two >= 2",
				 level_names[i], g->line);
			return -1;
		}
		if (g->ways < 1) {
			snprintf(err, errlen, "%s: ways must be at least 1", level_names[i]);
			return -1;
		}
		uint64_t set_bytes = (uint64_t)g->ways * g->line;
		uint64_t nsets = g->size / set_bytes;
		if (g->size < set_bytes || g->size % set_bytes || (nsets & (nsets - 1))) {
			snprintf(err, errlen, "%s: size %llu is not ways x line (%u x %u) times a "
				 "power of two", level_names[i], (unsigned long long)g->size,
				 g->ways, g->line);
			return -1;
		}
		if (l->classify && nsets * g->ways >= UINT32_MAX) {
			snprintf(err, errlen, "%s: too many lines (%llu) to classify misses",
				 level_names[i], (unsigned long long)(nsets * g->ways));
			return -1;
		}
		if (g->repl != HW_REPL_LRU && g->repl != HW_REPL_FIFO && g->repl != HW_REPL_RANDOM) {
			snprintf(err, errlen, "%s: unknown replacement policy", level_names[i]);
			return -1;
		}
	}
	if (!any) {
		snprintf(err, errlen, "no cache level: at least one is needed");
		return -1;
	}
	return 0;
}

/* ---- Classification: lineset and fully associative shadow ---------------- */

static size_t hash_line(uint64_t line)
{
	line ^= line >> 29;
	line *= UINT64_C(0xbf58476d1ce4e5b9);
	return (size_t)(line ^ (line >> 32));
}

static void set_init(struct lineset *s, size_t cap, int with_vals)
{
	size_t c = 16;
	while (c < 2 * cap)
		c <<= 1;
	s->keys = mmsim_xmalloc(c * sizeof s->keys[0]);
	for (size_t i = 0; i < c; i++)
		s->keys[i] = NO_KEY;
	s->vals = with_vals ? mmsim_xcalloc(c, sizeof s->vals[0]) : NULL;
	s->mask = c - 1;
	s->count = 0;
}

static void set_free(struct lineset *s)
{
	free(s->keys);
	free(s->vals);
}

/* The slot of key, or of the empty slot where it would go. */
static size_t set_slot(const struct lineset *s, uint64_t key)
{
	size_t i = hash_line(key) & s->mask;
	while (s->keys[i] != key && s->keys[i] != NO_KEY)
		i = (i + 1) & s->mask;
	return i;
}

static void set_grow(struct lineset *s)
{
	struct lineset old = *s;
	set_init(s, (old.mask + 1), old.vals != NULL);
	for (size_t i = 0; i <= old.mask; i++) {
		if (old.keys[i] == NO_KEY)
			continue;
		size_t j = set_slot(s, old.keys[i]);
		s->keys[j] = old.keys[i];
		if (s->vals)
			s->vals[j] = old.vals[i];
		s->count++;
	}
	set_free(&old);
}

/* Adds key; returns 1 if it was new. */
static int set_add(struct lineset *s, uint64_t key, uint32_t val)
{
	size_t i = set_slot(s, key);
	if (s->keys[i] == key)
		return 0;
	s->keys[i] = key;
	if (s->vals)
		s->vals[i] = val;
	if (++s->count * 2 > s->mask + 1)
		set_grow(s);
	return 1;
}

/* Removes key (present), shifting later members of its probe run back so
 * that lookups never stop early (deletion without tombstones). */
static void set_del(struct lineset *s, uint64_t key)
{
	size_t i = set_slot(s, key);
	MMSIM_ASSERT(s->keys[i] == key);
	for (size_t j = (i + 1) & s->mask; s->keys[j] != NO_KEY; j = (j + 1) & s->mask) {
		size_t home = hash_line(s->keys[j]) & s->mask;
		/* Move j into the hole at i unless its home lies cyclically in (i, j]. */
		if (((j - home) & s->mask) >= ((j - i) & s->mask)) {
			s->keys[i] = s->keys[j];
			if (s->vals)
				s->vals[i] = s->vals[j];
			i = j;
		}
	}
	s->keys[i] = NO_KEY;
	s->count--;
}

static struct fa *fa_create(uint32_t n, enum hw_repl repl, uint64_t seed)
{
	struct fa *f = mmsim_xcalloc(1, sizeof *f);
	f->line = mmsim_xcalloc(n, sizeof f->line[0]);
	f->prev = mmsim_xcalloc(n, sizeof f->prev[0]);
	f->next = mmsim_xcalloc(n, sizeof f->next[0]);
	f->head = f->tail = NONE;
	f->n = n;
	f->repl = repl;
	f->rng = seed * UINT64_C(0x9e3779b97f4a7c15) | 1;
	set_init(&f->map, n, 1);
	return f;
}

static void fa_destroy(struct fa *f)
{
	if (!f)
		return;
	set_free(&f->map);
	free(f->line);
	free(f->prev);
	free(f->next);
	free(f);
}

static void fa_unlink(struct fa *f, uint32_t i)
{
	if (f->prev[i] != NONE)
		f->next[f->prev[i]] = f->next[i];
	else
		f->head = f->next[i];
	if (f->next[i] != NONE)
		f->prev[f->next[i]] = f->prev[i];
	else
		f->tail = f->prev[i];
}

static void fa_push_front(struct fa *f, uint32_t i)
{
	f->prev[i] = NONE;
	f->next[i] = f->head;
	if (f->head != NONE)
		f->prev[f->head] = i;
	f->head = i;
	if (f->tail == NONE)
		f->tail = i;
}

/* Looks line up; on a hit updates LRU order. Returns 1 on a hit. When it
 * misses and `fill`, installs it, evicting the policy's victim if full. */
static int fa_ref(struct fa *f, uint64_t line, int fill)
{
	size_t k = set_slot(&f->map, line);
	if (f->map.keys[k] == line) {
		uint32_t i = f->map.vals[k];
		if (f->repl == HW_REPL_LRU && f->head != i) {
			fa_unlink(f, i);
			fa_push_front(f, i);
		}
		return 1;
	}
	if (!fill)
		return 0;
	uint32_t v;
	if (f->used < f->n) {
		v = f->used++;
	} else {
		if (f->repl == HW_REPL_RANDOM) {
			uint64_t x = f->rng;
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			f->rng = x;
			v = (uint32_t)(x % f->n);
		} else {
			v = f->tail;
		}
		fa_unlink(f, v);
		set_del(&f->map, f->line[v]);
	}
	f->line[v] = line;
	fa_push_front(f, v);
	set_add(&f->map, line, v);
	return 0;
}

/* Classifies one reference part at level c (see the comment at the top). */
static void classify(struct level *c, uint64_t line, unsigned type, int miss, int nofill)
{
	int full_hit = fa_ref(c->fa, line, !nofill);
	if (!miss)
		return;
	if (full_hit)
		c->st.conflict[type]++;
	else if (set_add(c->seen, line, 0))
		c->st.compulsory[type]++;
	else
		c->st.capacity[type]++;
}

struct csim *csim_create(const struct csim_config *cfg)
{
	char err[128];
	MMSIM_ASSERT(csim_config_validate(cfg, err, sizeof err) == 0);
	struct csim *s = mmsim_xcalloc(1, sizeof *s);
	s->cfg = *cfg;
	unsigned maxways = 1;
	struct level *below = NULL;
	/* Built from memory upwards so each level knows the one below it;
	 * the two L1s share the level below them. */
	for (int i = CSIM_NR_LEVELS - 1; i >= 0; i--) {
		const struct csim_level_config *c = &cfg->level[i];
		if (!c->present)
			continue;
		struct level *l = &s->lv[i];
		l->cache = cache_create(&c->geom, cfg->seed * 4 + (uint64_t)i);
		cache_set_scan_all(l->cache, true);   /* traces hit in random ways */
		l->next = i == CSIM_L1I && s->lv[CSIM_L1D].cache ? s->lv[CSIM_L1D].next : below;
		l->line = c->geom.line;
		l->line_mask = c->geom.line - 1;
		l->ways = c->geom.ways;
		l->wt = c->write_through;
		l->nwa = c->no_write_allocate;
		if (c->classify) {
			l->fa = fa_create((uint32_t)(c->geom.size / c->geom.line), c->geom.repl,
					  cfg->seed * 4 + (uint64_t)i);
			l->seen = mmsim_xcalloc(1, sizeof *l->seen);
			set_init(l->seen, 1024, 0);
		}
		if (l->ways > maxways)
			maxways = l->ways;
		if (i != CSIM_L1I)
			below = l;
	}
	/* below is now the L1d, or the first shared level, or NULL when the
	 * only level is an L1i (data then goes to memory, uncounted). */
	s->dentry = below;
	s->ientry = s->lv[CSIM_L1I].cache ? &s->lv[CSIM_L1I] : below;
	s->scratch = mmsim_xcalloc(maxways, sizeof s->scratch[0]);
	return s;
}

void csim_destroy(struct csim *s)
{
	if (!s)
		return;
	for (int i = 0; i < CSIM_NR_LEVELS; i++) {
		cache_destroy(s->lv[i].cache);
		fa_destroy(s->lv[i].fa);
		if (s->lv[i].seen) {
			set_free(s->lv[i].seen);
			free(s->lv[i].seen);
		}
	}
	free(s->scratch);
	free(s);
}

static void level_ref(struct level *c, uint64_t addr, uint32_t size, unsigned type);

/* Hands a request to the level below, counting its bytes here. */
static inline void send(struct level *c, uint64_t addr, uint32_t size, unsigned type)
{
	if (type == ATRACE_WRITE)
		c->st.bytes_written += size;
	else
		c->st.bytes_read += size;
	if (c->next)
		level_ref(c->next, addr, size, type);
}

/* The lookup of a reference within one line: counts the demand fetch and
 * returns the cache's answer (the line's flags, 0 on a miss). */
static inline unsigned lookup(struct level *c, uint64_t addr, unsigned type)
{
	int write = type == ATRACE_WRITE;
	c->st.fetch[type]++;
	/* A write-through write hit must not set the dirty bit: ask the cache
	 * for a read, which updates the replacement state the same way. */
	return cache_access_inline(c->cache, addr, write && !c->wt);
}

/* Whether a hit needs nothing more than the lookup did: no classification,
 * nothing written through. */
static inline bool quiet_hit(const struct level *c, unsigned type)
{
	return !c->fa && !(c->wt && type == ATRACE_WRITE);
}

/* The rest of a reference within one line once lookup() has answered hit
 * (steps 2 and 3 of the comment at the top). */
static void after_lookup(struct level *c, uint64_t addr, uint32_t size, unsigned type,
			 unsigned hit)
{
	int write = type == ATRACE_WRITE;
	if (c->fa)
		classify(c, addr & ~c->line_mask, type, !hit, write && c->nwa);
	if (hit) {
		if (write && c->wt)
			send(c, addr, size, ATRACE_WRITE);
		return;
	}
	c->st.miss[type]++;
	if (write && c->nwa) {
		send(c, addr, size, ATRACE_WRITE);
		return;
	}
	uint64_t victim = 0;
	unsigned vflags = 0;
	int evicted = cache_fill(c->cache, addr, write && !c->wt ? CACHE_DIRTY : 0, &victim,
				 &vflags);
	if (!write || size != c->line)
		send(c, addr & ~c->line_mask, c->line, write ? ATRACE_READ : type);
	if (write && c->wt)
		send(c, addr, size, ATRACE_WRITE);
	if (evicted) {
		c->st.evictions++;
		if (vflags & CACHE_DIRTY) {
			c->st.writebacks++;
			send(c, victim, c->line, ATRACE_WRITE);
		}
	}
}

/* A reference within one line. */
static void one_ref(struct level *c, uint64_t addr, uint32_t size, unsigned type)
{
	after_lookup(c, addr, size, type, lookup(c, addr, type));
}

static void level_ref(struct level *c, uint64_t addr, uint32_t size, unsigned type)
{
	for (;;) {
		uint64_t off = addr & c->line_mask;
		if (off + size <= c->line) {
			one_ref(c, addr, size, type);
			return;
		}
		uint32_t first = c->line - (uint32_t)off;
		c->st.multiblock++;
		one_ref(c, addr, first, type);
		addr += first;
		size -= first;
	}
}

/* Writes one dirty line back and keeps it, clean. */
static void copy_back(struct level *c, uint64_t line)
{
	cache_clean(c->cache, line);
	c->st.writebacks++;
	send(c, line, c->line, ATRACE_WRITE);
}

/* Dinero's d4copyback for the line holding addr, propagated down. */
static void flush_line(struct level *c, uint64_t addr)
{
	for (; c; c = c->next)
		if (cache_probe(c->cache, addr) & CACHE_DIRTY)
			copy_back(c, addr & ~c->line_mask);
}

static void flush_level(struct csim *s, struct level *c)
{
	size_t nsets = cache_nways(c->cache) / c->ways;
	uint64_t *idx = s->scratch;
	for (size_t set = nsets; set-- > 0;) {
		size_t n = 0;
		for (unsigned w = 0; w < c->ways; w++) {
			size_t i = set * c->ways + w;
			if (cache_way(c->cache, i, NULL) & CACHE_DIRTY)
				idx[n++] = i;
		}
		/* Least recently used (smallest stamp) first: insertion sort,
		 * sets are small. */
		for (size_t a = 1; a < n; a++) {
			uint64_t v = idx[a];
			uint64_t sv = cache_way_stamp(c->cache, v);
			size_t b = a;
			while (b > 0 && cache_way_stamp(c->cache, idx[b - 1]) > sv) {
				idx[b] = idx[b - 1];
				b--;
			}
			idx[b] = v;
		}
		for (size_t k = 0; k < n; k++) {
			uint64_t line;
			cache_way(c->cache, idx[k], &line);
			copy_back(c, line);
		}
	}
}

void csim_flush(struct csim *s)
{
	/* The L1i is never dirty; the data path reaches every other level. */
	for (struct level *c = s->dentry; c; c = c->next)
		flush_level(s, c);
}

void csim_run(struct csim *s, const struct atrace_ref *refs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct atrace_ref *r = &refs[i];
		unsigned type = r->type;
		s->refs[type]++;
		if (type == ATRACE_FLUSH) {
			flush_line(s->dentry, r->addr);
			continue;
		}
		struct level *e = type == ATRACE_INSTR ? s->ientry : s->dentry;
		if (!e)
			continue;
		/* level_ref and one_ref, with the commonest case (a reference
		 * within one line that hits) done here without a call. */
		uint64_t addr = r->addr;
		uint32_t size = r->size;
		if ((addr & e->line_mask) + size > e->line) {
			level_ref(e, addr, size, type);
			continue;
		}
		unsigned hit = lookup(e, addr, type);
		if (!hit || !quiet_hit(e, type))
			after_lookup(e, addr, size, type, hit);
	}
}

const struct csim_stats *csim_stats(const struct csim *s, enum csim_level_id id)
{
	return s->lv[id].cache ? &s->lv[id].st : NULL;
}

const struct cache *csim_cache(const struct csim *s, enum csim_level_id id)
{
	return s->lv[id].cache;
}

const struct csim_level_config *csim_level_config(const struct csim *s, enum csim_level_id id)
{
	return &s->cfg.level[id];
}

const uint64_t *csim_refs(const struct csim *s)
{
	return s->refs;
}
