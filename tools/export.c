/*
 * mmsim export --perfetto TRACE.jsonl -o OUT.json: the trace as Chrome trace
 * event JSON, which Perfetto UI (ui.perfetto.dev) and chrome://tracing open.
 *
 * Streamed like diff and report: each trace line becomes zero or more output
 * events as it is read, so memory is bounded by the number of CPUs, nodes
 * and tasks (names for the metadata), never by the number of events. The
 * rules of the format that the output keeps, and that tests/cli_diff.sh
 * checks, are in docs/perfetto.md. In short:
 *
 *   process (pid)  1 + N for CPU N ("cpu N (node M)"); 1000 + N for node N's
 *                  memory counters; 0 for events without a CPU ("machine")
 *   thread (tid)   one per task name, numbered from 1 in order of first
 *                  appearance, named after the task; 0 when no task
 *   "X" events     every event line with "cycles": an operation starting
 *                  at "t" and lasting that many cycles at its CPU's clock
 *   "i" events     event lines without "cycles"; kswapd wake-ups and
 *                  allocation failures among them, failures global ("g")
 *   "C" events     per zone, at each snapshot: free pages, min, low, high
 *   "M" events     process_name, thread_name, process_sort_index
 *
 * Timestamps are microseconds (the format's unit) written as whole
 * nanoseconds (three decimals), cycles converted at the CPU's clock and
 * rounded down.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "sim/ofile.h"
#include "sim/trace_read.h"
#include "sim/types.h"
#include "tools/tools.h"

static const char export_usage[] =
	"usage: mmsim export --perfetto TRACE.jsonl -o OUT.json\n"
	"\n"
	"Writes the trace as Chrome trace event JSON for Perfetto UI\n"
	"(https://ui.perfetto.dev: Open trace file) and chrome://tracing: one\n"
	"process per CPU with one thread per task, each allocator operation a\n"
	"slice as long as its cycles at the CPU's clock, instants for events\n"
	"without cycles (kswapd wake-ups, allocation failures), and counter\n"
	"tracks of free pages and watermarks per zone from the snapshot lines\n"
	"(run with --snapshot-every N to get more than the final one).\n"
	"Streams: memory does not grow with the trace. docs/perfetto.md.\n"
	"\n"
	"options:\n"
	"  --perfetto   the output format (the only one so far; required)\n"
	"  -o FILE      the output file ('-': standard output)\n"
	"  -h, --help   this text\n"
	"\n"
	"The output appears under its name only when complete: a bad input or a\n"
	"failed write leaves what was there before (a device or '-' is written\n"
	"directly).\n"
	"\n"
	"exit status: 0 done, 2 trouble: the input (messages name the file and\n"
	"line), the usage, or an output that could not be written.\n"
	"\n"
	"examples:\n"
	"  mmsim run scenarios/quickstart.lua --snapshot-every 50000 -o q.jsonl --quiet\n"
	"  mmsim export --perfetto q.jsonl -o q.perfetto.json\n";

#define MAX_CPUS 1024
#define MAX_NODES 64
#define PID_NODE_BASE 1000

struct task_name {
	char *name;    /* the JSON string as written, with its quotes */
	size_t len;
	int tid;
	uint64_t last_end;   /* cycle its last slice ended */
};

struct exporter {
	FILE *out;                 /* of.fp */
	struct ofile of;
	const char *out_path;
	struct trace_reader r;
	uint64_t nev;              /* output events written */
	double ns_per_cycle[MAX_CPUS];
	double ns_per_cycle0;      /* CPU 0's: for events without a CPU, counters */
	int cpu_node[MAX_CPUS];
	int ncpus;
	bool pid_named[MAX_CPUS + 1];
	uint64_t pid_last_end[MAX_CPUS + 1];   /* slices of tid 0 (no task) */
	uint64_t clamped;          /* slices shortened to keep a thread's slices disjoint */
	bool node_named[MAX_NODES];
	struct task_name *tasks;   /* open addressing; cap a power of two */
	size_t ntasks, cap;
};

static void sep(struct exporter *x)
{
	fputs(x->nev++ ? ",\n" : "\n", x->out);
}

static void meta(struct exporter *x, const char *what, int pid, int tid, const char *key,
		 const char *json_value)
{
	sep(x);
	fprintf(x->out, "{\"ph\":\"M\",\"name\":\"%s\",\"pid\":%d,\"tid\":%d,\"args\":{\"%s\":%s}}",
		what, pid, tid, key, json_value);
}

static void from_header(struct exporter *x, const cJSON *h)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(h, "machine");
	const cJSON *cpus = cJSON_GetObjectItemCaseSensitive(m, "cpus");
	const cJSON *c;
	x->ns_per_cycle0 = 1.0;   /* 1 GHz when the header says nothing */
	cJSON_ArrayForEach(c, cpus) {
		if (x->ncpus == MAX_CPUS)
			break;
		const cJSON *hz = cJSON_GetObjectItemCaseSensitive(c, "hz");
		const cJSON *node = cJSON_GetObjectItemCaseSensitive(c, "node");
		double f = cJSON_IsNumber(hz) && hz->valuedouble > 0 ? hz->valuedouble : 1e9;
		x->ns_per_cycle[x->ncpus] = 1e9 / f;
		x->cpu_node[x->ncpus] = cJSON_IsNumber(node) ? (int)node->valuedouble : 0;
		if (x->ncpus == 0)
			x->ns_per_cycle0 = 1e9 / f;
		x->ncpus++;
	}
	char name[160];
	snprintf(name, sizeof name, "\"machine (no CPU)\"");
	meta(x, "process_name", 0, 0, "name", name);
	meta(x, "process_sort_index", 0, 0, "sort_index", "0");
}

/* The pid of a CPU, naming its process the first time. */
static int cpu_pid(struct exporter *x, int cpu)
{
	if (cpu < 0 || cpu >= MAX_CPUS)
		return 0;
	int pid = 1 + cpu;
	if (!x->pid_named[pid]) {
		x->pid_named[pid] = true;
		char name[64], idx[16];
		if (cpu < x->ncpus)
			snprintf(name, sizeof name, "\"cpu %d (node %d)\"", cpu, x->cpu_node[cpu]);
		else
			snprintf(name, sizeof name, "\"cpu %d\"", cpu);
		snprintf(idx, sizeof idx, "%d", pid);
		meta(x, "process_name", pid, 0, "name", name);
		meta(x, "process_sort_index", pid, 0, "sort_index", idx);
	}
	return pid;
}

static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

/* The tid of a task (its name as a JSON string span), naming the thread
 * in process pid the first time it is seen there. */
static int task_tid(struct exporter *x, const struct trd_span *task, int pid, uint64_t **last_end)
{
	*last_end = &x->pid_last_end[pid];
	if (!task)
		return 0;
	if (2 * (x->ntasks + 1) > x->cap) {
		size_t ncap = x->cap ? 2 * x->cap : 64;
		struct task_name *nt = mmsim_xcalloc(ncap, sizeof *nt);
		for (size_t i = 0; i < x->cap; i++) {
			if (!x->tasks[i].name)
				continue;
			size_t j = hash(x->tasks[i].name, x->tasks[i].len) & (ncap - 1);
			while (nt[j].name)
				j = (j + 1) & (ncap - 1);
			nt[j] = x->tasks[i];
		}
		free(x->tasks);
		x->tasks = nt;
		x->cap = ncap;
	}
	size_t j = hash(task->p, task->len) & (x->cap - 1);
	while (x->tasks[j].name) {
		if (x->tasks[j].len == task->len && !memcmp(x->tasks[j].name, task->p, task->len)) {
			*last_end = &x->tasks[j].last_end;
			return x->tasks[j].tid;
		}
		j = (j + 1) & (x->cap - 1);
	}
	struct task_name *t = &x->tasks[j];
	t->name = mmsim_xmalloc(task->len + 1);
	memcpy(t->name, task->p, task->len);
	t->name[task->len] = 0;
	t->len = task->len;
	t->tid = (int)++x->ntasks;
	meta(x, "thread_name", pid, t->tid, "name", t->name);
	*last_end = &t->last_end;
	return t->tid;
}

static void write_args_flat(struct exporter *x, const struct trd_event *e)
{
	fputs(",\"args\":{", x->out);
	bool first = true;
	for (int i = 0; i < e->nfields; i++) {
		struct trd_span k = e->keys[i];
		if (trd_span_eq(k, "ev") || trd_span_eq(k, "t") || trd_span_eq(k, "cpu") ||
		    trd_span_eq(k, "task"))
			continue;
		fprintf(x->out, "%s\"%.*s\":%.*s", first ? "" : ",", (int)k.len, k.p,
			(int)e->vals[i].len, e->vals[i].p);
		first = false;
	}
	fputs("}", x->out);
}

static void write_args_json(struct exporter *x, cJSON *j)
{
	static const char *const drop[] = {"ev", "t", "cpu", "task"};
	for (size_t i = 0; i < sizeof drop / sizeof drop[0]; i++)
		cJSON_DeleteItemFromObjectCaseSensitive(j, drop[i]);
	char *s = cJSON_PrintUnformatted(j);
	fprintf(x->out, ",\"args\":%s", s ? s : "{}");
	free(s);
}

/* Cycles to whole nanoseconds, rounded down: monotonic, so an operation
 * that starts where another ends starts where it ends in the output too. */
static uint64_t to_ns(uint64_t cycles, double ns_per_cycle)
{
	return (uint64_t)((double)cycles * ns_per_cycle);
}

/* Nanoseconds as the format's microseconds, exactly. */
static void print_us(FILE *f, uint64_t ns)
{
	fprintf(f, "%llu.%03llu", (unsigned long long)(ns / 1000), (unsigned long long)(ns % 1000));
}

static int span_int(const struct trd_span *s, int dflt)
{
	if (!s || !s->len || s->p[0] < '0' || s->p[0] > '9')
		return dflt;
	return atoi(s->p);
}

static void on_event(struct exporter *x)
{
	const struct trd_event *e = &x->r.ev;
	const struct trd_span *cpu_s = NULL, *task_s = NULL;
	struct trd_span task_tmp;
	int cpu = -1;
	if (e->flat) {
		cpu_s = trd_field(e, "cpu");
		task_s = trd_field(e, "task");
		cpu = span_int(cpu_s, -1);
		if (task_s && task_s->p[0] != '"')
			task_s = NULL;
	} else {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(x->r.json, "cpu");
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(x->r.json, "task");
		if (cJSON_IsNumber(c))
			cpu = (int)c->valuedouble;
		if (cJSON_IsString(t)) {
			/* A JSON string of the name, for the metadata. */
			char *s = cJSON_PrintUnformatted(t);
			task_tmp = (struct trd_span){s, strlen(s)};
			task_s = &task_tmp;
		}
	}
	int pid = cpu_pid(x, cpu);
	uint64_t *last_end;
	int tid = task_tid(x, task_s, pid, &last_end);
	if (task_s == &task_tmp)
		free((char *)task_tmp.p);
	double ns = cpu >= 0 && cpu < x->ncpus ? x->ns_per_cycle[cpu] : x->ns_per_cycle0;
	sep(x);
	fprintf(x->out, "{\"name\":\"%.*s\",\"cat\":\"mmsim\",", (int)e->name.len, e->name.p);
	if (e->has_cycles && e->t + e->cycles >= e->t) {
		/* A thread's slices must nest or be disjoint (Perfetto drops
		 * crossing ones). One task's operations never overlap, and
		 * whole nanoseconds rounded down keep back-to-back ones
		 * disjoint too; a trace that breaks this is clamped, not
		 * dropped. */
		uint64_t start = e->t, end = e->t + e->cycles;
		if (start < *last_end && end > *last_end) {
			start = *last_end;
			x->clamped++;
		}
		if (end > *last_end)
			*last_end = end;
		uint64_t s_ns = to_ns(start, ns), e_ns = to_ns(end, ns);
		fprintf(x->out, "\"ph\":\"X\",\"ts\":");
		print_us(x->out, s_ns);
		fprintf(x->out, ",\"dur\":");
		print_us(x->out, e_ns - s_ns);
	} else {
		bool global = trd_span_eq(e->name, "mm_page_alloc_fail") || trd_span_eq(e->name, "mm_oom");
		fprintf(x->out, "\"ph\":\"i\",\"s\":\"%s\",\"ts\":", global ? "g" : "t");
		print_us(x->out, to_ns(e->t, ns));
	}
	fprintf(x->out, ",\"pid\":%d,\"tid\":%d", pid, tid);
	if (e->flat)
		write_args_flat(x, e);
	else
		write_args_json(x, x->r.json);
	fputs("}", x->out);
}

static void on_snapshot(struct exporter *x, const cJSON *snap)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(snap, "t");
	uint64_t ts = cJSON_IsNumber(t) && t->valuedouble > 0
		      ? to_ns((uint64_t)t->valuedouble, x->ns_per_cycle0) : 0;
	const cJSON *zones = cJSON_GetObjectItemCaseSensitive(snap, "zones");
	const cJSON *z;
	cJSON_ArrayForEach(z, zones) {
		const cJSON *node = cJSON_GetObjectItemCaseSensitive(z, "node");
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(z, "zone");
		int n = cJSON_IsNumber(node) ? (int)node->valuedouble : 0;
		if (n < 0 || n >= MAX_NODES || !cJSON_IsString(name))
			continue;
		int pid = PID_NODE_BASE + n;
		if (!x->node_named[n]) {
			x->node_named[n] = true;
			char pname[64], idx[16];
			snprintf(pname, sizeof pname, "\"node %d memory\"", n);
			snprintf(idx, sizeof idx, "%d", pid);
			meta(x, "process_name", pid, 0, "name", pname);
			meta(x, "process_sort_index", pid, 0, "sort_index", idx);
		}
		/* Zone names are kernel identifiers (DMA, Normal, ...): no escaping. */
		sep(x);
		fprintf(x->out, "{\"name\":\"%s free pages\",\"ph\":\"C\",\"ts\":", name->valuestring);
		print_us(x->out, ts);
		fprintf(x->out, ",\"pid\":%d,\"tid\":0,\"args\":{", pid);
		static const char *const keys[] = {"free", "min", "low", "high"};
		for (int i = 0; i < 4; i++) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(z, keys[i]);
			fprintf(x->out, "%s\"%s\":%.0f", i ? "," : "", keys[i],
				cJSON_IsNumber(v) ? v->valuedouble : 0.0);
		}
		fputs("}}", x->out);
	}
}

int cmd_export(int argc, char **argv)
{
	const char *in = NULL, *out = NULL;
	bool perfetto = false;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(export_usage, stdout);
			return EXIT_OK;
		} else if (!strcmp(a, "--perfetto")) {
			perfetto = true;
		} else if (!strcmp(a, "-o")) {
			if (i + 1 >= argc) {
				tool_error("export: -o needs a value (see mmsim export --help)");
				return EXIT_USAGE;
			}
			out = argv[++i];
		} else if (a[0] == '-' && a[1]) {
			tool_error("export: unknown option '%s' (see mmsim export --help)", a);
			return EXIT_USAGE;
		} else if (!in) {
			in = a;
		} else {
			tool_error("export: one trace at a time ('%s' and '%s')", in, a);
			return EXIT_USAGE;
		}
	}
	if (!perfetto) {
		tool_error("export: which format? --perfetto is the one there is (see mmsim export --help)");
		return EXIT_USAGE;
	}
	if (!in || !out) {
		tool_error("export: mmsim export --perfetto TRACE.jsonl -o OUT.json (see mmsim export --help)");
		return EXIT_USAGE;
	}
	static struct exporter x;   /* big; one export per process */
	memset(&x, 0, sizeof x);
	x.out_path = out;
	int status = EXIT_USAGE;
	if (trd_open(&x.r, in)) {
		tool_error("export: %s", x.r.err);
		goto done;
	}
	/* The header first: a file that is not a trace at all creates
	 * nothing. Later trouble discards the temporary file (sim/ofile.h). */
	enum trd_kind k = trd_next(&x.r);
	if (k == TRD_ERROR) {
		tool_error("export: %s", x.r.err);
		goto done;
	}
	char err[600];
	if (ofile_open(&x.of, out, err, sizeof err)) {
		tool_error("export: %s", err);
		goto done;
	}
	x.out = x.of.fp;
	/* No displayTimeUnit: some Perfetto versions read "ns" there as the
	 * unit of ts, which the format fixes at microseconds. */
	fputs("{\"otherData\":{\"source\":\"mmsim\"},\"traceEvents\":[", x.out);
	from_header(&x, x.r.json);
	for (;;) {
		k = trd_next(&x.r);
		if (k == TRD_EOF)
			break;
		if (k == TRD_ERROR) {
			tool_error("export: %s", x.r.err);
			goto done;
		}
		if (k == TRD_EVENT)
			on_event(&x);
		else if (k == TRD_SNAPSHOT)
			on_snapshot(&x, x.r.json);
	}
	fputs("\n]}\n", x.out);
	x.out = NULL;
	if (ofile_commit(&x.of, err, sizeof err)) {
		tool_error("export: %s", err);
		goto done;
	}
	status = EXIT_OK;
	if (x.clamped)
		tool_error("export: warning: %llu slices overlapped the previous one of their task "
			   "and were shortened", (unsigned long long)x.clamped);
done:
	if (x.out)
		ofile_discard(&x.of);   /* what was at the path stays */
	trd_close(&x.r);
	for (size_t i = 0; i < x.cap; i++)
		free(x.tasks[i].name);
	free(x.tasks);
	return status;
}
