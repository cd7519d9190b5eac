/*
 * mmsim diff A.jsonl B.jsonl: what changed between two runs.
 *
 * Both traces are streamed side by side, one event line of A then one of B,
 * in constant memory: what is kept per trace is its header and summary
 * (parsed, some KiB), a histogram of cycles per event type (tools.h's
 * evtable, ~15 KiB per type), and a few lines of context around the first
 * divergence. Nothing grows with the number of events.
 *
 * Three parts, in the order they are printed:
 *   setup       the header flattened to dotted keys (policy.pcp,
 *               machine.cpus[0].hz, zones[1].min) and compared key by key;
 *   outcome     every number of the summary (counters, histograms' count,
 *               sum, min, p50, p90, p99, max; cycles, events) and per event
 *               type the count and the p50/p90/p99/max of its "cycles", each
 *               with A, B, B-A and (B-A)/A, the largest relative change first;
 *   divergence  the first event line that differs, by index among event
 *               lines (snapshots are not events), with context.
 * The exit status is diff(1)'s: 0 same, 1 different, 2 trouble.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "sim/stats.h"
#include "sim/trace_read.h"
#include "sim/types.h"
#include "tools/tools.h"

static const char diff_usage[] =
	"usage: mmsim diff [options] A.jsonl B.jsonl\n"
	"\n"
	"Compares two traces (docs/trace-format.md, docs/tools.md): first what\n"
	"differs in their setup (the header: scenario, seed, era, policy knobs,\n"
	"machine, zones), then the outcome side by side (every summary number, and\n"
	"per event type the count and the p50/p90/p99/max of its cycles) with the\n"
	"largest change first, then the first event where the two streams differ.\n"
	"Reads both files once, in constant memory.\n"
	"\n"
	"options:\n"
	"  --all            show unchanged rows too\n"
	"  --each           one row per CPU, node and other numbered instance\n"
	"                   (cpu3.l1d.read_misses); by default such rows are\n"
	"                   summed by family (cpu*.l1d.read_misses), with the\n"
	"                   instance that changed most named beside the sum\n"
	"  --json           print the comparison as one JSON document\n"
	"  --csv            print it as one CSV table: part,name,a,b,delta,rel\n"
	"  --ignore F1,F2   fields that do not count when comparing event lines\n"
	"                   (e.g. --ignore t,cycles: the same operations in the same\n"
	"                   order, whatever their timing)\n"
	"  --context N      events of context before and after the divergence (default 3)\n"
	"  -h, --help       this text\n"
	"\n"
	"exit status: 0 the runs are the same, 1 they differ, 2 trouble (a missing\n"
	"file, a line that is not JSON, no header, an unknown format version, a\n"
	"truncated trace; the message names the file and line).\n"
	"\n"
	"examples:\n"
	"  mmsim run scenarios/quickstart.lua -o on.jsonl --quiet\n"
	"  mmsim run scenarios/quickstart.lua -P pcp=off -o off.jsonl --quiet\n"
	"  mmsim diff on.jsonl off.jsonl\n"
	"  mmsim diff --ignore t,cycles on.jsonl off.jsonl   where the operations part\n"
	"  mmsim diff --json on.jsonl off.jsonl | jq '.outcome[0]'\n";

#define CONTEXT_MAX 50
#define IGNORE_MAX 32

/* A copy of one line, in a buffer that only grows. */
struct saved_line {
	char *text;
	size_t len, cap;
	uint64_t lineno;   /* in its file */
	uint64_t t;
	bool has_t;
};

struct side {
	const char *path;
	struct trace_reader r;
	struct evtable ev;
	cJSON *header, *summary;
	uint64_t events, snapshots;
	bool done;                           /* read to the end */
	struct saved_line before[CONTEXT_MAX]; /* a ring of the last events */
	uint64_t nbefore;                    /* events pushed into the ring */
	struct saved_line at;                /* the first differing event */
	bool has_at;
	struct saved_line after[CONTEXT_MAX];
	int nafter;
};

struct diff_opts {
	const char *a, *b;
	bool all, json, csv, each;
	int context;
	int nignore;
	char *ignore[IGNORE_MAX];
	char *ignore_buf;
};

static void save_line(struct saved_line *s, const struct trace_reader *r)
{
	if (s->cap < r->len + 1) {
		s->cap = r->len + 1 > 256 ? r->len + 1 : 256;
		s->text = mmsim_xrealloc(s->text, s->cap);
	}
	memcpy(s->text, r->line, r->len);
	s->text[r->len] = 0;
	s->len = r->len;
	s->lineno = r->lineno;
	s->t = r->ev.t;
	s->has_t = r->ev.has_t;
}

/* Reads up to the next event of s, handling the other lines on the way.
 * 1: an event (s->r.ev, s->r.line); 0: the end; -1: trouble (message
 * printed). */
static int advance(struct side *s)
{
	if (s->done)
		return 0;
	for (;;) {
		switch (trd_next(&s->r)) {
		case TRD_ERROR:
			tool_error("diff: %s", s->r.err);
			return -1;
		case TRD_EOF:
			s->done = true;
			return 0;
		case TRD_HEADER:
			s->header = s->r.json;
			s->r.json = NULL;
			break;
		case TRD_SUMMARY:
			s->summary = s->r.json;
			s->r.json = NULL;
			break;
		case TRD_SNAPSHOT:
			s->snapshots++;
			break;
		case TRD_OTHER:
			break;
		case TRD_EVENT: {
			const struct trd_event *e = &s->r.ev;
			struct evtype *et = evtable_get(&s->ev, e->name.p, e->name.len);
			et->count++;
			if (e->has_cycles) {
				et->with_cycles++;
				stats_hist_add(&et->cycles, e->cycles);
			}
			s->events++;
			return 1;
		}
		}
	}
}

static bool ignored(const struct diff_opts *o, struct trd_span key)
{
	for (int i = 0; i < o->nignore; i++)
		if (trd_span_eq(key, o->ignore[i]))
			return true;
	return false;
}

static void delete_ignored(cJSON *j, const struct diff_opts *o)
{
	for (int i = 0; i < o->nignore; i++)
		cJSON_DeleteItemFromObjectCaseSensitive(j, o->ignore[i]);
}

/* Are the current event lines of a and b the same, ignoring the fields the
 * user named? Raw bytes without --ignore; field by field with it. */
static bool events_equal(const struct side *a, const struct side *b, const struct diff_opts *o)
{
	const struct trace_reader *ra = &a->r, *rb = &b->r;
	if (!o->nignore)
		return ra->len == rb->len && !memcmp(ra->line, rb->line, ra->len);
	const struct trd_event *ea = &ra->ev, *eb = &rb->ev;
	if (ea->flat && eb->flat && !ea->more_fields && !eb->more_fields) {
		int i = 0, j = 0;
		for (;;) {
			while (i < ea->nfields && ignored(o, ea->keys[i]))
				i++;
			while (j < eb->nfields && ignored(o, eb->keys[j]))
				j++;
			if (i == ea->nfields || j == eb->nfields)
				return i == ea->nfields && j == eb->nfields;
			if (ea->keys[i].len != eb->keys[j].len || ea->vals[i].len != eb->vals[j].len ||
			    memcmp(ea->keys[i].p, eb->keys[j].p, ea->keys[i].len) ||
			    memcmp(ea->vals[i].p, eb->vals[j].p, ea->vals[i].len))
				return false;
			i++;
			j++;
		}
	}
	cJSON *ja = cJSON_ParseWithLength(ra->line, ra->len);
	cJSON *jb = cJSON_ParseWithLength(rb->line, rb->len);
	delete_ignored(ja, o);
	delete_ignored(jb, o);
	bool same = cJSON_Compare(ja, jb, true);
	cJSON_Delete(ja);
	cJSON_Delete(jb);
	return same;
}

/* ---- The setup: headers flattened ---- */

struct leaf {
	char *path;
	const cJSON *v;
};
struct leaves {
	struct leaf *v;
	size_t n, cap;
};

/*
 * The name of element i of the header's array at path, when it has one that
 * reads better (and matches better: two machines with different zones are
 * compared zone by zone, not index by index) than [i]: a zone by its node
 * and name (zones.node0.Normal), a per-CPU list by its list
 * (pcp.hot), a CPU or a node by its number (machine.cpu1, machine.node0,
 * machine.distance.node0.node1, as the counters name them). NULL: [i].
 */
static const char *element_name(const char *path, const cJSON *e, int i, char *buf, size_t n)
{
	const char *last = strrchr(path, '.');
	last = last ? last + 1 : path;
	if (!strcmp(path, "zones")) {
		const cJSON *node = cJSON_GetObjectItemCaseSensitive(e, "node");
		const cJSON *zone = cJSON_GetObjectItemCaseSensitive(e, "zone");
		if (cJSON_IsNumber(node) && cJSON_IsString(zone)) {
			snprintf(buf, n, "node%.0f.%s", node->valuedouble, zone->valuestring);
			return buf;
		}
	} else if (!strcmp(last, "pcp")) {
		const cJSON *list = cJSON_GetObjectItemCaseSensitive(e, "list");
		if (cJSON_IsString(list)) {
			snprintf(buf, n, "%s", list->valuestring);
			return buf;
		}
	} else if (!strcmp(path, "machine.cpus")) {
		snprintf(buf, n, "cpu%d", i);
		return buf;
	} else if (!strcmp(path, "machine.nodes") || !strncmp(path, "machine.distance", 16)) {
		snprintf(buf, n, "node%d", i);
		return buf;
	}
	return NULL;
}

/* The leaves of j as dotted paths. named: the header's arrays by
 * element_name (the summary keeps [i]). An array of named elements drops
 * its own plural key where the element's name says it: machine.cpus[1]
 * becomes machine.cpu1, machine.nodes[0] machine.node0. */
static void flatten_as(const cJSON *j, const char *path, struct leaves *out, bool skip_type, bool named)
{
	char sub[512];
	if (cJSON_IsObject(j) && j->child) {
		for (const cJSON *c = j->child; c; c = c->next) {
			if (skip_type && !strcmp(c->string, "type"))
				continue;
			snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", c->string);
			flatten_as(c, sub, out, false, named);
		}
		return;
	}
	if (cJSON_IsArray(j) && j->child) {
		int i = 0;
		for (const cJSON *c = j->child; c; c = c->next, i++) {
			char nm[128];
			const char *name = named ? element_name(path, c, i, nm, sizeof nm) : NULL;
			if (!name) {
				snprintf(sub, sizeof sub, "%s[%d]", path, i);
			} else if (!strcmp(path, "machine.cpus") || !strcmp(path, "machine.nodes")) {
				snprintf(sub, sizeof sub, "machine.%s", name);
			} else {
				snprintf(sub, sizeof sub, "%s.%s", path, name);
			}
			flatten_as(c, sub, out, false, named);
		}
		return;
	}
	if (out->n == out->cap) {
		out->cap = out->cap ? 2 * out->cap : 64;
		out->v = mmsim_xrealloc(out->v, out->cap * sizeof *out->v);
	}
	out->v[out->n++] = (struct leaf){mmsim_xstrdup(path), j};
}

static void flatten(const cJSON *j, const char *path, struct leaves *out, bool skip_type)
{
	flatten_as(j, path, out, skip_type, false);
}

static void leaves_free(struct leaves *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].path);
	free(l->v);
	memset(l, 0, sizeof *l);
}

static const cJSON *leaf_find(const struct leaves *l, const char *path, size_t hint)
{
	if (hint < l->n && !strcmp(l->v[hint].path, path))
		return l->v[hint].v;
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].path, path))
			return l->v[i].v;
	return NULL;
}

/* A leaf as text: strings without quotes, "-" when absent. */
static char *leaf_text(const cJSON *v)
{
	if (!v)
		return mmsim_xstrdup("-");
	if (cJSON_IsString(v))
		return mmsim_xstrdup(v->valuestring);
	char *p = cJSON_PrintUnformatted(v);
	char *s = mmsim_xstrdup(p ? p : "?");
	free(p);
	return s;
}

struct textdiff {
	char *key;
	const cJSON *a, *b;
};
struct textdiffs {
	struct textdiff *v;
	size_t n, cap;
};

static void textdiff_add(struct textdiffs *d, const char *key, const cJSON *a, const cJSON *b)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 16;
		d->v = mmsim_xrealloc(d->v, d->cap * sizeof *d->v);
	}
	d->v[d->n++] = (struct textdiff){mmsim_xstrdup(key), a, b};
}

/* ---- The outcome: rows of numbers ---- */

enum { SEC_SUMMARY, SEC_EVENTS, NR_SECTIONS };

struct row {
	char *name;
	int section;
	bool has_a, has_b;
	double a, b;
	size_t order;
};
struct rows {
	struct row *v;
	size_t n, cap;
};

static void row_add(struct rows *r, int section, const char *name, bool has_a, double a,
		    bool has_b, double b)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 256;
		r->v = mmsim_xrealloc(r->v, r->cap * sizeof *r->v);
	}
	r->v[r->n] = (struct row){mmsim_xstrdup(name), section, has_a, has_b, has_a ? a : 0,
				  has_b ? b : 0, r->n};
	r->n++;
}

static bool row_changed(const struct row *r)
{
	return r->has_a != r->has_b || r->a != r->b;
}

/* How big a change is, for sorting: relative, with "from nothing" (or a
 * row on one side only) as infinite. */
static double row_weight(const struct row *r)
{
	if (!row_changed(r))
		return -1;
	if (!r->has_a || !r->has_b || r->a == 0)
		return INFINITY;
	return fabs(r->b - r->a) / fabs(r->a);
}

static int row_cmp(const void *x, const void *y)
{
	const struct row *a = x, *b = y;
	if (a->section != b->section)
		return a->section - b->section;
	double wa = row_weight(a), wb = row_weight(b);
	if (wa != wb)
		return wa > wb ? -1 : 1;
	double da = fabs(a->b - a->a), db = fabs(b->b - b->a);
	if (da != db)
		return da > db ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

/* Summary leaves: numbers become rows, the rest (status, stop, error)
 * text differences. The "stats." prefix is dropped from the names. */
static void summary_rows(const struct side *A, const struct side *B, struct rows *rows,
			 struct textdiffs *td)
{
	struct leaves la = {0}, lb = {0};
	flatten(A->summary, "", &la, true);
	flatten(B->summary, "", &lb, true);
	for (int pass = 0; pass < 2; pass++) {
		const struct leaves *l = pass ? &lb : &la, *other = pass ? &la : &lb;
		for (size_t i = 0; i < l->n; i++) {
			const cJSON *v = l->v[i].v;
			const cJSON *w = leaf_find(other, l->v[i].path, i);
			if (pass == 1 && w)
				continue;   /* done in the first pass */
			const cJSON *va = pass ? w : v, *vb = pass ? v : w;
			const char *name = l->v[i].path;
			if (!strncmp(name, "stats.", 6))
				name += 6;
			if ((!va || cJSON_IsNumber(va)) && (!vb || cJSON_IsNumber(vb))) {
				row_add(rows, SEC_SUMMARY, name, va != NULL, va ? va->valuedouble : 0,
					vb != NULL, vb ? vb->valuedouble : 0);
			} else {
				char *ta = leaf_text(va), *tb = leaf_text(vb);
				if (strcmp(ta, tb) || !va || !vb)
					textdiff_add(td, l->v[i].path, va, vb);
				free(ta);
				free(tb);
			}
		}
	}
	leaves_free(&la);
	leaves_free(&lb);
}

static const struct evtype *evtable_find(const struct evtable *t, const char *name)
{
	for (int i = 0; i < t->n; i++)
		if (!strcmp(t->types[i]->name, name))
			return t->types[i];
	return NULL;
}

static void event_rows_one(struct rows *rows, const char *name, const struct evtype *a,
			   const struct evtype *b)
{
	char n[300];
	snprintf(n, sizeof n, "%s.count", name);
	row_add(rows, SEC_EVENTS, n, true, a ? (double)a->count : 0, true, b ? (double)b->count : 0);
	bool ca = a && a->with_cycles, cb = b && b->with_cycles;
	if (!ca && !cb)
		return;
	static const struct {
		const char *name;
		double p;
	} pct[] = {{"p50", 50}, {"p90", 90}, {"p99", 99}, {"max", 100}};
	for (size_t i = 0; i < sizeof pct / sizeof pct[0]; i++) {
		snprintf(n, sizeof n, "%s.cycles.%s", name, pct[i].name);
		row_add(rows, SEC_EVENTS, n, ca, ca ? (double)stats_hist_percentile(&a->cycles, pct[i].p) : 0,
			cb, cb ? (double)stats_hist_percentile(&b->cycles, pct[i].p) : 0);
	}
}

static void event_rows(const struct side *A, const struct side *B, struct rows *rows)
{
	for (int i = 0; i < A->ev.n; i++)
		event_rows_one(rows, A->ev.types[i]->name, A->ev.types[i],
			       evtable_find(&B->ev, A->ev.types[i]->name));
	for (int i = 0; i < B->ev.n; i++)
		if (!evtable_find(&A->ev, B->ev.types[i]->name))
			event_rows_one(rows, B->ev.types[i]->name, NULL, B->ev.types[i]);
}

/* ---- The headline: the numbers a reader wants first ---- */

/* Shown first, in this order, changed or not, when either trace has them:
 * how long the run took, what an allocation and a free cost (the summary's
 * histograms, which count untraced operations too), and what failed. */
static const char *const headline_names[] = {
	"cycles",
	"ops.alloc_cycles.p50", "ops.alloc_cycles.p90", "ops.alloc_cycles.p99",
	"ops.free_cycles.p50", "ops.free_cycles.p90", "ops.free_cycles.p99",
	"ops.alloc_failed", "mm.vmstat.pgalloc_fail", "mm_page_alloc_fail.count",
};
#define NR_HEADLINE (sizeof headline_names / sizeof headline_names[0])

/* The headline rows found in rows, in headline order; returns how many. */
static size_t headline_rows(const struct rows *rows, const struct row *out[NR_HEADLINE])
{
	size_t n = 0;
	for (size_t k = 0; k < NR_HEADLINE; k++)
		for (size_t i = 0; i < rows->n; i++)
			if (!strcmp(rows->v[i].name, headline_names[k])) {
				out[n++] = &rows->v[i];
				break;
			}
	return n;
}

/* ---- Families: the same number for each CPU, node, ... ---- */

/*
 * A machine with 64 CPUs has 64 rows of l1d.read_misses. The text output
 * sums such rows by family: a row whose first name component is a word and
 * an instance number ("cpu12", "node1", "cpus[3]", "kswapd0") belongs to the
 * family named with '*' in place of the number. Statistics of a histogram
 * (min, max, mean, pN) do not add up, so those rows stay apart. A family
 * sorts by its member that changed most, so a swing between CPUs that
 * cancels in the sum still shows, and that member is named beside the sum.
 */
static char *family_of(const char *name)
{
	const char *dot = strchr(name, '.');
	if (!dot)
		return NULL;
	const char *last = strrchr(name, '.') + 1;
	static const char *const stat_names[] = {"min", "max", "mean", "p50", "p90", "p99"};
	for (size_t i = 0; i < sizeof stat_names / sizeof stat_names[0]; i++)
		if (!strcmp(last, stat_names[i]))
			return NULL;
	const char *p = name;
	while (p < dot && ((*p >= 'a' && *p <= 'z') || *p == '_'))
		p++;
	if (p == name || p == dot)
		return NULL;
	bool bracket = *p == '[';
	const char *digits = p + bracket, *q = digits;
	while (q < dot && *q >= '0' && *q <= '9')
		q++;
	if (q == digits || q + bracket != dot || (bracket && *q != ']'))
		return NULL;
	size_t head = (size_t)(digits - name);
	char *fam = mmsim_xmalloc(strlen(name) + 2);
	memcpy(fam, name, head);
	fam[head] = '*';
	strcpy(fam + head + 1, q);
	return fam;
}

/* A line of the text output: one row, or the sum of a family's rows. */
struct shown {
	struct row sum;          /* name, has_a/has_b, a, b, order of the first member */
	const struct row *top;   /* the member that changed most (families only) */
	size_t members;
	double weight;           /* the largest member weight */
	bool changed;
};

static int shown_cmp(const void *x, const void *y)
{
	const struct shown *a = x, *b = y;
	if (a->weight != b->weight)
		return a->weight > b->weight ? -1 : 1;
	double da = a->top ? fabs(a->top->b - a->top->a) : fabs(a->sum.b - a->sum.a);
	double db = b->top ? fabs(b->top->b - b->top->a) : fabs(b->sum.b - b->sum.a);
	if (da != db)
		return da > db ? -1 : 1;
	return a->sum.order < b->sum.order ? -1 : a->sum.order > b->sum.order;
}

struct famidx {
	char *fam;
	size_t row;
};

static int famidx_cmp(const void *x, const void *y)
{
	const struct famidx *a = x, *b = y;
	int c = strcmp(a->fam, b->fam);
	if (c)
		return c;
	return a->row < b->row ? -1 : a->row > b->row;
}

/* The lines of one section, sorted; *n gets their number. Family names
 * are owned by the returned lines (free with shown_free). */
static struct shown *shown_lines(const struct rows *rows, int sec, bool each, size_t *n)
{
	struct shown *out = mmsim_xmalloc((rows->n + 1) * sizeof *out);
	struct famidx *fi = mmsim_xmalloc((rows->n + 1) * sizeof *fi);
	size_t nout = 0, nfi = 0;
	for (size_t i = 0; i < rows->n; i++) {
		const struct row *r = &rows->v[i];
		if (r->section != sec)
			continue;
		char *fam = each ? NULL : family_of(r->name);
		if (fam) {
			fi[nfi++] = (struct famidx){fam, i};
			continue;
		}
		double w = row_weight(r);
		out[nout++] = (struct shown){*r, NULL, 1, w, row_changed(r)};
		out[nout - 1].sum.name = NULL;
		out[nout - 1].top = r;
	}
	qsort(fi, nfi, sizeof *fi, famidx_cmp);
	for (size_t i = 0; i < nfi;) {
		size_t j = i;
		while (j < nfi && !strcmp(fi[j].fam, fi[i].fam))
			j++;
		if (j - i == 1) {   /* a lone instance is not a family */
			const struct row *r = &rows->v[fi[i].row];
			out[nout++] = (struct shown){*r, r, 1, row_weight(r), row_changed(r)};
			out[nout - 1].sum.name = NULL;
			free(fi[i].fam);
			i = j;
			continue;
		}
		struct shown s = {.sum = {.name = fi[i].fam, .section = sec, .order = fi[i].row},
				  .weight = -1};
		for (size_t k = i; k < j; k++) {
			const struct row *r = &rows->v[fi[k].row];
			s.sum.has_a |= r->has_a;
			s.sum.has_b |= r->has_b;
			s.sum.a += r->a;
			s.sum.b += r->b;
			s.members++;
			s.changed |= row_changed(r);
			double w = row_weight(r);
			if (!s.top || w > s.weight ||
			    (w == s.weight && fabs(r->b - r->a) > fabs(s.top->b - s.top->a))) {
				s.top = r;
				s.weight = w;
			}
			if (k > i)
				free(fi[k].fam);
		}
		out[nout++] = s;
		i = j;
	}
	free(fi);
	qsort(out, nout, sizeof *out, shown_cmp);
	*n = nout;
	return out;
}

static void shown_free(struct shown *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].sum.name);
	free(v);
}

/* ---- Printing ---- */

static void fmt_num(char *buf, size_t n, bool has, double v, bool sign)
{
	if (!has)
		snprintf(buf, n, "-");
	else if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, n, sign ? "%+.0f" : "%.0f", v);
	else
		snprintf(buf, n, sign ? "%+.6g" : "%.6g", v);
}

static void fmt_change(char *buf, size_t n, const struct row *r)
{
	if (!r->has_a)
		snprintf(buf, n, "only B");
	else if (!r->has_b)
		snprintf(buf, n, "only A");
	else if (r->a == r->b)
		snprintf(buf, n, "=");
	else if (r->a == 0)
		snprintf(buf, n, "new");
	else
		snprintf(buf, n, "%+.1f%%", 100.0 * (r->b - r->a) / fabs(r->a));
}

struct divergence {
	bool found;
	uint64_t index;   /* 1-based among event lines */
};

static const char *str_or(const cJSON *o, const char *key, const char *dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : dflt;
}

static void print_side_line(const char *tag, const struct side *s)
{
	const cJSON *seed = cJSON_GetObjectItemCaseSensitive(s->header, "seed");
	char sd[32] = "?";
	if (cJSON_IsNumber(seed))
		snprintf(sd, sizeof sd, "%.0f", seed->valuedouble);
	printf("%s  %s  (%s, seed %s, %llu event%s, %llu snapshot%s)\n", tag, s->path,
	       str_or(s->header, "scenario", "?"), sd, (unsigned long long)s->events,
	       s->events == 1 ? "" : "s", (unsigned long long)s->snapshots,
	       s->snapshots == 1 ? "" : "s");
}

static void print_context_line(const char *tag, const struct saved_line *l, bool mark)
{
	printf("  %s %7llu %s %s\n", tag, (unsigned long long)l->lineno, mark ? ">" : " ", l->text);
}

static void print_side_context(const char *tag, const struct side *s, int context)
{
	uint64_t n = s->nbefore < (uint64_t)context ? s->nbefore : (uint64_t)context;
	for (uint64_t i = s->nbefore - n; i < s->nbefore; i++)
		print_context_line(tag, &s->before[i % CONTEXT_MAX], false);
	if (s->has_at)
		print_context_line(tag, &s->at, true);
	else
		printf("  %s         > (no more events: the summary follows)\n", tag);
	for (int i = 0; i < s->nafter; i++)
		print_context_line(tag, &s->after[i], false);
}

static void print_text(const struct diff_opts *o, const struct side *A, const struct side *B,
		       const struct textdiffs *setup, const struct textdiffs *outcome_text,
		       const struct rows *rows, const struct divergence *dv)
{
	print_side_line("A", A);
	print_side_line("B", B);

	const struct row *head[NR_HEADLINE];
	size_t nhead = headline_rows(rows, head);
	if (nhead) {
		printf("\nheadline\n  %-44s %14s %14s %14s %9s\n", "name", "A", "B", "B-A", "change");
		for (size_t i = 0; i < nhead; i++) {
			char a[32], b[32], d[32], c[32];
			const struct row *r = head[i];
			fmt_num(a, sizeof a, r->has_a, r->a, false);
			fmt_num(b, sizeof b, r->has_b, r->b, false);
			fmt_num(d, sizeof d, r->has_a && r->has_b, r->b - r->a, true);
			fmt_change(c, sizeof c, r);
			printf("  %-44s %14s %14s %14s %9s\n", r->name, a, b, d, c);
		}
	}

	printf("\nsetup: ");
	if (!setup->n)
		printf("the same\n");
	else
		printf("%zu difference%s\n  %-40s %-24s %s\n", setup->n, setup->n > 1 ? "s" : "",
		       "key", "A", "B");
	for (size_t i = 0; i < setup->n; i++) {
		char *ta = leaf_text(setup->v[i].a), *tb = leaf_text(setup->v[i].b);
		printf("  %-40s %-24s %s\n", setup->v[i].key, ta, tb);
		free(ta);
		free(tb);
	}

	static const char *const titles[NR_SECTIONS] = {
		[SEC_SUMMARY] = "summary",
		[SEC_EVENTS] = "events (count, and cycles per event)",
	};
	for (int sec = 0; sec < NR_SECTIONS; sec++) {
		size_t total = 0, changed = 0;
		for (size_t i = 0; i < rows->n; i++)
			if (rows->v[i].section == sec) {
				total++;
				changed += row_changed(&rows->v[i]);
			}
		printf("\n%s: %zu of %zu number%s differ%s\n", titles[sec], changed, total,
		       total == 1 ? "" : "s", changed && !o->all ? " (largest change first; --all "
		       "shows the rest)" : changed ? " (largest change first)" : "");
		if (sec == SEC_SUMMARY)
			for (size_t i = 0; i < outcome_text->n; i++) {
				char *ta = leaf_text(outcome_text->v[i].a), *tb = leaf_text(outcome_text->v[i].b);
				printf("  %-40s %-16s %s\n", outcome_text->v[i].key, ta, tb);
				free(ta);
				free(tb);
			}
		if (!changed && !o->all)
			continue;
		size_t nshown;
		struct shown *lines = shown_lines(rows, sec, o->each, &nshown);
		bool families = false;
		for (size_t i = 0; i < nshown; i++)
			families |= lines[i].members > 1 && (o->all || lines[i].changed);
		printf("  %-44s %14s %14s %14s %9s%s\n", "name", "A", "B", "B-A", "change",
		       families ? "  (families: the member that changed most; --each)" : "");
		for (size_t i = 0; i < nshown; i++) {
			const struct shown *l = &lines[i];
			if (!o->all && !l->changed)
				continue;
			const struct row *r = l->members > 1 ? &l->sum : l->top;
			char a[32], b[32], d[32], c[32];
			fmt_num(a, sizeof a, r->has_a, r->a, false);
			fmt_num(b, sizeof b, r->has_b, r->b, false);
			fmt_num(d, sizeof d, r->has_a && r->has_b, r->b - r->a, true);
			fmt_change(c, sizeof c, r);
			printf("  %-44s %14s %14s %14s %9s", r->name, a, b, d, c);
			if (l->members > 1 && row_changed(l->top)) {
				char td[32];
				fmt_num(td, sizeof td, l->top->has_a && l->top->has_b, l->top->b - l->top->a, true);
				printf("  %zu: %s %s", l->members, l->top->name, l->top->has_a && l->top->has_b ?
				       td : l->top->has_a ? "only A" : "only B");
			} else if (l->members > 1) {
				printf("  %zu", l->members);
			}
			printf("\n");
		}
		shown_free(lines, nshown);
	}

	printf("\nfirst divergence");
	if (o->nignore) {
		printf(" (ignoring");
		for (int i = 0; i < o->nignore; i++)
			printf("%s%s", i ? "," : " ", o->ignore[i]);
		printf(")");
	}
	if (!dv->found) {
		printf(": none, the %llu events are the same\n", (unsigned long long)A->events);
		return;
	}
	printf(": event %llu", (unsigned long long)dv->index);
	if (A->has_at && B->has_at) {
		printf(" (A line %llu, B line %llu), cycle ", (unsigned long long)A->at.lineno,
		       (unsigned long long)B->at.lineno);
		if (A->at.has_t && B->at.has_t && A->at.t == B->at.t)
			printf("%llu\n", (unsigned long long)A->at.t);
		else
			printf("%llu in A, %llu in B\n", (unsigned long long)A->at.t,
			       (unsigned long long)B->at.t);
	} else {
		const struct side *more = A->has_at ? A : B;
		printf(" (%s line %llu, cycle %llu): %s has %llu events, %s only %llu\n",
		       more == A ? "A" : "B", (unsigned long long)more->at.lineno,
		       (unsigned long long)more->at.t, more == A ? "A" : "B",
		       (unsigned long long)more->events, more == A ? "B" : "A",
		       (unsigned long long)(more == A ? B->events : A->events));
	}
	print_side_context("A", A, o->context);
	printf("\n");
	print_side_context("B", B, o->context);
}

static cJSON *line_json(const struct saved_line *l)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "line", (double)l->lineno);
	cJSON *ev = cJSON_ParseWithLength(l->text, l->len);
	cJSON_AddItemToObject(o, "event", ev ? ev : cJSON_CreateString(l->text));
	return o;
}

static cJSON *side_context_json(const struct side *s, int context)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *before = cJSON_AddArrayToObject(o, "before");
	uint64_t n = s->nbefore < (uint64_t)context ? s->nbefore : (uint64_t)context;
	for (uint64_t i = s->nbefore - n; i < s->nbefore; i++)
		cJSON_AddItemToArray(before, line_json(&s->before[i % CONTEXT_MAX]));
	cJSON_AddItemToObject(o, "at", s->has_at ? line_json(&s->at) : cJSON_CreateNull());
	cJSON *after = cJSON_AddArrayToObject(o, "after");
	for (int i = 0; i < s->nafter; i++)
		cJSON_AddItemToArray(after, line_json(&s->after[i]));
	return o;
}

static cJSON *num_or_null(bool has, double v)
{
	return has ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

static cJSON *dup_or_null(const cJSON *v)
{
	return v ? cJSON_Duplicate(v, true) : cJSON_CreateNull();
}

static void add_textdiffs(cJSON *arr, const struct textdiffs *d)
{
	for (size_t i = 0; i < d->n; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "key", d->v[i].key);
		cJSON_AddItemToObject(o, "a", dup_or_null(d->v[i].a));
		cJSON_AddItemToObject(o, "b", dup_or_null(d->v[i].b));
		cJSON_AddItemToArray(arr, o);
	}
}

static cJSON *row_json(const struct row *r)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "name", r->name);
	cJSON_AddItemToObject(j, "a", num_or_null(r->has_a, r->a));
	cJSON_AddItemToObject(j, "b", num_or_null(r->has_b, r->b));
	cJSON_AddItemToObject(j, "delta", num_or_null(r->has_a && r->has_b, r->b - r->a));
	cJSON_AddItemToObject(j, "rel", num_or_null(r->has_a && r->has_b && r->a != 0,
						     (r->b - r->a) / fabs(r->a)));
	return j;
}

static void print_json(const struct diff_opts *o, const struct side *A, const struct side *B,
		       const struct textdiffs *setup, const struct textdiffs *outcome_text,
		       const struct rows *rows, const struct divergence *dv, bool same)
{
	cJSON *doc = cJSON_CreateObject();
	const struct side *sides[2] = {A, B};
	for (int i = 0; i < 2; i++) {
		cJSON *s = cJSON_AddObjectToObject(doc, i ? "b" : "a");
		cJSON_AddStringToObject(s, "path", sides[i]->path);
		cJSON_AddNumberToObject(s, "events", (double)sides[i]->events);
		cJSON_AddNumberToObject(s, "snapshots", (double)sides[i]->snapshots);
	}
	cJSON_AddBoolToObject(doc, "same", same);
	const struct row *head[NR_HEADLINE];
	size_t nhead = headline_rows(rows, head);
	cJSON *harr = cJSON_AddArrayToObject(doc, "headline");
	for (size_t i = 0; i < nhead; i++)
		cJSON_AddItemToArray(harr, row_json(head[i]));
	add_textdiffs(cJSON_AddArrayToObject(doc, "setup"), setup);
	add_textdiffs(cJSON_AddArrayToObject(doc, "outcome_text"), outcome_text);
	static const char *const keys[NR_SECTIONS] = {"summary", "events"};
	for (int sec = 0; sec < NR_SECTIONS; sec++) {
		cJSON *arr = cJSON_AddArrayToObject(doc, keys[sec]);
		for (size_t i = 0; i < rows->n; i++) {
			const struct row *r = &rows->v[i];
			if (r->section != sec || (!o->all && !row_changed(r)))
				continue;
			cJSON_AddItemToArray(arr, row_json(r));
		}
	}
	if (dv->found) {
		cJSON *d = cJSON_AddObjectToObject(doc, "divergence");
		cJSON_AddNumberToObject(d, "event", (double)dv->index);
		cJSON *ign = cJSON_AddArrayToObject(d, "ignore");
		for (int i = 0; i < o->nignore; i++)
			cJSON_AddItemToArray(ign, cJSON_CreateString(o->ignore[i]));
		cJSON_AddItemToObject(d, "a", side_context_json(A, o->context));
		cJSON_AddItemToObject(d, "b", side_context_json(B, o->context));
	} else {
		cJSON_AddNullToObject(doc, "divergence");
	}
	char *text = cJSON_Print(doc);
	puts(text);
	free(text);
	cJSON_Delete(doc);
}

/* ---- CSV ---- */

static void csv_num(bool has, double v, bool last)
{
	char b[40] = "";
	if (has)
		tool_fmt_double(b, sizeof b, v);
	tool_csv_field(b, last);
}

static void csv_row(const char *part, const struct row *r)
{
	tool_csv_field(part, false);
	tool_csv_field(r->name, false);
	csv_num(r->has_a, r->a, false);
	csv_num(r->has_b, r->b, false);
	csv_num(r->has_a && r->has_b, r->b - r->a, false);
	csv_num(r->has_a && r->has_b && r->a != 0, (r->b - r->a) / fabs(r->a), true);
}

static void csv_text(const char *part, const struct textdiffs *d)
{
	for (size_t i = 0; i < d->n; i++) {
		char *ta = d->v[i].a ? leaf_text(d->v[i].a) : mmsim_xstrdup("");
		char *tb = d->v[i].b ? leaf_text(d->v[i].b) : mmsim_xstrdup("");
		tool_csv_field(part, false);
		tool_csv_field(d->v[i].key, false);
		tool_csv_field(ta, false);
		tool_csv_field(tb, false);
		tool_csv_field("", false);
		tool_csv_field("", true);
		free(ta);
		free(tb);
	}
}

/* The JSON document's rows as one table: part (headline, setup,
 * outcome_text, summary, events, divergence), name, a, b, delta, rel. An
 * empty field is JSON's null (absent on that side). */
static void print_csv(const struct diff_opts *o, const struct side *A, const struct side *B,
		      const struct textdiffs *setup, const struct textdiffs *outcome_text,
		      const struct rows *rows, const struct divergence *dv)
{
	fputs("part,name,a,b,delta,rel\n", stdout);
	const struct row *head[NR_HEADLINE];
	size_t nhead = headline_rows(rows, head);
	for (size_t i = 0; i < nhead; i++)
		csv_row("headline", head[i]);
	csv_text("setup", setup);
	csv_text("outcome_text", outcome_text);
	static const char *const parts[NR_SECTIONS] = {"summary", "events"};
	for (int sec = 0; sec < NR_SECTIONS; sec++)
		for (size_t i = 0; i < rows->n; i++) {
			const struct row *r = &rows->v[i];
			if (r->section == sec && (o->all || row_changed(r)))
				csv_row(parts[sec], r);
		}
	if (dv->found) {
		/* The divergence: its index among events, then each side's
		 * line number and cycle (empty on a side that ran out). */
		printf("divergence,event,%llu,%llu,,\n", (unsigned long long)dv->index,
		       (unsigned long long)dv->index);
		struct { const char *name; } f[2] = {{"line"}, {"t"}};
		for (int k = 0; k < 2; k++) {
			printf("divergence,%s,", f[k].name);
			const struct side *s[2] = {A, B};
			for (int i = 0; i < 2; i++) {
				if (s[i]->has_at)
					printf("%llu", (unsigned long long)(k ? s[i]->at.t : s[i]->at.lineno));
				putchar(',');
			}
			fputs(",\n", stdout);
		}
	}
}

/* ---- The command ---- */

static int parse_opts(int argc, char **argv, struct diff_opts *o)
{
	*o = (struct diff_opts){.context = 3};
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(diff_usage, stdout);
			exit(EXIT_OK);
		} else if (!strcmp(a, "--all")) {
			o->all = true;
		} else if (!strcmp(a, "--json")) {
			o->json = true;
		} else if (!strcmp(a, "--csv")) {
			o->csv = true;
		} else if (!strcmp(a, "--each")) {
			o->each = true;
		} else if (!strcmp(a, "--ignore") || !strcmp(a, "--context")) {
			if (i + 1 >= argc) {
				tool_error("diff: %s needs a value (see mmsim diff --help)", a);
				return -1;
			}
			const char *val = argv[++i];
			if (!strcmp(a, "--context")) {
				uint64_t n;
				if (tool_parse_u64(val, 0, &n) || n > CONTEXT_MAX) {
					tool_error("diff: --context: '%s' is not a number from 0 to %d", val,
						   CONTEXT_MAX);
					return -1;
				}
				o->context = (int)n;
				continue;
			}
			free(o->ignore_buf);
			o->ignore_buf = mmsim_xstrdup(val);
			o->nignore = 0;
			for (char *save = NULL, *f = strtok_r(o->ignore_buf, ",", &save); f;
			     f = strtok_r(NULL, ",", &save)) {
				if (o->nignore == IGNORE_MAX) {
					tool_error("diff: --ignore: more than %d fields", IGNORE_MAX);
					return -1;
				}
				o->ignore[o->nignore++] = f;
			}
		} else if (a[0] == '-' && a[1]) {
			tool_error("diff: unknown option '%s' (see mmsim diff --help)", a);
			return -1;
		} else if (!o->a) {
			o->a = a;
		} else if (!o->b) {
			o->b = a;
		} else {
			tool_error("diff: more than two traces ('%s')", a);
			return -1;
		}
	}
	if (o->json && o->csv) {
		tool_error("diff: --json or --csv, not both");
		return -1;
	}
	if (!o->b) {
		tool_error("diff: two traces needed: mmsim diff A.jsonl B.jsonl (see mmsim diff --help)");
		return -1;
	}
	if (!strcmp(o->a, "-") && !strcmp(o->b, "-")) {
		tool_error("diff: only one of the traces can be standard input");
		return -1;
	}
	return 0;
}

static void side_free(struct side *s)
{
	trd_close(&s->r);
	evtable_free(&s->ev);
	cJSON_Delete(s->header);
	cJSON_Delete(s->summary);
	for (int i = 0; i < CONTEXT_MAX; i++) {
		free(s->before[i].text);
		free(s->after[i].text);
	}
	free(s->at.text);
}

static void textdiffs_free(struct textdiffs *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].key);
	free(d->v);
}

/* Streams both traces to their ends. 0, or -1 on trouble (printed). */
static int stream(struct side *A, struct side *B, const struct diff_opts *o, struct divergence *dv)
{
	struct side *s[2] = {A, B};
	uint64_t index = 0;
	for (;;) {
		int got[2];
		for (int i = 0; i < 2; i++) {
			/* After the divergence and its context, only the statistics
			 * matter: read each side on its own. */
			got[i] = advance(s[i]);
			if (got[i] < 0)
				return -1;
		}
		if (!got[0] && !got[1])
			return 0;
		index++;
		if (!dv->found) {
			if (got[0] && got[1] && events_equal(A, B, o)) {
				for (int i = 0; i < 2; i++)
					save_line(&s[i]->before[s[i]->nbefore++ % CONTEXT_MAX], &s[i]->r);
				continue;
			}
			dv->found = true;
			dv->index = index;
			for (int i = 0; i < 2; i++)
				if (got[i]) {
					save_line(&s[i]->at, &s[i]->r);
					s[i]->has_at = true;
				}
			continue;
		}
		for (int i = 0; i < 2; i++)
			if (got[i] && s[i]->nafter < o->context)
				save_line(&s[i]->after[s[i]->nafter++], &s[i]->r);
	}
}

int cmd_diff(int argc, char **argv)
{
	struct diff_opts o;
	if (parse_opts(argc, argv, &o)) {
		free(o.ignore_buf);
		return EXIT_USAGE;
	}
	static struct side A, B;   /* big (context buffers); one diff per process */
	memset(&A, 0, sizeof A);
	memset(&B, 0, sizeof B);
	A.path = o.a;
	B.path = o.b;
	int status = EXIT_USAGE;
	struct rows rows = {0};
	struct textdiffs setup = {0}, outcome_text = {0};
	struct divergence dv = {0};
	if (trd_open(&A.r, o.a) || trd_open(&B.r, o.b)) {
		tool_error("diff: %s", A.r.err[0] ? A.r.err : B.r.err);
		goto out;
	}
	if (stream(&A, &B, &o, &dv))
		goto out;

	/* The setup, key by key. */
	struct leaves la = {0}, lb = {0};
	flatten_as(A.header, "", &la, true, true);
	flatten_as(B.header, "", &lb, true, true);
	for (size_t i = 0; i < la.n; i++) {
		const cJSON *w = leaf_find(&lb, la.v[i].path, i);
		if (!w || !cJSON_Compare(la.v[i].v, w, true))
			textdiff_add(&setup, la.v[i].path, la.v[i].v, w);
	}
	for (size_t i = 0; i < lb.n; i++)
		if (!leaf_find(&la, lb.v[i].path, i))
			textdiff_add(&setup, lb.v[i].path, NULL, lb.v[i].v);
	summary_rows(&A, &B, &rows, &outcome_text);
	event_rows(&A, &B, &rows);
	qsort(rows.v, rows.n, sizeof *rows.v, row_cmp);

	bool same = !setup.n && !outcome_text.n && !dv.found;
	for (size_t i = 0; i < rows.n; i++)
		same &= !row_changed(&rows.v[i]);
	if (o.csv)
		print_csv(&o, &A, &B, &setup, &outcome_text, &rows, &dv);
	else if (o.json)
		print_json(&o, &A, &B, &setup, &outcome_text, &rows, &dv, same);
	else
		print_text(&o, &A, &B, &setup, &outcome_text, &rows, &dv);
	status = same ? EXIT_OK : EXIT_FAILED;
	leaves_free(&la);
	leaves_free(&lb);
out:
	for (size_t i = 0; i < rows.n; i++)
		free(rows.v[i].name);
	free(rows.v);
	textdiffs_free(&setup);
	textdiffs_free(&outcome_text);
	side_free(&A);
	side_free(&B);
	free(o.ignore_buf);
	return status;   /* a failed write on stdout: tools/mmsim.c's close_stdout */
}
