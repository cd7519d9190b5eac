/*
 * The statistics registry (see stats.h for the contract).
 *
 * Entries sit in one growing array in registration order: that array is the
 * printing order and an entry's index never changes, which is what lets a
 * snapshot be a bare array of values indexed like the registry, and lets a
 * snapshot taken earlier be a prefix of one taken later.
 *
 * Names are also kept in an open-addressing hash table (linear probing, at
 * most half full, power-of-two size) that maps a name to its index. It serves
 * only the duplicate check at registration and stats_find; nothing ever
 * iterates over it, so hash order can never leak into output. A slot holds
 * index + 1, so a zeroed table is empty.
 *
 * Histogram arithmetic is here too: the bucket layout lives in stats.h so
 * that stats_hist_add inlines; here is its inverse (bucket -> bounds) and
 * the percentile walk over it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/stats.h"
#include "sim/types.h"

struct stats_entry {
	char *name;
	char *desc;
	enum stats_kind kind;
	union {
		const uint64_t *value;
		const struct stats_hist *hist;
	} p;
};

struct stats_registry {
	struct stats_entry *v;
	size_t n, cap;
	size_t *slots;   /* index + 1, or 0 for an empty slot */
	size_t nslots;   /* power of two, >= 2 * n */
};

/* ---- Histograms ---- */

void stats_hist_reset(struct stats_hist *h)
{
	memset(h, 0, sizeof *h);
}

void stats_hist_merge(struct stats_hist *dst, const struct stats_hist *src)
{
	if (src->count == 0)
		return;
	if (dst->count == 0 || src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	dst->sum += src->sum;
	for (unsigned i = 0; i < STATS_HIST_BUCKETS; i++)
		dst->buckets[i] += src->buckets[i];
}

/* Inverts stats_hist_index: bucket i >= 64 is (shift << 5) + mantissa with
 * the mantissa in [32, 64), covering [mantissa << shift, (mantissa + 1) << shift). */
void stats_hist_bucket_bounds(unsigned i, uint64_t *lo, uint64_t *hi)
{
	MMSIM_ASSERT(i < STATS_HIST_BUCKETS);
	if (i < 2 * STATS_HIST_SUB) {
		*lo = *hi = i;
		return;
	}
	unsigned shift = (i >> STATS_HIST_SUB_BITS) - 1;
	uint64_t mant = i - (shift << STATS_HIST_SUB_BITS);
	*lo = mant << shift;
	*hi = *lo + ((UINT64_C(1) << shift) - 1);
}

uint64_t stats_hist_percentile(const struct stats_hist *h, double p)
{
	if (!(p >= 0.0 && p <= 100.0))
		mmsim_panic("percentile %g outside [0, 100]", p);
	if (h->count == 0)
		return 0;
	/* Multiply before dividing so that whole percentiles of counts below
	 * 2^53 give exact ranks (99 * 1000 / 100 is 990, not 990.0000001). */
	double r = ceil(p * (double)h->count / 100.0);
	uint64_t rank = r < 1.0 ? 1 : (r >= (double)h->count ? h->count : (uint64_t)r);
	if (rank == 1)
		return h->min;
	uint64_t seen = 0;
	for (unsigned i = 0; i < STATS_HIST_BUCKETS; i++) {
		seen += h->buckets[i];
		if (seen >= rank) {
			uint64_t lo, hi;
			stats_hist_bucket_bounds(i, &lo, &hi);
			return hi < h->max ? hi : h->max;
		}
	}
	/* The buckets add up to count unless someone wrote into them. */
	mmsim_panic("histogram buckets hold fewer samples than count %llu",
		    (unsigned long long)h->count);
}

double stats_hist_mean(const struct stats_hist *h)
{
	return h->count ? (double)h->sum / (double)h->count : 0.0;
}

/* ---- Registry ---- */

/* FNV-1a: short dotted names, no adversary. */
static size_t hash_name(const char *s)
{
	uint64_t x = UINT64_C(14695981039346656037);
	for (; *s; s++)
		x = (x ^ (unsigned char)*s) * UINT64_C(1099511628211);
	return (size_t)(x ^ (x >> 32));
}

/* Slot where name is, or the empty slot where it would go. */
static size_t *lookup_slot(const struct stats_registry *reg, const char *name)
{
	size_t mask = reg->nslots - 1;
	for (size_t s = hash_name(name) & mask;; s = (s + 1) & mask) {
		size_t *slot = &reg->slots[s];
		if (*slot == 0 || strcmp(reg->v[*slot - 1].name, name) == 0)
			return slot;
	}
}

static void grow_table(struct stats_registry *reg)
{
	size_t old_n = reg->nslots;
	size_t *old = reg->slots;
	reg->nslots = old_n ? old_n * 2 : 64;
	reg->slots = mmsim_xcalloc(reg->nslots, sizeof *reg->slots);
	for (size_t s = 0; s < old_n; s++)
		if (old[s])
			*lookup_slot(reg, reg->v[old[s] - 1].name) = old[s];
	free(old);
}

struct stats_registry *stats_create(void)
{
	struct stats_registry *reg = mmsim_xcalloc(1, sizeof *reg);
	grow_table(reg);
	return reg;
}

void stats_destroy(struct stats_registry *reg)
{
	if (!reg)
		return;
	for (size_t i = 0; i < reg->n; i++) {
		free(reg->v[i].name);
		free(reg->v[i].desc);
	}
	free(reg->v);
	free(reg->slots);
	free(reg);
}

/* Printable ASCII without space, quote or backslash: safe unescaped in JSON
 * and in whitespace-separated columns. */
static void check_name(const char *name)
{
	if (!name || !*name)
		mmsim_panic("stats: empty name");
	for (const char *c = name; *c; c++)
		if (*c <= ' ' || *c >= 0x7f || *c == '"' || *c == '\\')
			mmsim_panic("stats: bad character 0x%02x in name \"%s\"",
				    (unsigned char)*c, name);
}

static struct stats_entry *add_entry(struct stats_registry *reg, const char *name,
				     const char *desc, enum stats_kind kind)
{
	check_name(name);
	if (!desc)
		desc = "";
	if (strchr(desc, '\n'))
		mmsim_panic("stats: description of \"%s\" is not one line", name);
	if (2 * (reg->n + 1) > reg->nslots)
		grow_table(reg);
	size_t *slot = lookup_slot(reg, name);
	if (*slot)
		mmsim_panic("stats: \"%s\" registered twice", name);
	if (reg->n == reg->cap) {
		reg->cap = reg->cap ? reg->cap * 2 : 64;
		reg->v = mmsim_xrealloc(reg->v, reg->cap * sizeof *reg->v);
	}
	struct stats_entry *e = &reg->v[reg->n++];
	e->name = mmsim_xstrdup(name);
	e->desc = mmsim_xstrdup(desc);
	e->kind = kind;
	*slot = reg->n;
	return e;
}

void stats_add_counter(struct stats_registry *reg, const char *name, const char *desc,
		       const uint64_t *p)
{
	MMSIM_ASSERT(p != NULL);
	add_entry(reg, name, desc, STATS_COUNTER)->p.value = p;
}

void stats_add_gauge(struct stats_registry *reg, const char *name, const char *desc,
		     const uint64_t *p)
{
	MMSIM_ASSERT(p != NULL);
	add_entry(reg, name, desc, STATS_GAUGE)->p.value = p;
}

void stats_add_hist(struct stats_registry *reg, const char *name, const char *desc,
		    const struct stats_hist *h)
{
	MMSIM_ASSERT(h != NULL);
	add_entry(reg, name, desc, STATS_HIST)->p.hist = h;
}

void stats_add_counters(struct stats_registry *reg, const char *prefix,
			const struct stats_def *defs, size_t n, const uint64_t *values)
{
	size_t plen = prefix ? strlen(prefix) : 0;
	size_t cap = 0;
	char *name = NULL;
	for (size_t i = 0; i < n; i++) {
		size_t len = plen + 1 + strlen(defs[i].name) + 1;
		if (len > cap) {
			cap = len;
			name = mmsim_xrealloc(name, cap);
		}
		if (plen) {
			memcpy(name, prefix, plen);
			name[plen] = '.';
			strcpy(name + plen + 1, defs[i].name);
		} else {
			strcpy(name, defs[i].name);
		}
		stats_add_counter(reg, name, defs[i].desc, &values[i]);
	}
	free(name);
}

static const struct stats_entry *entry(const struct stats_registry *reg, size_t i)
{
	MMSIM_ASSERT(i < reg->n);
	return &reg->v[i];
}

size_t stats_count(const struct stats_registry *reg)
{
	return reg->n;
}

const char *stats_name(const struct stats_registry *reg, size_t i)
{
	return entry(reg, i)->name;
}

const char *stats_desc(const struct stats_registry *reg, size_t i)
{
	return entry(reg, i)->desc;
}

enum stats_kind stats_kind(const struct stats_registry *reg, size_t i)
{
	return entry(reg, i)->kind;
}

uint64_t stats_value(const struct stats_registry *reg, size_t i)
{
	const struct stats_entry *e = entry(reg, i);
	return e->kind == STATS_HIST ? e->p.hist->count : *e->p.value;
}

const struct stats_hist *stats_hist(const struct stats_registry *reg, size_t i)
{
	const struct stats_entry *e = entry(reg, i);
	return e->kind == STATS_HIST ? e->p.hist : NULL;
}

size_t stats_find(const struct stats_registry *reg, const char *name)
{
	size_t slot = *lookup_slot(reg, name);
	return slot ? slot - 1 : STATS_NONE;
}

/* ---- Snapshots ---- */

static void snapshot_size(struct stats_snapshot *s, const struct stats_registry *reg, size_t n)
{
	s->value = mmsim_xrealloc(s->value, n * sizeof *s->value);
	s->sum = mmsim_xrealloc(s->sum, n * sizeof *s->sum);
	s->reg = reg;
	s->n = n;
}

void stats_snapshot_take(const struct stats_registry *reg, struct stats_snapshot *snap)
{
	snapshot_size(snap, reg, reg->n);
	for (size_t i = 0; i < reg->n; i++) {
		const struct stats_entry *e = &reg->v[i];
		if (e->kind == STATS_HIST) {
			snap->value[i] = e->p.hist->count;
			snap->sum[i] = e->p.hist->sum;
		} else {
			snap->value[i] = *e->p.value;
			snap->sum[i] = 0;
		}
	}
}

void stats_snapshot_diff(const struct stats_snapshot *later,
			 const struct stats_snapshot *earlier, struct stats_snapshot *out)
{
	const struct stats_registry *reg = later->reg;
	size_t n = later->n, en = earlier->n;
	MMSIM_ASSERT(out != earlier || earlier == later);
	if (en > n)
		mmsim_panic("stats_snapshot_diff: earlier snapshot has %zu entries, later %zu",
			    en, n);
	if (en > 0 && earlier->reg != reg)
		mmsim_panic("stats_snapshot_diff: snapshots of two registries");
	/* Reading through later after resizing out is safe even when out ==
	 * later: the size is unchanged and realloc keeps the contents. */
	snapshot_size(out, reg, n);
	for (size_t i = 0; i < n; i++) {
		uint64_t v = later->value[i], s = later->sum[i];
		if (i < en && reg->v[i].kind != STATS_GAUGE) {
			v -= earlier->value[i];
			s -= earlier->sum[i];
		}
		out->value[i] = v;
		out->sum[i] = s;
	}
}

void stats_snapshot_free(struct stats_snapshot *snap)
{
	free(snap->value);
	free(snap->sum);
	snap->reg = NULL;
	snap->n = 0;
	snap->value = NULL;
	snap->sum = NULL;
}
