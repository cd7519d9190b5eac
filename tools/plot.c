/*
 * mmsim plot TRACE.jsonl [B.jsonl] -o OUT.svg|OUT.png: pictures of a run.
 *
 * mmsim does not draw: it streams the trace(s) once, writes the series as
 * gnuplot data files plus a gnuplot script into a temporary directory of
 * its own, and runs gnuplot there (Debian's gnuplot-nox, installed by
 * `make deps`), which draws into that directory too. Nothing outside it is
 * touched until the end (sim/ofile.h's rule): the picture is copied to -o
 * only when gnuplot succeeded, and with --script DIR the script and data
 * are copied into DIR once the traces were read (so a user can restyle
 * the picture and rerun `gnuplot plot.gp` there, or see why gnuplot
 * failed). The script names its output in a variable, set by default to
 * -o's path: the run here overrides it with `gnuplot -e`.
 *
 * Empty or degenerate data draws an honest picture rather than failing in
 * gnuplot: a zone whose counts reach 0 gets a linear axis (the log scale
 * has no 0), a zone with no buddyinfo over time a panel saying so, and
 * events whose cycles are all 0 (-P hw=off) a bar in the first bin.
 *
 * Kinds (--kind), one picture each, one panel per zone or event type:
 *   free       free pages of each zone over time (from the snapshot lines),
 *              with its min/low/high watermarks and kswapd wake-ups of its
 *              node marked (mm_vmscan_kswapd_wake events);
 *   buddyinfo  a heat map of free blocks per order over time per zone (the
 *              snapshots' nr_free), colour log10(1 + blocks);
 *   cycles     per event type with "cycles", how many events took how long
 *              (power-of-two bins); with two traces, A and B overlaid.
 *
 * Memory is bounded as for diff and report: series go to files as they are
 * read; what stays is the event table (histograms) and per-zone names.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cJSON.h>

#include "sim/ofile.h"
#include "sim/stats.h"
#include "sim/trace_read.h"
#include "sim/types.h"
#include "tools/tools.h"

static const char plot_usage[] =
	"usage: mmsim plot [options] TRACE.jsonl [B.jsonl] -o OUT.svg|OUT.png\n"
	"\n"
	"Draws a picture of a run with gnuplot (installed by make deps): mmsim\n"
	"extracts the series from the trace (streaming) and writes a gnuplot\n"
	"script and its data, then runs it. docs/plot.md.\n"
	"\n"
	"options:\n"
	"  --kind free       free pages per zone over time against the min/low/high\n"
	"                    watermarks, kswapd wake-ups marked (the default; needs\n"
	"                    snapshots: mmsim run --snapshot-every N)\n"
	"  --kind buddyinfo  free blocks per order over time per zone, as a heat map\n"
	"  --kind cycles     histogram of cycles per event, per event type; with B,\n"
	"                    A and B overlaid\n"
	"  -o FILE           the picture: .svg or .png by its name\n"
	"  --size WxH        its size in pixels (default 1000 wide, 300 per panel)\n"
	"  --script DIR      keep the gnuplot script (DIR/plot.gp) and data in DIR\n"
	"                    (created if needed) to restyle: cd DIR && gnuplot plot.gp\n"
	"  -h, --help        this text\n"
	"\n"
	"exit status: 0 done, 1 gnuplot failed, 2 trouble with the input or usage.\n"
	"\n"
	"examples:\n"
	"  mmsim run scenarios/quickstart.lua --snapshot-every 20000 -o q.jsonl --quiet\n"
	"  mmsim plot q.jsonl -o free.svg\n"
	"  mmsim plot --kind buddyinfo q.jsonl -o buddy.png\n"
	"  mmsim plot --kind cycles on.jsonl off.jsonl -o cycles.svg --script plot-dir\n";

#define MAX_ZONES 64
#define MAX_NODES 64
#define MAX_ORDERS 20

enum kind { KIND_FREE, KIND_BUDDY, KIND_CYCLES };

struct plot_opts {
	const char *in[2];
	int nin;
	const char *out;
	const char *script_dir;
	enum kind kind;
	bool png;
	int width, height;
};

struct trace_info {
	const char *path;
	cJSON *header;
	struct evtable ev;
	uint64_t snapshots;
	int nzones;
	char zone[MAX_ZONES][48];
	int zone_node[MAX_ZONES];
	int max_orders;
	uint64_t wakes[MAX_NODES];
	double ms_per_cycle;
	double zmin[MAX_ZONES];    /* smallest free or watermark plotted, per zone */
	bool buddy_has[MAX_ZONES]; /* buddy-N.dat has at least one box */
};

/* The files being written while streaming trace A. */
struct sinks {
	FILE *free;
	FILE *wakes[MAX_NODES];
	FILE *buddy[MAX_ZONES];
	double last_t_ms;
	const char *dir;
	bool failed;               /* a file could not be created (printed) */
};

/* Creates dir/name; NULL with the message printed when it cannot. */
static FILE *open_in(const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		tool_error("plot: cannot create %s: %s", path, strerror(errno));
	return f;
}

static void on_header(struct trace_info *ti)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(ti->header, "machine");
	const cJSON *c0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(m, "cpus"), 0);
	const cJSON *hz = cJSON_GetObjectItemCaseSensitive(c0, "hz");
	ti->ms_per_cycle = 1e3 / (cJSON_IsNumber(hz) && hz->valuedouble > 0 ? hz->valuedouble : 1e9);
	const cJSON *z;
	cJSON_ArrayForEach(z, cJSON_GetObjectItemCaseSensitive(ti->header, "zones")) {
		if (ti->nzones == MAX_ZONES)
			break;
		const cJSON *node = cJSON_GetObjectItemCaseSensitive(z, "node");
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(z, "zone");
		int n = cJSON_IsNumber(node) ? (int)node->valuedouble : 0;
		ti->zone_node[ti->nzones] = n;
		ti->zmin[ti->nzones] = INFINITY;
		snprintf(ti->zone[ti->nzones], sizeof ti->zone[0], "node%d %s", n,
			 cJSON_IsString(name) ? name->valuestring : "?");
		ti->nzones++;
	}
}

static double num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static void on_snapshot(struct trace_info *ti, struct sinks *sk, const cJSON *snap, enum kind kind)
{
	double t_ms = num(snap, "t") * ti->ms_per_cycle;
	double dx = ti->snapshots ? t_ms - sk->last_t_ms : t_ms;
	const cJSON *zones = cJSON_GetObjectItemCaseSensitive(snap, "zones");
	if (kind == KIND_FREE)
		fprintf(sk->free, "%.6f", t_ms);
	int i = 0;
	const cJSON *z;
	cJSON_ArrayForEach(z, zones) {
		if (i == ti->nzones)
			break;
		if (kind == KIND_FREE) {
			static const char *const keys[] = {"free", "min", "low", "high"};
			for (int k = 0; k < 4; k++) {
				double v = num(z, keys[k]);
				fprintf(sk->free, " %.0f", v);
				if (v < ti->zmin[i])
					ti->zmin[i] = v;
			}
		} else if (kind == KIND_BUDDY && dx > 0) {
			/* One box per order: centred on the middle of the interval
			 * since the previous snapshot, which it stands for. */
			if (!sk->buddy[i]) {
				char name[32];
				snprintf(name, sizeof name, "buddy-%d.dat", i);
				sk->buddy[i] = open_in(sk->dir, name);
				if (!sk->buddy[i]) {
					sk->failed = true;
					return;
				}
			}
			int o = 0;
			const cJSON *n;
			cJSON_ArrayForEach(n, cJSON_GetObjectItemCaseSensitive(z, "nr_free")) {
				if (o == MAX_ORDERS)
					break;
				double v = cJSON_IsNumber(n) ? n->valuedouble : 0;
				fprintf(sk->buddy[i], "%.6f %.6f %d %.4f\n", t_ms - dx, t_ms, o,
					log10(1 + v));
				ti->buddy_has[i] = true;
				o++;
			}
			if (o > ti->max_orders)
				ti->max_orders = o;
		}
		i++;
	}
	if (kind == KIND_FREE)
		fputc('\n', sk->free);
	sk->last_t_ms = t_ms;
	ti->snapshots++;
}

static void on_event(struct trace_info *ti, struct sinks *sk, const struct trace_reader *r,
		     enum kind kind)
{
	const struct trd_event *e = &r->ev;
	struct evtype *et = evtable_get(&ti->ev, e->name.p, e->name.len);
	et->count++;
	if (e->has_cycles) {
		et->with_cycles++;
		stats_hist_add(&et->cycles, e->cycles);
	}
	if (kind == KIND_FREE && sk && trd_span_eq(e->name, "mm_vmscan_kswapd_wake")) {
		const struct trd_span *nid = trd_field(e, "nid");
		int n = nid && nid->len && nid->p[0] >= '0' && nid->p[0] <= '9' ? atoi(nid->p) : 0;
		if (n < 0 || n >= MAX_NODES)
			return;
		if (!sk->wakes[n]) {
			char name[32];
			snprintf(name, sizeof name, "wakes-%d.dat", n);
			sk->wakes[n] = open_in(sk->dir, name);
			if (!sk->wakes[n]) {
				sk->failed = true;
				return;
			}
		}
		fprintf(sk->wakes[n], "%.6f\n", (double)e->t * ti->ms_per_cycle);
		ti->wakes[n]++;
	}
}

/* Streams one trace. 0, or -1 with the message printed. */
static int read_trace(struct trace_info *ti, struct sinks *sk, enum kind kind)
{
	struct trace_reader r;
	int rc = -1;
	if (trd_open(&r, ti->path)) {
		tool_error("plot: %s", r.err);
		goto out;
	}
	for (;;) {
		switch (trd_next(&r)) {
		case TRD_ERROR:
			tool_error("plot: %s", r.err);
			goto out;
		case TRD_EOF:
			rc = 0;
			goto out;
		case TRD_HEADER:
			ti->header = r.json;
			r.json = NULL;
			on_header(ti);
			if (sk && kind == KIND_FREE && !(sk->free = open_in(sk->dir, "free.dat")))
				goto out;
			break;
		case TRD_SNAPSHOT:
			if (sk)
				on_snapshot(ti, sk, r.json, kind);
			else
				ti->snapshots++;
			break;
		case TRD_EVENT:
			on_event(ti, sk, &r, kind);
			break;
		case TRD_SUMMARY:
		case TRD_OTHER:
			break;
		}
		if (sk && sk->failed)
			goto out;
	}
out:
	trd_close(&r);
	return rc;
}

/* ---- The script ---- */

/* A string for a gnuplot double-quoted literal. */
static void gp_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* "off.jsonl: scenarios/quickstart.lua, seed 1, classic, pcp=off" */
static void describe(char *buf, size_t n, const struct trace_info *ti)
{
	const cJSON *h = ti->header;
	const cJSON *sc = cJSON_GetObjectItemCaseSensitive(h, "scenario");
	const cJSON *era = cJSON_GetObjectItemCaseSensitive(h, "era");
	const cJSON *pol = cJSON_GetObjectItemCaseSensitive(h, "policy");
	const cJSON *pcp = cJSON_GetObjectItemCaseSensitive(pol, "pcp");
	snprintf(buf, n, "%s: %s, seed %.0f%s%s%s%s", base_name(ti->path),
		 cJSON_IsString(sc) ? sc->valuestring : "?", num(h, "seed"),
		 cJSON_IsString(era) ? ", " : "", cJSON_IsString(era) ? era->valuestring : "",
		 cJSON_IsString(pcp) ? ", pcp=" : "", cJSON_IsString(pcp) ? pcp->valuestring : "");
}

/* The policy knobs that differ between two headers, "pcp: on / off; ...". */
static void policy_diff(char *buf, size_t n, const struct trace_info *a, const struct trace_info *b)
{
	buf[0] = 0;
	const cJSON *pa = cJSON_GetObjectItemCaseSensitive(a->header, "policy");
	const cJSON *pb = cJSON_GetObjectItemCaseSensitive(b->header, "policy");
	const cJSON *k;
	size_t used = 0;
	cJSON_ArrayForEach(k, pa) {
		const cJSON *w = cJSON_GetObjectItemCaseSensitive(pb, k->string);
		if (w && cJSON_IsString(k) && cJSON_IsString(w) && strcmp(k->valuestring, w->valuestring)) {
			int m = snprintf(buf + used, n - used, "%s%s: %s (A) / %s (B)", used ? "; " : "",
					 k->string, k->valuestring, w->valuestring);
			if (m < 0 || (size_t)m >= n - used)
				break;
			used += (size_t)m;
		}
	}
}

static void gp_preamble(FILE *f, const struct plot_opts *o, const char *out_abs, int panels,
			const char *title)
{
	int w = o->width ? o->width : 1000;
	int h = o->height ? o->height : 110 + 300 * panels;
	if (o->png)
		fprintf(f, "set terminal pngcairo size %d,%d noenhanced font \"sans,10\" background rgb \"white\"\n",
			w, h);
	else
		fprintf(f, "set terminal svg size %d,%d noenhanced font \"sans,11\" background rgb \"white\"\n",
			w, h);
	/* mmsim runs this with -e "output='...'" (a file of its own, copied
	 * to the final name when gnuplot succeeds); a user rerunning it by
	 * hand draws straight to the name given to -o. */
	fputs("if (!exists(\"output\")) output = ", f);
	gp_str(f, out_abs);
	fputs("\nset output output\nset encoding utf8\nset grid lc rgb \"#dddddd\"\nset key outside right top Left reverse\n"
	      "set lmargin 12\nset rmargin at screen 0.76\n", f);
	fprintf(f, "set multiplot layout %d,1 title ", panels);
	gp_str(f, title);
	fputs(" font \",13\"\n", f);
}

static void script_free(FILE *f, const struct plot_opts *o, const char *out_abs,
			const struct trace_info *ti)
{
	char d[512], title[1024];
	describe(d, sizeof d, ti);
	snprintf(title, sizeof title, "Free pages per zone against the watermarks\n%s", d);
	gp_preamble(f, o, out_abs, ti->nzones, title);
	/* A log scale: the watermarks are a few thousandths of a zone. A
	 * zone whose counts reach 0 (an empty zone, a zone drained dry)
	 * cannot have one: its panel is linear and says so. */
	fputs("set xlabel \"simulated time (ms)\"\nset y2range [0:1]\nunset y2tics\n", f);
	for (int i = 0; i < ti->nzones; i++) {
		int c = 2 + 4 * i, node = ti->zone_node[i];
		if (ti->zmin[i] > 0)
			fputs("set logscale y\nset yrange [1:*]\n"
			      "set ylabel \"free pages (4 KiB each, log scale)\"\n", f);
		else
			fputs("unset logscale y\nset yrange [0:*]\n"
			      "set ylabel \"free pages (4 KiB each; 0 reached: linear)\"\n", f);
		fputs("set title ", f);
		gp_str(f, ti->zone[i]);
		fprintf(f, "\nplot \"free.dat\" using 1:%d with lines lw 2 lc rgb \"#1f77b4\" title \"free pages\", \\\n"
			"     \"\" using 1:%d with lines dt 2 lw 1.5 lc rgb \"#2ca02c\" title \"high\", \\\n"
			"     \"\" using 1:%d with lines dt 3 lw 1.5 lc rgb \"#ff7f0e\" title \"low\", \\\n"
			"     \"\" using 1:%d with lines dt 4 lw 1.5 lc rgb \"#d62728\" title \"min\"",
			c, c + 3, c + 2, c + 1);
		if (node >= 0 && node < MAX_NODES && ti->wakes[node])
			fprintf(f, ", \\\n     \"wakes-%d.dat\" using 1:(1) axes x1y2 with impulses lw 1 "
				"lc rgb \"#9467bd\" title \"kswapd wake-up (node %d)\"", node, node);
		fputc('\n', f);
	}
	fputs("unset multiplot\n", f);
}

static void script_buddy(FILE *f, const struct plot_opts *o, const char *out_abs,
			 const struct trace_info *ti)
{
	char d[512], title[1024];
	describe(d, sizeof d, ti);
	snprintf(title, sizeof title, "Free blocks per order over time (buddyinfo)\n%s", d);
	gp_preamble(f, o, out_abs, ti->nzones, title);
	fprintf(f, "set xlabel \"simulated time (ms)\"\nset ylabel \"order (block of 2^order pages)\"\n"
		"set yrange [-0.5:%d.5]\nset ytics 1\nset xrange [0:*]\nset autoscale xfixmax\n"
		"set cblabel \"log10(1 + free blocks)\"\nset cbrange [0:*]\n"
		"set palette defined (0 \"white\", 1 \"#fdd49e\", 2 \"#fc8d59\", 3 \"#d7301f\", 4 \"#7f0000\")\n"
		"unset key\n", ti->max_orders - 1);
	for (int i = 0; i < ti->nzones; i++) {
		fputs("set title ", f);
		gp_str(f, ti->zone[i]);
		if (!ti->buddy_has[i]) {
			/* No block counts over time for this zone: an empty panel
			 * that says so, not a gnuplot error. */
			fputs("\nset label 1 \"no buddyinfo over time for this zone\" at graph 0.5,0.5 "
			      "center\nplot NaN notitle\nunset label 1\n", f);
			continue;
		}
		fprintf(f, "\nplot \"buddy-%d.dat\" using (($1+$2)/2):3:1:2:($3-0.5):($3+0.5):4 "
			"with boxxyerror fs solid 1.0 noborder lc palette notitle\n", i);
	}
	fputs("unset multiplot\n", f);
}

/* Power-of-two bins of a log-linear histogram: bin k holds [2^k, 2^(k+1)),
 * bin 0 also 0. Each stats_hist bucket lies inside one such bin. */
static void pow2_bins(const struct stats_hist *h, uint64_t bins[65])
{
	memset(bins, 0, 65 * sizeof bins[0]);
	for (unsigned i = 0; i < STATS_HIST_BUCKETS; i++) {
		if (!h->buckets[i])
			continue;
		uint64_t lo, hi;
		stats_hist_bucket_bounds(i, &lo, &hi);
		bins[lo ? 63 - __builtin_clzll(lo) : 0] += h->buckets[i];
	}
}

static const struct evtype *find_type(const struct evtable *t, const char *name)
{
	for (int i = 0; i < t->n; i++)
		if (!strcmp(t->types[i]->name, name))
			return t->types[i];
	return NULL;
}

/* Writes cycles-N.dat for each event type with cycles (in A's order, then
 * B's own); returns how many, names in names[], or -1 (message printed). */
static int cycles_data(const char *dir, const struct trace_info *ti, int nti,
		       const char *names[EVTABLE_MAX * 2])
{
	int n = 0;
	for (int s = 0; s < nti; s++)
		for (int i = 0; i < ti[s].ev.n; i++) {
			const struct evtype *e = ti[s].ev.types[i];
			if (!e->with_cycles || (s == 1 && find_type(&ti[0].ev, e->name) &&
						find_type(&ti[0].ev, e->name)->with_cycles))
				continue;
			names[n] = e->name;
			char file[32];
			snprintf(file, sizeof file, "cycles-%d.dat", n);
			FILE *f = open_in(dir, file);
			if (!f)
				return -1;
			uint64_t bins[2][65] = {{0}};
			for (int k = 0; k < nti; k++) {
				const struct evtype *x = find_type(&ti[k].ev, e->name);
				if (x)
					pow2_bins(&x->cycles, bins[k]);
			}
			fprintf(f, "# lo hi count_A%s\n", nti > 1 ? " count_B" : "");
			for (int b = 0; b < 64; b++) {
				if (!bins[0][b] && !bins[1][b])
					continue;
				/* Bin 0 ([0, 2): 0 and 1 cycle, all of them with
				 * -P hw=off) starts at 0.5 on the log axis. */
				double lo = b ? ldexp(1, b) : 0.5, hi = ldexp(1, b + 1);
				fprintf(f, "%g %.0f %llu", lo, hi, (unsigned long long)bins[0][b]);
				if (nti > 1)
					fprintf(f, " %llu", (unsigned long long)bins[1][b]);
				fputc('\n', f);
			}
			if (fclose(f)) {
				tool_error("plot: cannot write %s/%s", dir, file);
				return -1;
			}
			n++;
		}
	return n;
}

static void script_cycles(FILE *f, const struct plot_opts *o, const char *out_abs,
			  const struct trace_info *ti, int nti, const char *const *names, int n)
{
	char a[512], b[512], pd[512], title[2048];
	describe(a, sizeof a, &ti[0]);
	if (nti > 1) {
		describe(b, sizeof b, &ti[1]);
		policy_diff(pd, sizeof pd, &ti[0], &ti[1]);
		snprintf(title, sizeof title, "Cycles per event, A against B\nA = %s\nB = %s%s%s", a, b,
			 pd[0] ? "\n" : "", pd);
	} else {
		snprintf(title, sizeof title, "Cycles per event\n%s", a);
	}
	gp_preamble(f, o, out_abs, n, title);
	fputs("set xlabel \"cycles per event (log scale; bins of [2^k, 2^(k+1)))\"\n"
	      "set ylabel \"events\"\nset logscale x 2\nset format x \"%.0f\"\nset yrange [0:*]\n"
	      "set style fill transparent solid 0.45 noborder\n", f);
	for (int i = 0; i < n; i++) {
		/* Every event of the type at 0 cycles (the cost model off, -P
		 * hw=off): one bar in the first bin, and the title says why. */
		uint64_t max = 0;
		for (int k = 0; k < nti; k++) {
			const struct evtype *e = find_type(&ti[k].ev, names[i]);
			if (e && e->with_cycles && e->cycles.max > max)
				max = e->cycles.max;
		}
		char panel[300];
		snprintf(panel, sizeof panel, "%s%s", names[i],
			 max ? "" : " (every event 0 cycles: was the cost model off, -P hw=off?)");
		fprintf(f, "set xrange [0.5:%s]\nset title ", max ? "*" : "16");
		gp_str(f, panel);
		fprintf(f, "\nplot \"cycles-%d.dat\" using (sqrt($1*$2)):($3/2):1:2:(0):3 with boxxyerror "
			"lc rgb \"#1f77b4\" title \"A\"", i);
		if (nti > 1)
			fputs(", \\\n     \"\" using (sqrt($1*$2)):($4/2):1:2:(0):4 with boxxyerror "
			      "lc rgb \"#d62728\" title \"B\"", f);
		fputc('\n', f);
	}
	fputs("unset multiplot\n", f);
}

/* ---- The command ---- */

static int parse_opts(int argc, char **argv, struct plot_opts *o)
{
	*o = (struct plot_opts){.kind = KIND_FREE};
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(plot_usage, stdout);
			exit(EXIT_OK);
		} else if (!strcmp(a, "-o") || !strcmp(a, "--kind") || !strcmp(a, "--size") ||
			   !strcmp(a, "--script")) {
			if (i + 1 >= argc) {
				tool_error("plot: %s needs a value (see mmsim plot --help)", a);
				return -1;
			}
			const char *v = argv[++i];
			if (!strcmp(a, "-o")) {
				o->out = v;
			} else if (!strcmp(a, "--script")) {
				o->script_dir = v;
			} else if (!strcmp(a, "--size")) {
				char x;
				if (sscanf(v, "%d%c%d", &o->width, &x, &o->height) != 3 || x != 'x' ||
				    o->width < 100 || o->height < 100 || o->width > 20000 || o->height > 20000) {
					tool_error("plot: --size: '%s' is not WIDTHxHEIGHT in pixels "
						   "(100 to 20000, e.g. 1200x800)", v);
					return -1;
				}
			} else if (!strcmp(v, "free")) {
				o->kind = KIND_FREE;
			} else if (!strcmp(v, "buddyinfo")) {
				o->kind = KIND_BUDDY;
			} else if (!strcmp(v, "cycles")) {
				o->kind = KIND_CYCLES;
			} else {
				tool_error("plot: --kind: '%s' is not free, buddyinfo or cycles", v);
				return -1;
			}
		} else if (a[0] == '-' && a[1]) {
			tool_error("plot: unknown option '%s' (see mmsim plot --help)", a);
			return -1;
		} else if (o->nin < 2) {
			o->in[o->nin++] = a;
		} else {
			tool_error("plot: at most two traces ('%s')", a);
			return -1;
		}
	}
	if (!o->nin || !o->out) {
		tool_error("plot: mmsim plot TRACE.jsonl -o OUT.svg|OUT.png (see mmsim plot --help)");
		return -1;
	}
	size_t n = strlen(o->out);
	if (n > 4 && !strcmp(o->out + n - 4, ".png")) {
		o->png = true;
	} else if (!(n > 4 && !strcmp(o->out + n - 4, ".svg"))) {
		tool_error("plot: -o %s: the name must end in .svg or .png", o->out);
		return -1;
	}
	if (o->nin == 2 && o->kind != KIND_CYCLES) {
		tool_error("plot: two traces are compared with --kind cycles; free and buddyinfo "
			   "draw one trace");
		return -1;
	}
	return 0;
}

/* Removes the temporary directory and what this command wrote in it (it
 * made the directory: everything inside is its own). */
static void remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4400];
	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

/* Runs gnuplot plot.gp in dir, drawing to dir/picture (the script's
 * "output" variable). kept: where the user can find the script (--script),
 * or NULL. 0, or -1 (message printed). */
static int run_gnuplot(const char *dir, const char *picture, const char *kept)
{
	char setting[64];
	snprintf(setting, sizeof setting, "output='%s'", picture);
	fflush(NULL);   /* nothing buffered may be written twice by the child */
	pid_t pid = fork();
	if (pid < 0) {
		tool_error("plot: cannot start gnuplot: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		if (chdir(dir))
			_exit(126);
		execlp("gnuplot", "gnuplot", "-e", setting, "plot.gp", (char *)NULL);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127) {
		tool_error("plot: gnuplot not found (make deps installs gnuplot-nox)");
		return -1;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		if (kept)
			tool_error("plot: gnuplot failed on %s/plot.gp", kept);
		else
			tool_error("plot: gnuplot failed (its message is above; --script DIR keeps the "
				   "script and data to look at)");
		return -1;
	}
	return 0;
}

/* Copies src to dst under sim/ofile.h's rule. 0, or -1 (message printed). */
static int install(const char *src, const char *dst)
{
	FILE *in = fopen(src, "rb");
	if (!in) {
		tool_error("plot: %s: %s", src, strerror(errno));
		return -1;
	}
	struct ofile of;
	char err[600], buf[65536];
	if (ofile_open(&of, dst, err, sizeof err)) {
		fclose(in);
		tool_error("plot: %s", err);
		return -1;
	}
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		fwrite(buf, 1, n, of.fp);
	bool bad = ferror(in) != 0;
	fclose(in);
	if (bad) {
		ofile_discard(&of);
		tool_error("plot: cannot read %s", src);
		return -1;
	}
	if (ofile_commit(&of, err, sizeof err)) {
		tool_error("plot: %s", err);
		return -1;
	}
	return 0;
}

/* The script and data of dir into --script's directory (made if missing),
 * each file by install(). */
static int install_script(const char *dir, const char *into, const char *picture)
{
	if (mkdir(into, 0777) && errno != EEXIST) {
		tool_error("plot: --script %s: cannot create: %s", into, strerror(errno));
		return -1;
	}
	DIR *d = opendir(dir);
	if (!d) {
		tool_error("plot: %s: %s", dir, strerror(errno));
		return -1;
	}
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (e = readdir(d))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, picture))
			continue;
		char src[4400], dst[4400];
		snprintf(src, sizeof src, "%s/%s", dir, e->d_name);
		snprintf(dst, sizeof dst, "%s/%s", into, e->d_name);
		rc = install(src, dst);
	}
	closedir(d);
	return rc;
}

/* Closes the sinks' files; -1 (message printed) when one could not be
 * written. */
static int close_sinks(struct sinks *sk)
{
	int rc = 0;
	FILE **all[1 + MAX_NODES + MAX_ZONES];
	size_t n = 0;
	all[n++] = &sk->free;
	for (int i = 0; i < MAX_NODES; i++)
		all[n++] = &sk->wakes[i];
	for (int i = 0; i < MAX_ZONES; i++)
		all[n++] = &sk->buddy[i];
	for (size_t i = 0; i < n; i++)
		if (*all[i]) {
			if ((ferror(*all[i]) | fclose(*all[i])) && !rc) {
				tool_error("plot: cannot write the data files in %s", sk->dir);
				rc = -1;
			}
			*all[i] = NULL;
		}
	return rc;
}

int cmd_plot(int argc, char **argv)
{
	struct plot_opts o;
	if (parse_opts(argc, argv, &o))
		return EXIT_USAGE;
	char dir[4096], out_abs[4096];
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof dir, "%s/mmsim-plot-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		tool_error("plot: cannot create a temporary directory: %s", strerror(errno));
		return EXIT_USAGE;
	}
	if (o.out[0] == '/') {
		snprintf(out_abs, sizeof out_abs, "%s", o.out);
	} else {
		char cwd[2048];
		if (!getcwd(cwd, sizeof cwd))
			snprintf(cwd, sizeof cwd, ".");
		snprintf(out_abs, sizeof out_abs, "%s/%s", cwd, o.out);
	}
	const char *picture = o.png ? "picture.png" : "picture.svg";

	static struct trace_info ti[2];
	memset(ti, 0, sizeof ti);
	struct sinks sk = {.dir = dir};
	int status = EXIT_USAGE;
	for (int i = 0; i < o.nin; i++) {
		ti[i].path = o.in[i];
		if (read_trace(&ti[i], i == 0 && o.kind != KIND_CYCLES ? &sk : NULL, o.kind))
			goto out;
	}
	if (close_sinks(&sk))
		goto out;

	if (o.kind != KIND_CYCLES && (ti[0].snapshots < 2 || !ti[0].nzones)) {
		tool_error("plot: %s has %llu snapshot line%s: free and buddyinfo draw them over time "
			   "(mmsim run --snapshot-every N)", o.in[0],
			   (unsigned long long)ti[0].snapshots, ti[0].snapshots == 1 ? "" : "s");
		goto out;
	}
	if (o.kind == KIND_BUDDY && !ti[0].max_orders) {
		tool_error("plot: %s: its snapshots carry no buddyinfo (nr_free) at two different "
			   "cycles: nothing to draw over time", o.in[0]);
		goto out;
	}
	FILE *gp = open_in(dir, "plot.gp");
	if (!gp)
		goto out;
	fprintf(gp, "# Written by mmsim plot from %s%s%s. To restyle: edit, then\n"
		"#   gnuplot plot.gp    (in this directory)\n", o.in[0], o.nin > 1 ? " and " : "",
		o.nin > 1 ? o.in[1] : "");
	if (o.kind == KIND_FREE) {
		script_free(gp, &o, out_abs, &ti[0]);
	} else if (o.kind == KIND_BUDDY) {
		script_buddy(gp, &o, out_abs, &ti[0]);
	} else {
		const char *names[EVTABLE_MAX * 2];
		int n = cycles_data(dir, ti, o.nin, names);
		if (n < 0) {
			fclose(gp);
			goto out;
		}
		if (!n) {
			fclose(gp);
			tool_error("plot: no event in %s%s%s carries cycles", o.in[0],
				   o.nin > 1 ? " or " : "", o.nin > 1 ? o.in[1] : "");
			goto out;
		}
		script_cycles(gp, &o, out_abs, ti, o.nin, names, n);
	}
	if ((ferror(gp) | fclose(gp))) {
		tool_error("plot: cannot write %s/plot.gp", dir);
		goto out;
	}
	/* The traces were good: --script gets its files whatever gnuplot
	 * says of them (they are how to find out why it failed). */
	if (o.script_dir && install_script(dir, o.script_dir, picture))
		goto out;
	if (run_gnuplot(dir, picture, o.script_dir)) {
		status = EXIT_FAILED;
		goto out;
	}
	char drawn[4200];
	snprintf(drawn, sizeof drawn, "%s/%s", dir, picture);
	if (install(drawn, o.out))
		goto out;
	status = EXIT_OK;
out:
	close_sinks(&sk);
	for (int i = 0; i < 2; i++) {
		cJSON_Delete(ti[i].header);
		evtable_free(&ti[i].ev);
	}
	remove_tree(dir);
	return status;
}
