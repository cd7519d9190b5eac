/*
 * mmsim report TRACE.jsonl: what happened in one run, for a human.
 *
 * One pass over the trace, in constant memory (sim/trace_read.h). What is
 * kept while streaming:
 *   - the header and the summary (parsed);
 *   - per event type, a count and a histogram of "cycles" (evtable);
 *   - per zone: the watermark level of the last snapshot, the lowest free
 *     count seen, and the first CROSSINGS_KEPT watermark crossings;
 *   - a bounded sample of the snapshots for the "over time" table: at most
 *     SAMPLES_MAX rows; when full, every other row is dropped and the stride
 *     doubles, so the rows stay evenly spread over the whole run;
 *   - kswapd wake-ups per node, allocation failures (the first few lines);
 *   - the TOP_N dearest events (a copy of each line);
 *   - the last snapshot's buddyinfo (nr_free per order).
 * The summary's stats give the hardware side: caches, coherence, DRAM, TLB,
 * summed over their CPUs or nodes.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "sim/stats.h"
#include "sim/trace_read.h"
#include "sim/types.h"
#include "tools/tools.h"

static const char report_usage[] =
	"usage: mmsim report [options] TRACE.jsonl\n"
	"\n"
	"A readable summary of one run from its trace (docs/tools.md): the machine\n"
	"and policy; per zone, free pages against the min/low/high watermarks over\n"
	"time (from the snapshot lines: run with --snapshot-every N for more than\n"
	"the final one), their crossings, kswapd wake-ups and allocation failures;\n"
	"the final buddyinfo; where the cycles went by event type, by operation and\n"
	"by hardware component; and the dearest single events. Reads the trace\n"
	"once, in constant memory.\n"
	"\n"
	"options:\n"
	"  --top N      how many of the dearest events to list (default 10, at most 100)\n"
	"  --json       the same as one JSON document (docs/tools.md)\n"
	"  --csv        the same as one CSV table: section,row,field,value\n"
	"  -h, --help   this text\n"
	"\n"
	"exit status: 0 done, 2 trouble (a missing file, a line that is not JSON, no\n"
	"header, an unknown format version, a truncated trace: the message names the\n"
	"file and line).\n"
	"\n"
	"examples:\n"
	"  mmsim run scenarios/quickstart.lua --snapshot-every 100000 -o q.jsonl --quiet\n"
	"  mmsim report q.jsonl\n"
	"  mmsim run scenarios/quickstart.lua -o - --quiet | mmsim report -\n";

#define MAX_ZONES 64
#define MAX_ORDER_SHOWN 20
#define MAX_NODES 64
#define SAMPLES_MAX 16
#define CROSSINGS_KEPT 8
#define FAILURES_KEPT 3
#define TOP_MAX 100

/* A watermark level: which band the free count is in. "Below" a mark
 * means at or below it, as in wakeup_kswapd's test free_pages <= pages_low. */
enum level { ABOVE_HIGH, BELOW_HIGH, BELOW_LOW, BELOW_MIN };
static const char *const level_names[] = {
	[ABOVE_HIGH] = "above high", [BELOW_HIGH] = "below high",
	[BELOW_LOW] = "below low", [BELOW_MIN] = "below min",
};

struct crossing {
	uint64_t t;
	uint64_t free;
	enum level from, to;
};

struct zone_track {
	char name[64];             /* "node0 Normal" */
	uint64_t managed, min, low, high;
	bool seen;                 /* in at least one snapshot */
	uint64_t first, last, lowest, lowest_t;
	enum level level;
	uint64_t snaps_at[4];      /* snapshots per level */
	uint64_t ncross;                      /* seen from snapshot to snapshot */
	struct crossing cross[CROSSINGS_KEPT];
	uint64_t ncross_ev;                   /* mm_zone_watermark events: exact */
	struct crossing cross_ev[CROSSINGS_KEPT];
	int norders;
	uint64_t nr_free[MAX_ORDER_SHOWN];
};

struct sample {
	uint64_t t;
	uint64_t free[MAX_ZONES];
};

struct kept_line {
	char *text;
	uint64_t lineno, cycles;
};

struct report {
	const char *path;
	struct trace_reader r;
	struct evtable ev;
	cJSON *header, *summary;
	int nzones;
	struct zone_track zones[MAX_ZONES];
	uint64_t snapshots, events, last_snapshot_t;
	/* The time samples: every stride-th snapshot. */
	struct sample samples[SAMPLES_MAX];
	int nsamples;
	struct sample last;        /* the last snapshot, sampled or not */
	uint64_t stride;
	/* kswapd and failures. */
	uint64_t crossing_events;             /* mm_zone_watermark events matched */
	uint64_t kswapd_wakes[MAX_NODES + 1];  /* [MAX_NODES]: no or bad nid */
	uint64_t kswapd_first[MAX_NODES + 1];
	uint64_t failures;
	struct kept_line failure[FAILURES_KEPT];
	/* The dearest events, dearest first. */
	int top_n, ntop;
	struct kept_line top[TOP_MAX];
};

static uint64_t json_u64(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(v) && v->valuedouble > 0 ? (uint64_t)v->valuedouble : 0;
}

static const char *json_str(const cJSON *o, const char *key, const char *dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : dflt;
}

static void zones_from_header(struct report *rp)
{
	const cJSON *zones = cJSON_GetObjectItemCaseSensitive(rp->header, "zones");
	const cJSON *z;
	cJSON_ArrayForEach(z, zones) {
		if (rp->nzones == MAX_ZONES)
			break;
		struct zone_track *zt = &rp->zones[rp->nzones++];
		snprintf(zt->name, sizeof zt->name, "node%llu %s",
			 (unsigned long long)json_u64(z, "node"), json_str(z, "zone", "?"));
		zt->managed = json_u64(z, "managed");
		zt->min = json_u64(z, "min");
		zt->low = json_u64(z, "low");
		zt->high = json_u64(z, "high");
	}
}

static enum level level_of(const struct zone_track *z, uint64_t free)
{
	return free <= z->min ? BELOW_MIN : free <= z->low ? BELOW_LOW
	       : free <= z->high ? BELOW_HIGH : ABOVE_HIGH;
}

static void on_snapshot(struct report *rp, const cJSON *snap)
{
	uint64_t t = json_u64(snap, "t");
	const cJSON *zones = cJSON_GetObjectItemCaseSensitive(snap, "zones");
	int i = 0;
	const cJSON *z;
	struct sample cur = {.t = t};
	cJSON_ArrayForEach(z, zones) {
		if (i == MAX_ZONES)
			break;
		struct zone_track *zt = &rp->zones[i];
		if (i >= rp->nzones) {   /* a header without zones: learn them here */
			snprintf(zt->name, sizeof zt->name, "node%llu %s",
				 (unsigned long long)json_u64(z, "node"), json_str(z, "zone", "?"));
			rp->nzones = i + 1;
		}
		/* Watermarks can change during a run (min_free_kbytes); a
		 * snapshot carries the current ones. */
		if (cJSON_GetObjectItemCaseSensitive(z, "min")) {
			zt->min = json_u64(z, "min");
			zt->low = json_u64(z, "low");
			zt->high = json_u64(z, "high");
		}
		uint64_t free = json_u64(z, "free");
		enum level lv = level_of(zt, free);
		if (!zt->seen) {
			zt->seen = true;
			zt->first = free;
			zt->lowest = free;
			zt->lowest_t = t;
			zt->level = lv;
		} else if (lv != zt->level) {
			if (zt->ncross < CROSSINGS_KEPT)
				zt->cross[zt->ncross] = (struct crossing){t, free, zt->level, lv};
			zt->ncross++;
			zt->level = lv;
		}
		if (free < zt->lowest) {
			zt->lowest = free;
			zt->lowest_t = t;
		}
		zt->last = free;
		zt->snaps_at[lv]++;
		const cJSON *nr = cJSON_GetObjectItemCaseSensitive(z, "nr_free");
		zt->norders = 0;
		const cJSON *o;
		cJSON_ArrayForEach(o, nr) {
			if (zt->norders == MAX_ORDER_SHOWN)
				break;
			zt->nr_free[zt->norders++] = cJSON_IsNumber(o) ? (uint64_t)o->valuedouble : 0;
		}
		cur.free[i] = free;
		i++;
	}
	/* Keep every stride-th snapshot; when the table is full, thin it. */
	if (rp->snapshots % rp->stride == 0) {
		if (rp->nsamples == SAMPLES_MAX) {
			for (int k = 0; k < SAMPLES_MAX / 2; k++)
				rp->samples[k] = rp->samples[2 * k];
			rp->nsamples = SAMPLES_MAX / 2;
			rp->stride *= 2;
		}
		if (rp->snapshots % rp->stride == 0)
			rp->samples[rp->nsamples++] = cur;
	}
	rp->snapshots++;
	rp->last_snapshot_t = t;
	rp->last = cur;
}

static void keep_line(struct kept_line *k, const struct trace_reader *r, uint64_t cycles)
{
	k->text = mmsim_xrealloc(k->text, r->len + 1);
	memcpy(k->text, r->line, r->len);
	k->text[r->len] = 0;
	k->lineno = r->lineno;
	k->cycles = cycles;
}

static uint64_t span_u64(const struct trd_span *s)
{
	if (!s || !s->len || s->p[0] < '0' || s->p[0] > '9')
		return UINT64_MAX;
	return strtoull(s->p, NULL, 10);
}

/* A string field's text without its quotes (escapes left as written). */
static struct trd_span span_str(const struct trd_span *v)
{
	if (!v || v->len < 2 || v->p[0] != '"')
		return (struct trd_span){"", 0};
	return (struct trd_span){v->p + 1, v->len - 2};
}

static bool level_parse(struct trd_span s, enum level *out)
{
	for (int i = 0; i < (int)(sizeof level_names / sizeof level_names[0]); i++)
		if (trd_span_eq(s, level_names[i])) {
			*out = (enum level)i;
			return true;
		}
	return false;
}

/* mmsim's mm_zone_watermark: a zone's free count changed band, exactly
 * when it happened (docs/trace-format.md). */
static void on_zone_watermark(struct report *rp, const struct trd_event *e)
{
	char name[64];
	struct trd_span zone = span_str(trd_field(e, "zone"));
	snprintf(name, sizeof name, "node%llu %.*s", (unsigned long long)span_u64(trd_field(e, "nid")),
		 (int)(zone.len < 32 ? zone.len : 32), zone.p);
	enum level from, to;
	if (!level_parse(span_str(trd_field(e, "from")), &from) || !level_parse(span_str(trd_field(e, "to")), &to))
		return;
	for (int i = 0; i < rp->nzones; i++) {
		struct zone_track *zt = &rp->zones[i];
		if (strcmp(zt->name, name))
			continue;
		if (zt->ncross_ev < CROSSINGS_KEPT)
			zt->cross_ev[zt->ncross_ev] = (struct crossing){e->t, span_u64(trd_field(e, "free")), from, to};
		zt->ncross_ev++;
		rp->crossing_events++;
		return;
	}
}

static void on_event(struct report *rp)
{
	const struct trace_reader *r = &rp->r;
	const struct trd_event *e = &r->ev;
	struct evtype *et = evtable_get(&rp->ev, e->name.p, e->name.len);
	et->count++;
	rp->events++;
	if (e->has_cycles) {
		et->with_cycles++;
		stats_hist_add(&et->cycles, e->cycles);
		/* The dearest events: an insertion into a short sorted array. */
		if (rp->top_n && (rp->ntop < rp->top_n || e->cycles > rp->top[rp->ntop - 1].cycles)) {
			int i = rp->ntop < rp->top_n ? rp->ntop++ : rp->ntop - 1;
			struct kept_line spare = rp->top[i];
			while (i > 0 && rp->top[i - 1].cycles < e->cycles) {
				rp->top[i] = rp->top[i - 1];
				i--;
			}
			rp->top[i] = spare;
			keep_line(&rp->top[i], r, e->cycles);
		}
	}
	if (trd_span_eq(e->name, "mm_vmscan_kswapd_wake")) {
		uint64_t nid = span_u64(trd_field(e, "nid"));
		if (nid >= MAX_NODES)
			nid = MAX_NODES;
		if (!rp->kswapd_wakes[nid]++)
			rp->kswapd_first[nid] = e->t;
	} else if (trd_span_eq(e->name, "mm_zone_watermark")) {
		on_zone_watermark(rp, e);
	} else if (trd_span_eq(e->name, "mm_page_alloc_fail")) {
		if (rp->failures < FAILURES_KEPT)
			keep_line(&rp->failure[rp->failures], r, 0);
		rp->failures++;
	}
}

/* ---- Printing ---- */

static void print_size(char *buf, size_t n, uint64_t bytes)
{
	if (bytes >= (1u << 30) && bytes % (1u << 30) == 0)
		snprintf(buf, n, "%llu GiB", (unsigned long long)(bytes >> 30));
	else if (bytes >= (1u << 20) && bytes % (1u << 20) == 0)
		snprintf(buf, n, "%llu MiB", (unsigned long long)(bytes >> 20));
	else if (bytes >= 1024 && bytes % 1024 == 0)
		snprintf(buf, n, "%llu KiB", (unsigned long long)(bytes >> 10));
	else
		snprintf(buf, n, "%llu B", (unsigned long long)bytes);
}

static double cpu_hz(const struct report *rp)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(rp->header, "machine");
	const cJSON *cpus = cJSON_GetObjectItemCaseSensitive(m, "cpus");
	const cJSON *c0 = cJSON_GetArrayItem(cpus, 0);
	uint64_t hz = json_u64(c0, "hz");
	return hz ? (double)hz : 0;
}

static void print_setup(const struct report *rp)
{
	const cJSON *h = rp->header, *s = rp->summary;
	uint64_t cycles = json_u64(s, "cycles");
	double hz = cpu_hz(rp);
	printf("run       %s, seed %llu: %s", json_str(h, "scenario", "?"),
	       (unsigned long long)json_u64(h, "seed"), json_str(s, "status", "?"));
	if (json_str(s, "stop", NULL))
		printf(" (stop: %s)", json_str(s, "stop", NULL));
	printf(", %llu cycles", (unsigned long long)cycles);
	if (hz)
		printf(" (%.3f ms at %.2f GHz)", (double)cycles / hz * 1e3, hz / 1e9);
	printf("\n          %llu event%s, %llu snapshot%s in the trace\n",
	       (unsigned long long)rp->events, rp->events == 1 ? "" : "s",
	       (unsigned long long)rp->snapshots, rp->snapshots == 1 ? "" : "s");
	const char *err = json_str(s, "error", NULL);
	if (err)
		printf("error     %s\n", err);

	const cJSON *m = cJSON_GetObjectItemCaseSensitive(h, "machine");
	if (cJSON_IsObject(m)) {
		const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(m, "nodes");
		const cJSON *cpus = cJSON_GetObjectItemCaseSensitive(m, "cpus");
		int nn = cJSON_GetArraySize(nodes), nc = cJSON_GetArraySize(cpus);
		printf("machine   %s (%s): %d node%s, %d CPU%s", json_str(m, "name", "?"),
		       json_str(m, "arch", "?"), nn, nn == 1 ? "" : "s", nc, nc == 1 ? "" : "s");
		if (hz)
			printf(" at %.2f GHz", hz / 1e9);
		static const char *const levels[] = {"l1d", "l2", "llc"};
		static const char *const shown[] = {"L1d", "L2", "LLC"};
		for (int i = 0; i < 3; i++) {
			const cJSON *c = cJSON_GetObjectItemCaseSensitive(m, levels[i]);
			if (!c)
				continue;
			char sz[32];
			print_size(sz, sizeof sz, json_u64(c, "size"));
			printf("%s %s %s (%llu cycles)", i ? "," : ";", shown[i], sz,
			       (unsigned long long)json_u64(c, "latency"));
		}
		printf(", DRAM %llu cycles\n", (unsigned long long)json_u64(m, "dram_latency"));
	}
	const cJSON *pol = cJSON_GetObjectItemCaseSensitive(h, "policy");
	if (cJSON_IsObject(pol)) {
		printf("policy   ");
		const cJSON *k;
		cJSON_ArrayForEach(k, pol) {
			char *v = cJSON_IsString(k) ? NULL : cJSON_PrintUnformatted(k);
			printf(" %s=%s", k->string, v ? v : k->valuestring);
			free(v);
		}
		printf("\n");
	}
}

static void print_zones(const struct report *rp)
{
	if (!rp->nzones) {
		printf("\nzones: none (the run ended before the kernel booted)\n");
		return;
	}
	printf("\nzones: free pages against the watermarks, over %llu snapshot%s",
	       (unsigned long long)rp->snapshots, rp->snapshots == 1 ? "" : "s");
	if (rp->snapshots < 2)
		printf(" (run with --snapshot-every N to see them over time)");
	printf("\n  %-16s %9s %7s %7s %7s %9s %9s %12s %9s %s\n", "zone", "managed", "min", "low",
	       "high", "first", "lowest", "(at cycle)", "last", "now");
	for (int i = 0; i < rp->nzones; i++) {
		const struct zone_track *z = &rp->zones[i];
		if (!z->seen) {
			printf("  %-16s %9llu %7llu %7llu %7llu  (in no snapshot)\n", z->name,
			       (unsigned long long)z->managed, (unsigned long long)z->min,
			       (unsigned long long)z->low, (unsigned long long)z->high);
			continue;
		}
		printf("  %-16s %9llu %7llu %7llu %7llu %9llu %9llu %12llu %9llu %s\n", z->name,
		       (unsigned long long)z->managed, (unsigned long long)z->min,
		       (unsigned long long)z->low, (unsigned long long)z->high,
		       (unsigned long long)z->first, (unsigned long long)z->lowest,
		       (unsigned long long)z->lowest_t, (unsigned long long)z->last,
		       level_names[z->level]);
	}
	/* Exact crossings when the trace has mm_zone_watermark events, else
	 * those seen from one snapshot to the next. */
	bool exact = rp->crossing_events > 0, any = false;
	for (int i = 0; i < rp->nzones; i++) {
		const struct zone_track *z = &rp->zones[i];
		uint64_t n = exact ? z->ncross_ev : z->ncross;
		const struct crossing *cross = exact ? z->cross_ev : z->cross;
		if (!n)
			continue;
		if (!any)
			printf("\n  watermark crossings (%s; \"below\" is at or below the mark):\n",
			       exact ? "every one, from mm_zone_watermark events" : "sampled at snapshots");
		any = true;
		for (uint64_t k = 0; k < n && k < CROSSINGS_KEPT; k++) {
			const struct crossing *c = &cross[k];
			printf("  %-16s cycle %12llu  %s -> %s (free %llu)\n", z->name,
			       (unsigned long long)c->t, level_names[c->from], level_names[c->to],
			       (unsigned long long)c->free);
		}
		if (n > CROSSINGS_KEPT)
			printf("  %-16s ... %llu crossings in all\n", z->name, (unsigned long long)n);
	}
	if (!any && rp->snapshots)
		printf("  no zone crossed a watermark between snapshots\n");

	if (rp->nsamples > 1) {
		printf("\n  free pages over time (%d of %llu snapshots, evenly spread, and the last)\n  %12s",
		       rp->nsamples, (unsigned long long)rp->snapshots, "cycle");
		for (int i = 0; i < rp->nzones; i++)
			printf(" %14s", rp->zones[i].name);
		printf("\n");
		bool last_in = (rp->snapshots - 1) % rp->stride == 0;
		for (int s = 0; s < rp->nsamples + !last_in; s++) {
			const struct sample *sm = s < rp->nsamples ? &rp->samples[s] : &rp->last;
			printf("  %12llu", (unsigned long long)sm->t);
			for (int i = 0; i < rp->nzones; i++) {
				const struct zone_track *z = &rp->zones[i];
				uint64_t f = sm->free[i];
				static const char marks[] = {' ', 'h', 'l', 'm'};
				printf(" %13llu%c", (unsigned long long)f, marks[level_of(z, f)]);
			}
			printf("\n");
		}
		printf("  (h, l, m: at or below the high, low, min watermark)\n");
	}

	uint64_t wakes = 0;
	for (int n = 0; n <= MAX_NODES; n++)
		wakes += rp->kswapd_wakes[n];
	printf("\nkswapd    %llu wake-up%s", (unsigned long long)wakes, wakes == 1 ? "" : "s");
	for (int n = 0; n <= MAX_NODES; n++)
		if (rp->kswapd_wakes[n]) {
			if (n < MAX_NODES)
				printf("; node%d: %llu, first at cycle %llu", n,
				       (unsigned long long)rp->kswapd_wakes[n],
				       (unsigned long long)rp->kswapd_first[n]);
			else
				printf("; no node: %llu", (unsigned long long)rp->kswapd_wakes[n]);
		}
	printf("\nfailures  %llu allocation%s failed\n", (unsigned long long)rp->failures,
	       rp->failures == 1 ? "" : "s");
	for (uint64_t i = 0; i < rp->failures && i < FAILURES_KEPT; i++)
		printf("  line %llu: %s\n", (unsigned long long)rp->failure[i].lineno,
		       rp->failure[i].text);
}

static void print_buddyinfo(const struct report *rp)
{
	if (!rp->snapshots)
		return;
	printf("\nbuddyinfo at cycle %llu (the last snapshot; free blocks per order)\n",
	       (unsigned long long)rp->last_snapshot_t);
	int maxo = 0;
	for (int i = 0; i < rp->nzones; i++)
		if (rp->zones[i].norders > maxo)
			maxo = rp->zones[i].norders;
	printf("  %-16s", "order");
	for (int o = 0; o < maxo; o++)
		printf(" %6d", o);
	printf("\n");
	for (int i = 0; i < rp->nzones; i++) {
		const struct zone_track *z = &rp->zones[i];
		printf("  %-16s", z->name);
		for (int o = 0; o < z->norders; o++)
			printf(" %6llu", (unsigned long long)z->nr_free[o]);
		printf("\n");
	}
}

static int evtype_by_sum(const void *x, const void *y)
{
	const struct evtype *a = *(const struct evtype *const *)x, *b = *(const struct evtype *const *)y;
	if (a->cycles.sum != b->cycles.sum)
		return a->cycles.sum > b->cycles.sum ? -1 : 1;
	return a->count > b->count ? -1 : a->count < b->count;
}

static void print_events(const struct report *rp)
{
	const struct evtype *v[EVTABLE_MAX];
	uint64_t total = 0;
	for (int i = 0; i < rp->ev.n; i++) {
		v[i] = rp->ev.types[i];
		total += v[i]->cycles.sum;
	}
	qsort(v, (size_t)rp->ev.n, sizeof v[0], evtype_by_sum);
	if (!rp->ev.n)
		printf("\nno events in the trace\n");
	else
		printf("\nwhere the cycles went, by event type (the events' \"cycles\")\n"
		       "  %-30s %10s %14s %6s %9s %7s %7s %7s %9s\n", "event", "count", "cycles",
		       "share", "mean", "p50", "p90", "p99", "max");
	for (int i = 0; i < rp->ev.n; i++) {
		const struct evtype *e = v[i];
		if (!e->with_cycles) {
			printf("  %-30s %10llu %14s\n", e->name, (unsigned long long)e->count, "-");
			continue;
		}
		const struct stats_hist *h = &e->cycles;
		printf("  %-30s %10llu %14llu %5.1f%% %9.1f %7llu %7llu %7llu %9llu\n", e->name,
		       (unsigned long long)e->count, (unsigned long long)h->sum,
		       total ? 100.0 * (double)h->sum / (double)total : 0.0, stats_hist_mean(h),
		       (unsigned long long)stats_hist_percentile(h, 50),
		       (unsigned long long)stats_hist_percentile(h, 90),
		       (unsigned long long)stats_hist_percentile(h, 99),
		       (unsigned long long)h->max);
	}

	/* The summary's histograms: every operation, traced or not. */
	const cJSON *stats = cJSON_GetObjectItemCaseSensitive(rp->summary, "stats");
	double hsum = 0;
	const cJSON *s;
	cJSON_ArrayForEach(s, stats)
		if (cJSON_IsObject(s))
			hsum += (double)json_u64(s, "sum");
	if (hsum > 0) {
		printf("\nby operation (the summary's histograms)\n");
		printf("  %-30s %10s %14s %6s %9s %7s %7s %7s %9s\n", "histogram", "count", "sum",
		       "share", "mean", "p50", "p90", "p99", "max");
		cJSON_ArrayForEach(s, stats) {
			if (!cJSON_IsObject(s))
				continue;
			uint64_t n = json_u64(s, "count"), sum = json_u64(s, "sum");
			printf("  %-30s %10llu %14llu %5.1f%% %9.1f %7llu %7llu %7llu %9llu\n", s->string,
			       (unsigned long long)n, (unsigned long long)sum, 100.0 * (double)sum / hsum,
			       n ? (double)sum / (double)n : 0.0,
			       (unsigned long long)json_u64(s, "p50"),
			       (unsigned long long)json_u64(s, "p90"),
			       (unsigned long long)json_u64(s, "p99"),
			       (unsigned long long)json_u64(s, "max"));
		}
	}
}

/* ---- Hardware components from the summary's stats ---- */

enum { HW_L1D, HW_L2, HW_LLC, HW_MEM, HW_TLB, HW_NR };
static const char *const hw_keys[HW_NR] = {"l1d", "l2", "llc", "mem", "tlb"};

#define HW_FIELDS 16
struct hw_sum {
	int instances;
	const char *field[HW_FIELDS];
	double value[HW_FIELDS];
	int nfields;
};

static double hw_get(const struct hw_sum *h, const char *field)
{
	for (int i = 0; i < h->nfields; i++)
		if (!strcmp(h->field[i], field))
			return h->value[i];
	return 0;
}

/* The summary's cpuN.X.F and nodeN.X.F counters summed by component X
 * (l1d, l2, llc, mem, tlb) and field F. */
static void hw_sums(const struct report *rp, struct hw_sum sums[HW_NR])
{
	memset(sums, 0, HW_NR * sizeof sums[0]);
	const cJSON *stats = cJSON_GetObjectItemCaseSensitive(rp->summary, "stats");
	const cJSON *s;
	/* Names are cpuN.COMPONENT.FIELD or nodeN.COMPONENT.FIELD. */
	cJSON_ArrayForEach(s, stats) {
		if (!cJSON_IsNumber(s))
			continue;
		const char *name = s->string, *p;
		if (!strncmp(name, "cpu", 3))
			p = name + 3;
		else if (!strncmp(name, "node", 4))
			p = name + 4;
		else
			continue;
		if (*p < '0' || *p > '9')
			continue;
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p++ != '.')
			continue;
		const char *dot = strchr(p, '.');
		if (!dot || strchr(dot + 1, '.'))
			continue;
		for (int c = 0; c < HW_NR; c++) {
			if (strlen(hw_keys[c]) != (size_t)(dot - p) || strncmp(p, hw_keys[c], (size_t)(dot - p)))
				continue;
			struct hw_sum *h = &sums[c];
			int i = 0;
			while (i < h->nfields && strcmp(h->field[i], dot + 1))
				i++;
			if (i == h->nfields) {
				if (i == HW_FIELDS)
					break;
				h->field[h->nfields++] = dot + 1;
			}
			if (i == 0)
				h->instances++;
			h->value[i] += s->valuedouble;
		}
	}
}

static void print_hw(const struct report *rp)
{
	struct hw_sum sums[HW_NR];
	hw_sums(rp, sums);
	if (!sums[HW_L1D].nfields && !sums[HW_MEM].nfields)
		return;
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(rp->header, "machine");
	printf("\nby hardware component (the summary's counters, summed over CPUs or nodes)\n");
	printf("  %-10s %4s %14s %14s %7s %16s\n", "cache", "x", "hits", "misses", "miss", "hit cycles (est.)");
	static const char *const shown[] = {"L1d", "L2", "LLC"};
	for (int c = HW_L1D; c <= HW_LLC; c++) {
		const struct hw_sum *h = &sums[c];
		if (!h->nfields)
			continue;
		double hits = hw_get(h, "read_hits") + hw_get(h, "write_hits");
		double misses = hw_get(h, "read_misses") + hw_get(h, "write_misses");
		uint64_t lat = json_u64(cJSON_GetObjectItemCaseSensitive(m, hw_keys[c]), "latency");
		printf("  %-10s %4d %14.0f %14.0f %6.2f%% %16.0f\n", shown[c], h->instances, hits, misses,
		       hits + misses > 0 ? 100.0 * misses / (hits + misses) : 0.0, hits * (double)lat);
	}
	const struct hw_sum *mem = &sums[HW_MEM];
	if (mem->nfields) {
		double c2c = hw_get(mem, "c2c_local") + hw_get(mem, "c2c_remote");
		printf("  coherence  %.0f cache-to-cache transfers (%.0f within a node, %.0f across; "
		       "~%.0f cycles est.), %.0f upgrades, %.0f invalidations sent\n", c2c,
		       hw_get(mem, "c2c_local"), hw_get(mem, "c2c_remote"),
		       c2c * (double)json_u64(m, "c2c_latency"), hw_get(mem, "upgrades"),
		       hw_get(mem, "inval_sent"));
		printf("  DRAM       %.0f line reads (%.0f local, %.0f remote), %.0f cycles\n",
		       hw_get(mem, "dram_local") + hw_get(mem, "dram_remote"), hw_get(mem, "dram_local"),
		       hw_get(mem, "dram_remote"), hw_get(mem, "dram_cycles"));
	}
	const struct hw_sum *tlb = &sums[HW_TLB];
	if (tlb->nfields)
		printf("  TLB        %.0f hits, %.0f misses, %.0f walks (%.0f cycles), %.0f shootdowns, "
		       "%.0f IPIs\n", hw_get(tlb, "hits") + hw_get(tlb, "hits_large"),
		       hw_get(tlb, "misses"), hw_get(tlb, "walks"), hw_get(tlb, "walk_cycles"),
		       hw_get(tlb, "shootdowns"), hw_get(tlb, "ipis_sent"));
}

static void print_top(const struct report *rp)
{
	if (!rp->ntop)
		return;
	printf("\nthe %d dearest events\n  %10s %8s  %s\n", rp->ntop, "cycles", "line", "event");
	for (int i = 0; i < rp->ntop; i++)
		printf("  %10llu %8llu  %s\n", (unsigned long long)rp->top[i].cycles,
		       (unsigned long long)rp->top[i].lineno, rp->top[i].text);
}

/* ---- JSON and CSV: the same sections as numbers ---- */

static cJSON *hist_json(uint64_t count, uint64_t sum, double share, uint64_t p50, uint64_t p90,
			uint64_t p99, uint64_t max)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "count", (double)count);
	cJSON_AddNumberToObject(o, "sum", (double)sum);
	cJSON_AddNumberToObject(o, "share", share);
	cJSON_AddNumberToObject(o, "mean", count ? (double)sum / (double)count : 0.0);
	cJSON_AddNumberToObject(o, "p50", (double)p50);
	cJSON_AddNumberToObject(o, "p90", (double)p90);
	cJSON_AddNumberToObject(o, "p99", (double)p99);
	cJSON_AddNumberToObject(o, "max", (double)max);
	return o;
}

static cJSON *line_json(const struct kept_line *k)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "line", (double)k->lineno);
	cJSON *ev = cJSON_Parse(k->text);
	cJSON_AddItemToObject(o, "event", ev ? ev : cJSON_CreateString(k->text));
	return o;
}

static cJSON *crossings_json(const struct crossing *c, uint64_t n)
{
	cJSON *a = cJSON_CreateArray();
	for (uint64_t k = 0; k < n && k < CROSSINGS_KEPT; k++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "t", (double)c[k].t);
		cJSON_AddNumberToObject(o, "free", (double)c[k].free);
		cJSON_AddStringToObject(o, "from", level_names[c[k].from]);
		cJSON_AddStringToObject(o, "to", level_names[c[k].to]);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

static cJSON *dup_or_null(const cJSON *v)
{
	return v ? cJSON_Duplicate(v, true) : cJSON_CreateNull();
}

/*
 * The report as one JSON document (docs/tools.md lists the members): what
 * the text shows, as numbers, plus the machine and policy of the header.
 */
static cJSON *report_json(const struct report *rp)
{
	const cJSON *h = rp->header, *s = rp->summary;
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "path", rp->path);
	cJSON *run = cJSON_AddObjectToObject(doc, "run");
	cJSON_AddItemToObject(run, "scenario", dup_or_null(cJSON_GetObjectItemCaseSensitive(h, "scenario")));
	cJSON_AddNumberToObject(run, "seed", (double)json_u64(h, "seed"));
	cJSON_AddItemToObject(run, "status", dup_or_null(cJSON_GetObjectItemCaseSensitive(s, "status")));
	cJSON_AddItemToObject(run, "stop", dup_or_null(cJSON_GetObjectItemCaseSensitive(s, "stop")));
	cJSON_AddItemToObject(run, "error", dup_or_null(cJSON_GetObjectItemCaseSensitive(s, "error")));
	uint64_t cycles = json_u64(s, "cycles");
	cJSON_AddNumberToObject(run, "cycles", (double)cycles);
	double hz = cpu_hz(rp);
	cJSON_AddItemToObject(run, "ms", hz ? cJSON_CreateNumber((double)cycles / hz * 1e3) : cJSON_CreateNull());
	cJSON_AddNumberToObject(run, "events", (double)rp->events);
	cJSON_AddNumberToObject(run, "snapshots", (double)rp->snapshots);
	cJSON_AddItemToObject(doc, "machine", dup_or_null(cJSON_GetObjectItemCaseSensitive(h, "machine")));
	cJSON_AddItemToObject(doc, "policy", dup_or_null(cJSON_GetObjectItemCaseSensitive(h, "policy")));

	bool exact = rp->crossing_events > 0;
	cJSON *zones = cJSON_AddArrayToObject(doc, "zones");
	for (int i = 0; i < rp->nzones; i++) {
		const struct zone_track *z = &rp->zones[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", z->name);
		cJSON_AddNumberToObject(o, "managed", (double)z->managed);
		cJSON_AddNumberToObject(o, "min", (double)z->min);
		cJSON_AddNumberToObject(o, "low", (double)z->low);
		cJSON_AddNumberToObject(o, "high", (double)z->high);
		if (z->seen) {
			cJSON_AddNumberToObject(o, "first", (double)z->first);
			cJSON_AddNumberToObject(o, "lowest", (double)z->lowest);
			cJSON_AddNumberToObject(o, "lowest_t", (double)z->lowest_t);
			cJSON_AddNumberToObject(o, "last", (double)z->last);
			cJSON_AddStringToObject(o, "now", level_names[z->level]);
		}
		uint64_t n = exact ? z->ncross_ev : z->ncross;
		cJSON_AddNumberToObject(o, "crossings", (double)n);
		cJSON_AddItemToObject(o, "first_crossings", crossings_json(exact ? z->cross_ev : z->cross, n));
		cJSON *nf = cJSON_AddArrayToObject(o, "nr_free");
		for (int k = 0; k < z->norders; k++)
			cJSON_AddItemToArray(nf, cJSON_CreateNumber((double)z->nr_free[k]));
		cJSON_AddItemToArray(zones, o);
	}
	cJSON_AddStringToObject(doc, "crossings_from", exact ? "mm_zone_watermark events" : "snapshots");
	cJSON *samples = cJSON_AddArrayToObject(doc, "samples");
	bool last_in = rp->snapshots && (rp->snapshots - 1) % rp->stride == 0;
	for (int k = 0; k < rp->nsamples + (rp->snapshots && !last_in); k++) {
		const struct sample *sm = k < rp->nsamples ? &rp->samples[k] : &rp->last;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "t", (double)sm->t);
		cJSON *f = cJSON_AddArrayToObject(o, "free");
		for (int i = 0; i < rp->nzones; i++)
			cJSON_AddItemToArray(f, cJSON_CreateNumber((double)sm->free[i]));
		cJSON_AddItemToArray(samples, o);
	}

	cJSON *ks = cJSON_AddObjectToObject(doc, "kswapd");
	uint64_t wakes = 0;
	cJSON *kn = cJSON_CreateArray();
	for (int n = 0; n <= MAX_NODES; n++) {
		wakes += rp->kswapd_wakes[n];
		if (n < MAX_NODES && rp->kswapd_wakes[n]) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddNumberToObject(o, "node", n);
			cJSON_AddNumberToObject(o, "wakeups", (double)rp->kswapd_wakes[n]);
			cJSON_AddNumberToObject(o, "first", (double)rp->kswapd_first[n]);
			cJSON_AddItemToArray(kn, o);
		}
	}
	cJSON_AddNumberToObject(ks, "wakeups", (double)wakes);
	cJSON_AddItemToObject(ks, "nodes", kn);
	cJSON *fl = cJSON_AddObjectToObject(doc, "failures");
	cJSON_AddNumberToObject(fl, "count", (double)rp->failures);
	cJSON *ff = cJSON_AddArrayToObject(fl, "first");
	for (uint64_t i = 0; i < rp->failures && i < FAILURES_KEPT; i++)
		cJSON_AddItemToArray(ff, line_json(&rp->failure[i]));

	uint64_t total = 0;
	for (int i = 0; i < rp->ev.n; i++)
		total += rp->ev.types[i]->cycles.sum;
	cJSON *evs = cJSON_AddArrayToObject(doc, "events");
	for (int i = 0; i < rp->ev.n; i++) {
		const struct evtype *e = rp->ev.types[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", e->name);
		cJSON_AddNumberToObject(o, "count", (double)e->count);
		if (e->with_cycles) {
			const struct stats_hist *hh = &e->cycles;
			cJSON_AddItemToObject(o, "cycles", hist_json(e->with_cycles, hh->sum,
				total ? (double)hh->sum / (double)total : 0.0, stats_hist_percentile(hh, 50),
				stats_hist_percentile(hh, 90), stats_hist_percentile(hh, 99), hh->max));
		} else {
			cJSON_AddNullToObject(o, "cycles");
		}
		cJSON_AddItemToArray(evs, o);
	}
	cJSON *hists = cJSON_AddArrayToObject(doc, "histograms");
	const cJSON *stats = cJSON_GetObjectItemCaseSensitive(s, "stats"), *st;
	double hsum = 0;
	cJSON_ArrayForEach(st, stats)
		if (cJSON_IsObject(st))
			hsum += (double)json_u64(st, "sum");
	cJSON_ArrayForEach(st, stats) {
		if (!cJSON_IsObject(st))
			continue;
		uint64_t sum = json_u64(st, "sum");
		cJSON *o = hist_json(json_u64(st, "count"), sum, hsum > 0 ? (double)sum / hsum : 0.0,
				     json_u64(st, "p50"), json_u64(st, "p90"), json_u64(st, "p99"),
				     json_u64(st, "max"));
		cJSON *named = cJSON_CreateObject();
		cJSON_AddStringToObject(named, "name", st->string);
		for (cJSON *c = o->child; c; c = c->next)
			cJSON_AddNumberToObject(named, c->string, c->valuedouble);
		cJSON_Delete(o);
		cJSON_AddItemToArray(hists, named);
	}
	struct hw_sum sums[HW_NR];
	hw_sums(rp, sums);
	cJSON *hw = cJSON_AddObjectToObject(doc, "hardware");
	cJSON *caches = cJSON_AddArrayToObject(hw, "caches");
	static const char *const shown[] = {"L1d", "L2", "LLC"};
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(h, "machine");
	for (int c = HW_L1D; c <= HW_LLC; c++) {
		const struct hw_sum *hs = &sums[c];
		if (!hs->nfields)
			continue;
		double hits = hw_get(hs, "read_hits") + hw_get(hs, "write_hits");
		double misses = hw_get(hs, "read_misses") + hw_get(hs, "write_misses");
		uint64_t lat = json_u64(cJSON_GetObjectItemCaseSensitive(m, hw_keys[c]), "latency");
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", shown[c]);
		cJSON_AddNumberToObject(o, "instances", hs->instances);
		cJSON_AddNumberToObject(o, "hits", hits);
		cJSON_AddNumberToObject(o, "misses", misses);
		cJSON_AddNumberToObject(o, "miss_rate", hits + misses > 0 ? misses / (hits + misses) : 0.0);
		cJSON_AddNumberToObject(o, "hit_cycles_est", hits * (double)lat);
		cJSON_AddItemToArray(caches, o);
	}
	/* Every summed field of the other components, as the counters name
	 * them (docs/scenarios.md, m:stats()). */
	static const char *const others[] = {"mem", "tlb"};
	for (int k = 0; k < 2; k++) {
		const struct hw_sum *hs = &sums[k ? HW_TLB : HW_MEM];
		if (!hs->nfields)
			continue;
		cJSON *o = cJSON_AddObjectToObject(hw, others[k]);
		cJSON_AddNumberToObject(o, "instances", hs->instances);
		for (int i = 0; i < hs->nfields; i++)
			cJSON_AddNumberToObject(o, hs->field[i], hs->value[i]);
	}
	cJSON *top = cJSON_AddArrayToObject(doc, "top");
	for (int i = 0; i < rp->ntop; i++) {
		cJSON *o = line_json(&rp->top[i]);
		cJSON_AddNumberToObject(o, "cycles", (double)rp->top[i].cycles);
		cJSON_AddItemToArray(top, o);
	}
	return doc;
}

/* A leaf of the report document as CSV text. */
static void csv_value(const cJSON *v, char *buf, size_t n)
{
	if (cJSON_IsString(v))
		snprintf(buf, n, "%s", v->valuestring);
	else if (cJSON_IsNumber(v))
		tool_fmt_double(buf, n, v->valuedouble);
	else if (cJSON_IsBool(v))
		snprintf(buf, n, "%s", cJSON_IsTrue(v) ? "true" : "false");
	else
		buf[0] = 0;
}

/* Every leaf under v as rows "section,row,field,value"; field is the
 * dotted path below the row. */
static void csv_leaves(const char *section, const char *row, const cJSON *v, const char *field)
{
	if ((cJSON_IsObject(v) || cJSON_IsArray(v)) && v->child) {
		int i = 0;
		for (const cJSON *c = v->child; c; c = c->next, i++) {
			char sub[600];
			if (cJSON_IsObject(v))
				snprintf(sub, sizeof sub, "%s%s%s", field, *field ? "." : "", c->string);
			else
				snprintf(sub, sizeof sub, "%s[%d]", field, i);
			csv_leaves(section, row, c, sub);
		}
		return;
	}
	if (cJSON_IsObject(v) || cJSON_IsArray(v))
		return;   /* empty */
	char val[600];
	csv_value(v, val, sizeof val);
	tool_csv_field(section, false);
	tool_csv_field(row, false);
	tool_csv_field(field, false);
	tool_csv_field(val, true);
}

/*
 * The same document as one long CSV table: section (a top-level member),
 * row (an array element's "name", else its index; empty for an object's
 * own fields), field (the dotted path below it), value.
 */
static void print_csv(const cJSON *doc)
{
	fputs("section,row,field,value\n", stdout);
	for (const cJSON *sec = doc->child; sec; sec = sec->next) {
		if (cJSON_IsArray(sec)) {
			int i = 0;
			for (const cJSON *e = sec->child; e; e = e->next, i++) {
				const cJSON *name = cJSON_GetObjectItemCaseSensitive(e, "name");
				char row[300];
				if (cJSON_IsString(name))
					snprintf(row, sizeof row, "%s", name->valuestring);
				else
					snprintf(row, sizeof row, "%d", i);
				if (cJSON_IsObject(e)) {
					for (const cJSON *c = e->child; c; c = c->next)
						if (strcmp(c->string, "name"))
							csv_leaves(sec->string, row, c, c->string);
				} else {
					csv_leaves(sec->string, row, e, "");
				}
			}
		} else if (cJSON_IsObject(sec)) {
			csv_leaves(sec->string, "", sec, "");
		} else {
			csv_leaves(sec->string, "", sec, sec->string);
		}
	}
}

/* ---- The command ---- */

int cmd_report(int argc, char **argv)
{
	const char *path = NULL;
	int top = 10;
	bool json = false, csv = false;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(report_usage, stdout);
			return EXIT_OK;
		} else if (!strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "--csv")) {
			csv = true;
		} else if (!strcmp(a, "--top")) {
			uint64_t n;
			if (i + 1 >= argc || tool_parse_u64(argv[i + 1], 0, &n) || n > TOP_MAX) {
				tool_error("report: --top needs a number from 0 to %d", TOP_MAX);
				return EXIT_USAGE;
			}
			top = (int)n;
			i++;
		} else if (a[0] == '-' && a[1]) {
			tool_error("report: unknown option '%s' (see mmsim report --help)", a);
			return EXIT_USAGE;
		} else if (!path) {
			path = a;
		} else {
			tool_error("report: one trace at a time ('%s' and '%s'; mmsim diff compares two)",
				   path, a);
			return EXIT_USAGE;
		}
	}
	if (json && csv) {
		tool_error("report: --json or --csv, not both");
		return EXIT_USAGE;
	}
	if (!path) {
		tool_error("report: which trace? mmsim report TRACE.jsonl (see mmsim report --help)");
		return EXIT_USAGE;
	}
	static struct report rp;   /* big; one report per process */
	memset(&rp, 0, sizeof rp);
	rp.path = path;
	rp.top_n = top;
	rp.stride = 1;
	int status = EXIT_USAGE;
	if (trd_open(&rp.r, path)) {
		tool_error("report: %s", rp.r.err);
		goto out;
	}
	for (bool done = false; !done;) {
		switch (trd_next(&rp.r)) {
		case TRD_ERROR:
			tool_error("report: %s", rp.r.err);
			goto out;
		case TRD_EOF:
			done = true;
			break;
		case TRD_HEADER:
			rp.header = rp.r.json;
			rp.r.json = NULL;
			zones_from_header(&rp);
			break;
		case TRD_SUMMARY:
			rp.summary = rp.r.json;
			rp.r.json = NULL;
			break;
		case TRD_SNAPSHOT:
			on_snapshot(&rp, rp.r.json);
			break;
		case TRD_OTHER:
			break;
		case TRD_EVENT:
			on_event(&rp);
			break;
		}
	}
	if (json || csv) {
		cJSON *doc = report_json(&rp);
		if (json) {
			char *text = cJSON_Print(doc);
			puts(text);
			free(text);
		} else {
			print_csv(doc);
		}
		cJSON_Delete(doc);
	} else {
		printf("mmsim report: %s\n\n", path);
		print_setup(&rp);
		print_zones(&rp);
		print_buddyinfo(&rp);
		print_events(&rp);
		print_hw(&rp);
		print_top(&rp);
	}
	status = EXIT_OK;   /* a failed write on stdout: tools/mmsim.c's close_stdout */
out:
	trd_close(&rp.r);
	evtable_free(&rp.ev);
	cJSON_Delete(rp.header);
	cJSON_Delete(rp.summary);
	for (int i = 0; i < TOP_MAX; i++)
		free(rp.top[i].text);
	for (int i = 0; i < FAILURES_KEPT; i++)
		free(rp.failure[i].text);
	return status;
}
