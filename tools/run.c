/*
 * mmsim run: run a simulation, write its trace, print a summary.
 *
 * Until the Lua layer lands (issue 5) a scenario file cannot be run; without
 * one, `run` runs the built-in smoke simulation below. It exists so that the
 * first command a new user types shows the engine doing something real: one
 * task per CPU alternating between work on per-CPU data (cheap: the lines stay
 * in that CPU's caches) and an increment of one shared counter under one
 * spinlock (dear: the lock word and the counter line move between CPUs, across
 * nodes at the NUMA price, and CPUs spin while another holds the lock). None
 * of those costs is written here: they fall out of the addresses the tasks
 * touch and the hardware model in hw/.
 *
 * The trace (JSON Lines, docs/trace-format.md) is a header line, one line per
 * operation, and a summary line; a trace without its summary is visibly
 * incomplete.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hw/hw.h"
#include "lua/scenario.h"
#include "mm/mm.h"
#include "hw/machine.h"
#include "sim/sim.h"
#include "sim/stats.h"
#include "sim/trace.h"
#include "tools/tools.h"

#define TRACE_FORMAT_VERSION 1

static const char run_usage[] =
	"usage: mmsim run [SCENARIO.lua] [options]\n"
	"\n"
	"Runs a Lua scenario (docs/scenarios.md) and writes its JSON Lines trace\n"
	"(docs/trace-format.md). Without SCENARIO, runs the built-in smoke\n"
	"simulation of the hardware model: one task per CPU alternating private\n"
	"work with a locked increment of a shared counter.\n"
	"\n"
	"options:\n"
	"  -o FILE              write the trace to FILE ('-': stdout); without -o,\n"
	"                       print a human summary and write no trace\n"
	"  --seed N             the run's random seed (default 1); math.random follows it\n"
	"  --era classic|modern the allocator's era (same as -P era=...)\n"
	"  -P name=value        set a policy knob over what the scenario asks for\n"
	"                       (every knob is listed below)\n"
	"  --events LIST        trace only these events: names or globs, '-' excludes\n"
	"                       (e.g. --events 'mm_page_*,-mm_page_pcpu_drain')\n"
	"  --snapshot-every N   a snapshot line every N cycles (and one at the end)\n"
	"  --max-cycles N       stop the simulation at cycle N\n"
	"  --max-instructions N stop a runaway script after N Lua instructions\n"
	"                       (default 4000000000)\n"
	"  --quiet              no summary, no progress on standard error\n"
	"  -h, --help           this text\n"
	"\n"
	"built-in simulation only:\n"
	"  --machine M          a preset (pc-i386, pc-i386-pae, x86_64, x86_64-numa2\n"
	"                       (default), x86_64-numa4) or FILE.json (docs/machines.md)\n"
	"  --iterations N       operations per task (default 2000)\n"
	"  --no-cost            turn the hardware cost model off\n";

static const char run_usage_examples[] =
	"\n"
	"examples:\n"
	"  mmsim run scenarios/quickstart.lua\n"
	"  mmsim run scenarios/labs/pcp/pcp.lua -P pcp=off -o off.jsonl\n"
	"  mmsim run scenarios/quickstart.lua --seed 7 -o - --events mm_page_alloc | head\n"
	"  mmsim run --machine x86_64-numa4 -o numa4.jsonl\n";

/* The usage, with every policy knob from mm/'s own table (its name, what
 * it does, what it accepts and its default), so the list cannot fall
 * behind the code. */
/* text on stdout, words wrapped at 78 columns, each line indented. */
static void wrap(const char *text, int indent)
{
	int col = 0;
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, " ");
		if (col && col + 1 + (int)n > 78) {
			putchar('\n');
			col = 0;
		}
		if (!col)
			col = printf("%*s", indent, "");
		else
			col += printf(" ");
		col += printf("%.*s", (int)n, p);
		p += n;
		while (*p == ' ')
			p++;
	}
	putchar('\n');
}

static void print_usage(void)
{
	fputs(run_usage, stdout);
	struct mm_policy dflt;
	mm_policy_default(&dflt);
	fputs("\npolicy knobs (-P name=value, or the scenario's boot table):\n",
	      stdout);
	for (const char *const *k = mm_policy_knobs(); *k; k++) {
		const char *accepted;
		const char *what = mm_policy_knob_help(*k, &accepted);
		char value[128] = "";
		mm_policy_get(&dflt, *k, value, sizeof value);
		char line[512];
		printf("  %s\n", *k);
		wrap(what ? what : "(no description)", 6);
		snprintf(line, sizeof line, "accepts %s; default %s", accepted ? accepted : "?", value);
		wrap(line, 6);
	}
	fputs(run_usage_examples, stdout);
}

struct run_opts {
	const char *scenario;
	const char *out;
	const char *events;
	const char *machine;
	uint64_t seed;
	uint64_t iterations;
	uint64_t max_cycles;
	uint64_t snapshot_every;
	uint64_t max_instructions;
	int cost;
	int quiet;
	const char *policy[SCENARIO_MAX_POLICY];
	int npolicy;
	char era_knob[64];
	int builtin_only;       /* an option only the built-in simulation takes */
};

/* ---- The smoke simulation ------------------------------------------------ */

#define SMOKE_PRIVATE_BYTES (16u << 10)   /* fits any L1d: stays hot */
#define SMOKE_LINES_PER_OP  8
#define SMOKE_THINK_MIN     100
#define SMOKE_THINK_SPREAD  200

struct smoke;

struct smoke_task {
	struct sim_task task;
	struct smoke *sm;
	uint64_t private_base;  /* SMOKE_PRIVATE_BYTES on the CPU's own node */
	uint64_t done;
};

struct smoke {
	struct sim sim;
	struct hw *hw;
	struct hw_machine_desc desc;
	struct trace *trace;
	struct stats_registry *stats;
	struct sim_lock lock;
	uint64_t counter_paddr;  /* the shared counter, on node 0 */
	uint64_t iterations;
	uint64_t ops_private, ops_shared;
	struct stats_hist private_cycles, shared_cycles, spin_cycles;
	int ev_private, ev_shared;
	struct smoke_task *tasks;  /* [ncpus] */
	int nr_tasks;
	uint64_t line_size;
};

/* The first usable, line-aligned address at least `skip` bytes into node n
 * with `bytes` usable behind it; fixed by the description, never random. */
static uint64_t smoke_place(const struct hw_machine_desc *d, int n, uint64_t skip,
			    uint64_t bytes)
{
	uint64_t start = d->nodes[n].start + skip;
	for (uint64_t a = start; a + bytes <= d->nodes[n].end; a += 1u << 20) {
		if (hw_desc_is_usable(d, a) && hw_desc_is_usable(d, a + bytes - 1))
			return a;
	}
	return UINT64_MAX;
}

static enum sim_step smoke_step(struct sim *s, struct sim_task *t)
{
	struct smoke_task *st = (struct smoke_task *)t;
	struct smoke *sm = st->sm;
	int cpu = t->cpu;

	if (st->done == sm->iterations)
		return SIM_STEP_EXIT;

	cycle_t start = sim_now(s);
	if ((st->done & 1) == 0) {
		/* Private work: a few lines of this CPU's own buffer, then some
		 * computation that touches no memory. */
		uint64_t nlines = SMOKE_PRIVATE_BYTES / sm->line_size;
		for (int i = 0; i < SMOKE_LINES_PER_OP; i++) {
			uint64_t line = rng_below(&s->rng, nlines);
			sim_charge(s, hw_access(sm->hw, cpu, st->private_base + line * sm->line_size,
						8, i & 1 ? HW_WRITE : HW_READ));
		}
		sim_charge(s, SMOKE_THINK_MIN + rng_below(&s->rng, SMOKE_THINK_SPREAD));
		cycle_t c = sim_now(s) - start;
		stats_hist_add(&sm->private_cycles, c);
		sm->ops_private++;
		if (trace_enabled(sm->trace, sm->ev_private)) {
			trace_begin(sm->trace, sm->ev_private, start, cpu, t->name);
			trace_u64(sm->trace, "lines", SMOKE_LINES_PER_OP);
			trace_u64(sm->trace, "cycles", c);
			trace_end(sm->trace);
		}
	} else {
		/* The shared counter: lock, read-modify-write, unlock. */
		cycle_t spin0 = sm->lock.spin_cycles;
		sim_lock_acquire(s, &sm->lock);
		sim_charge(s, hw_access(sm->hw, cpu, sm->counter_paddr, 8, HW_READ));
		sim_charge(s, hw_access(sm->hw, cpu, sm->counter_paddr, 8, HW_WRITE));
		sim_lock_release(s, &sm->lock);
		cycle_t c = sim_now(s) - start;
		cycle_t spin = sm->lock.spin_cycles - spin0;
		stats_hist_add(&sm->shared_cycles, c);
		stats_hist_add(&sm->spin_cycles, spin);
		sm->ops_shared++;
		if (trace_enabled(sm->trace, sm->ev_shared)) {
			trace_begin(sm->trace, sm->ev_shared, start, cpu, t->name);
			trace_hex(sm->trace, "lock", sm->lock.paddr);
			trace_u64(sm->trace, "spin", spin);
			trace_u64(sm->trace, "cycles", c);
			trace_end(sm->trace);
		}
	}
	st->done++;
	return SIM_STEP_CONTINUE;
}

static const struct stats_def smoke_sim_defs[SIM_NR_COUNTERS] = {
	[SIM_CNT_EVENTS] = {"events", "events processed"},
	[SIM_CNT_STEPS] = {"steps", "task steps run"},
	[SIM_CNT_DEFERRALS] = {"deferrals", "task steps deferred because their CPU was busy"},
	[SIM_CNT_WAITS] = {"waits", "waits on wait queues"},
	[SIM_CNT_WAKEUPS] = {"wakeups", "tasks woken"},
	[SIM_CNT_TIMEOUTS] = {"timeouts", "waits that timed out"},
	[SIM_CNT_SLEEPS] = {"sleeps", "sleeps"},
};

static void smoke_register_stats(struct smoke *sm)
{
	struct stats_registry *r = sm->stats;
	stats_add_counters(r, "sim", smoke_sim_defs, SIM_NR_COUNTERS, sm->sim.count);
	stats_add_counter(r, "smoke.ops_private", "private operations", &sm->ops_private);
	stats_add_counter(r, "smoke.ops_shared", "shared-counter operations", &sm->ops_shared);
	stats_add_hist(r, "smoke.private_cycles", "cycles per private operation",
		       &sm->private_cycles);
	stats_add_hist(r, "smoke.shared_cycles", "cycles per shared-counter operation",
		       &sm->shared_cycles);
	stats_add_hist(r, "smoke.spin_cycles", "cycles spun on the lock per shared operation",
		       &sm->spin_cycles);
	stats_add_counter(r, "lock.smoke.acquisitions", "lock acquisitions",
			  &sm->lock.acquisitions);
	stats_add_counter(r, "lock.smoke.contended", "acquisitions that spun",
			  &sm->lock.contended);
	stats_add_counter(r, "lock.smoke.spin_cycles", "cycles spun", &sm->lock.spin_cycles);
	stats_add_counter(r, "lock.smoke.hold_cycles", "cycles held", &sm->lock.hold_cycles);
	hw_register_stats(sm->hw, r);
}

/* ---- Trace header and summary -------------------------------------------- */

static void trace_header(struct smoke *sm, const struct run_opts *o)
{
	struct trace *t = sm->trace;
	trace_line_begin(t);
	trace_str(t, "type", "header");
	trace_str(t, "format", "mmsim-trace");
	trace_u64(t, "version", TRACE_FORMAT_VERSION);
	trace_str(t, "tool", "mmsim " MMSIM_VERSION);
	trace_str(t, "scenario", "builtin:smoke");
	trace_u64(t, "seed", o->seed);
	trace_obj_begin(t, "params");
	trace_u64(t, "iterations", o->iterations);
	trace_bool(t, "cost_model", o->cost);
	if (o->max_cycles != CYCLE_MAX)
		trace_u64(t, "max_cycles", o->max_cycles);
	trace_obj_end(t);
	hw_desc_trace(&sm->desc, t, "machine");
	trace_line_end(t);
}

static void trace_summary(struct smoke *sm, enum sim_stop why)
{
	struct trace *t = sm->trace;
	trace_line_begin(t);
	trace_str(t, "type", "summary");
	trace_str(t, "status", "ok");
	trace_str(t, "stop", sim_stop_name(why));
	trace_u64(t, "cycles", sm->sim.now);
	trace_arr_begin(t, "cpus");
	for (int c = 0; c < sm->sim.ncpus; c++) {
		trace_obj_begin(t, NULL);
		trace_u64(t, "busy", sm->sim.cpus[c].busy);
		trace_u64(t, "steps", sm->sim.cpus[c].steps);
		trace_obj_end(t);
	}
	trace_arr_end(t);
	stats_trace(sm->stats, t, "stats");
	trace_line_end(t);
}

/* ---- Human summary --------------------------------------------------------- */

static void print_hist_row(const char *name, const struct stats_hist *h)
{
	printf("  %-22s %9llu %9.1f %8llu %8llu %8llu %8llu\n", name,
	       (unsigned long long)h->count, stats_hist_mean(h),
	       (unsigned long long)stats_hist_percentile(h, 50),
	       (unsigned long long)stats_hist_percentile(h, 90),
	       (unsigned long long)stats_hist_percentile(h, 99),
	       (unsigned long long)h->max);
}

/* The caches of one level summed over their instances. */
static void print_level(const struct hw *hw, const char *name, enum hw_level level, int n)
{
	struct cache_stats t = {0};
	for (int i = 0; i < n; i++) {
		const struct cache_stats *c = hw_cache_stats(hw, level, i);
		t.read_hits += c->read_hits;
		t.write_hits += c->write_hits;
		t.read_misses += c->read_misses;
		t.write_misses += c->write_misses;
		t.evictions += c->evictions;
		t.writebacks += c->writebacks;
		t.invalidations += c->invalidations;
	}
	uint64_t hits = t.read_hits + t.write_hits, misses = t.read_misses + t.write_misses;
	printf("%-4s x%-3d %12llu %12llu %7.2f%% %11llu %11llu %11llu\n", name, n,
	       (unsigned long long)hits, (unsigned long long)misses,
	       hits + misses ? 100.0 * (double)misses / (double)(hits + misses) : 0.0,
	       (unsigned long long)t.evictions, (unsigned long long)t.writebacks,
	       (unsigned long long)t.invalidations);
}

static void print_hw(const struct hw *hw)
{
	printf("%-9s %12s %12s %8s %11s %11s %11s\n", "cache", "hits", "misses", "miss",
	       "evictions", "writebacks", "invalidated");
	print_level(hw, "L1d", HW_L1D, hw_ncpus(hw));
	print_level(hw, "L2", HW_L2, hw_ncpus(hw));
	print_level(hw, "LLC", HW_LLC, hw_nnodes(hw));
	struct hw_cpu_stats t = {0};
	for (int c = 0; c < hw_ncpus(hw); c++) {
		const struct hw_cpu_stats *p = hw_cpu_stats(hw, c);
		t.c2c_local += p->c2c_local;
		t.c2c_remote += p->c2c_remote;
		t.inval_sent += p->inval_sent;
		t.dram_local += p->dram_local;
		t.dram_remote += p->dram_remote;
	}
	printf("\ncoherence   %llu transfers within a node, %llu across nodes, "
	       "%llu copies invalidated\n", (unsigned long long)t.c2c_local,
	       (unsigned long long)t.c2c_remote, (unsigned long long)t.inval_sent);
	printf("DRAM        %llu local line reads, %llu remote\n",
	       (unsigned long long)t.dram_local, (unsigned long long)t.dram_remote);
}

static void print_summary(const struct smoke *sm, enum sim_stop why, double host_s)
{
	const struct hw_machine_desc *d = &sm->desc;
	double hz = (double)d->cpus[0].hz;
	printf("built-in smoke simulation on %s (%s, %d node%s, %d CPU%s)\n", d->name,
	       hw_arch_name(d->arch), d->nr_nodes, d->nr_nodes > 1 ? "s" : "", d->nr_cpus,
	       d->nr_cpus > 1 ? "s" : "");
	printf("simulated   %llu cycles (%.3f ms at %.2f GHz), stopped: %s\n",
	       (unsigned long long)sm->sim.now, (double)sm->sim.now / hz * 1e3, hz / 1e9,
	       sim_stop_name(why));
	printf("host        %.3f s, %llu events (%.2f M events/s)\n", host_s,
	       (unsigned long long)sm->sim.count[SIM_CNT_EVENTS],
	       host_s > 0 ? (double)sm->sim.count[SIM_CNT_EVENTS] / host_s / 1e6 : 0.0);
	printf("\n  %-22s %9s %9s %8s %8s %8s %8s\n", "cycles per operation", "count", "mean",
	       "p50", "p90", "p99", "max");
	print_hist_row("private (per-CPU data)", &sm->private_cycles);
	print_hist_row("shared (locked counter)", &sm->shared_cycles);
	print_hist_row("  of which spinning", &sm->spin_cycles);
	const struct sim_lock *l = &sm->lock;
	printf("\nlock        %llu acquisitions, %llu contended (%.1f%%), %llu cycles spun\n",
	       (unsigned long long)l->acquisitions, (unsigned long long)l->contended,
	       l->acquisitions ? 100.0 * (double)l->contended / (double)l->acquisitions : 0.0,
	       (unsigned long long)l->spin_cycles);
	printf("\n");
	print_hw(sm->hw);
}

/* ---- The command ----------------------------------------------------------- */

static int add_policy(struct run_opts *o, const char *assignment)
{
	if (o->npolicy == SCENARIO_MAX_POLICY) {
		tool_error("run: more than %d -P options", SCENARIO_MAX_POLICY);
		return -1;
	}
	if (!strchr(assignment, '=')) {
		tool_error("run: -P %s: expected name=value (e.g. -P pcp=off)", assignment);
		return -1;
	}
	o->policy[o->npolicy++] = assignment;
	return 0;
}

static int parse_opts(int argc, char **argv, struct run_opts *o)
{
	*o = (struct run_opts){.seed = 1, .iterations = 2000, .max_cycles = CYCLE_MAX,
			       .max_instructions = SCENARIO_DEFAULT_MAX_INSTRUCTIONS,
			       .cost = 1, .machine = "x86_64-numa2"};
	static const char *const with_value[] = {
		"-o", "--events", "--machine", "--seed", "--iterations", "--max-cycles",
		"-P", "--era", "--snapshot-every", "--max-instructions", NULL,
	};
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		bool takes_value = false;
		for (const char *const *w = with_value; *w; w++)
			takes_value |= !strcmp(a, *w);
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			print_usage();
			exit(EXIT_OK);
		} else if (!strcmp(a, "--quiet")) {
			o->quiet = 1;
		} else if (!strcmp(a, "--no-cost")) {
			o->cost = 0;
			o->builtin_only = 1;
		} else if (!strncmp(a, "-P", 2) && a[2]) {
			if (add_policy(o, a + 2))
				return -1;
		} else if (takes_value) {
			if (!val) {
				tool_error("run: %s needs a value (see mmsim run --help)", a);
				return -1;
			}
			i++;
			if (!strcmp(a, "-o")) {
				o->out = val;
			} else if (!strcmp(a, "--events")) {
				o->events = val;
			} else if (!strcmp(a, "--machine")) {
				o->machine = val;
				o->builtin_only = 1;
			} else if (!strcmp(a, "-P")) {
				if (add_policy(o, val))
					return -1;
			} else if (!strcmp(a, "--era")) {
				snprintf(o->era_knob, sizeof o->era_knob, "era=%s", val);
				if (add_policy(o, o->era_knob))
					return -1;
			} else {
				uint64_t *dst = !strcmp(a, "--seed") ? &o->seed
					      : !strcmp(a, "--iterations") ? &o->iterations
					      : !strcmp(a, "--snapshot-every") ? &o->snapshot_every
					      : !strcmp(a, "--max-instructions") ? &o->max_instructions
					      : &o->max_cycles;
				if (!strcmp(a, "--iterations"))
					o->builtin_only = 1;
				if (tool_parse_u64(val, 0, dst)) {
					tool_error("run: %s: '%s' is not a non-negative integer", a, val);
					return -1;
				}
			}
		} else if (a[0] == '-' && a[1]) {
			tool_error("run: unknown option '%s' (see mmsim run --help)", a);
			return -1;
		} else if (!o->scenario) {
			o->scenario = a;
		} else {
			tool_error("run: more than one scenario ('%s' and '%s')", o->scenario, a);
			return -1;
		}
	}
	return 0;
}

/* Knob names and values are checked against the policy before anything
 * runs, so a typo is a usage error (exit 2), not a failed scenario. */
static int check_policy(const struct run_opts *o)
{
	struct mm_policy p;
	mm_policy_default(&p);
	char err[512];
	for (int i = 0; i < o->npolicy; i++) {
		if (mm_policy_parse(&p, o->policy[i], err, sizeof err)) {
			tool_error("run: -P %s: %s", o->policy[i], err);
			return -1;
		}
	}
	return 0;
}

static int run_scenario(const struct run_opts *o)
{
	if (o->builtin_only) {
		tool_error("run: --machine, --iterations and --no-cost are for the built-in "
			   "simulation; a scenario chooses its machine (and -P hw=off turns the "
			   "cost model off)");
		return EXIT_USAGE;
	}
	if (check_policy(o))
		return EXIT_USAGE;
	struct scenario_opts so = {
		.path = o->scenario, .out = o->out, .events = o->events, .seed = o->seed,
		.npolicy = o->npolicy, .max_cycles = o->max_cycles,
		.snapshot_every = o->snapshot_every, .max_instructions = o->max_instructions,
		.quiet = o->quiet,
	};
	for (int i = 0; i < o->npolicy; i++)
		so.policy[i] = o->policy[i];
	return scenario_run(&so);
}

static void smoke_free(struct smoke *sm)
{
	free(sm->tasks);
	if (sm->stats)
		stats_destroy(sm->stats);
	if (sm->hw)
		hw_destroy(sm->hw);
	sim_destroy(&sm->sim);
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	if (parse_opts(argc, argv, &o))
		return EXIT_USAGE;
	if (o.scenario)
		return run_scenario(&o);
	if (o.npolicy || o.snapshot_every) {
		tool_error("run: -P, --era and --snapshot-every need a scenario (the built-in "
			   "simulation has no memory manager)");
		return EXIT_USAGE;
	}

	static struct smoke sm;   /* big; one per process */
	char err[256];
	size_t mlen = strlen(o.machine);
	bool is_file = strchr(o.machine, '/') || (mlen > 5 && !strcmp(o.machine + mlen - 5, ".json"));
	if (is_file ? hw_desc_load(o.machine, &sm.desc, err, sizeof err)
		    : hw_preset(o.machine, 0, 0, &sm.desc, err, sizeof err)) {
		tool_error("run: --machine: %s", err);
		return EXIT_USAGE;
	}
	sm.hw = hw_create(&sm.desc, err, sizeof err);
	if (!sm.hw) {
		tool_error("run: machine %s: %s", sm.desc.name, err);
		return EXIT_USAGE;
	}
	hw_set_cost_model(sm.hw, o.cost);
	sm.line_size = sm.desc.l1d.line;
	sm.iterations = o.iterations;

	sim_init(&sm.sim, sm.desc.nr_cpus, o.seed);
	sm.sim.mem = hw_memport(sm.hw);
	sm.sim.max_cycles = o.max_cycles;
	for (int c = 0; c < sm.desc.nr_cpus; c++)
		sm.sim.cpus[c].hz = sm.desc.cpus[c].hz;

	/* The lock word and the counter on separate lines of node 0, as a
	 * kernel structure with its lock first would have them. */
	uint64_t shared = smoke_place(&sm.desc, 0, 8u << 20, 4096);
	if (shared == UINT64_MAX) {
		tool_error("run: machine %s: no usable memory for the shared counter",
			   sm.desc.name);
		smoke_free(&sm);
		return EXIT_USAGE;
	}
	sim_lock_init(&sm.lock, "smoke", shared);
	sm.counter_paddr = shared + sm.line_size;

	sm.nr_tasks = sm.desc.nr_cpus;
	sm.tasks = mmsim_xcalloc((size_t)sm.nr_tasks, sizeof *sm.tasks);
	for (int c = 0; c < sm.nr_tasks; c++) {
		struct smoke_task *st = &sm.tasks[c];
		int node = sm.desc.cpus[c].node;
		st->sm = &sm;
		st->private_base = smoke_place(&sm.desc, node,
					       (16u << 20) + (uint64_t)c * (1u << 20),
					       SMOKE_PRIVATE_BYTES);
		if (st->private_base == UINT64_MAX) {
			tool_error("run: machine %s: no usable memory on node %d for cpu %d",
				   sm.desc.name, node, c);
			smoke_free(&sm);
			return EXIT_USAGE;
		}
		char name[32];
		snprintf(name, sizeof name, "worker%d", c);
		sim_task_init(&sm.sim, &st->task, name, c, smoke_step, st);
	}

	sm.stats = stats_create();
	smoke_register_stats(&sm);

	if (o.out) {
		sm.trace = trace_open(o.out, err, sizeof err);
		if (!sm.trace) {
			tool_error("run: %s", err);
			smoke_free(&sm);
			return EXIT_USAGE;
		}
		/* A failed write ends the run there, status 2, the old file kept. */
		trace_exit_on_error(sm.trace, "mmsim: run: ", EXIT_USAGE);
		if (trace_set_filter(sm.trace, o.events, err, sizeof err)) {
			tool_error("run: --events: %s", err);
			trace_close(sm.trace);
			smoke_free(&sm);
			return EXIT_USAGE;
		}
	}
	sm.ev_private = trace_event_id(sm.trace, "smoke_private");
	sm.ev_shared = trace_event_id(sm.trace, "smoke_shared");
	if (sm.trace)
		trace_header(&sm, &o);

	for (int c = 0; c < sm.nr_tasks; c++)
		sim_task_start(&sm.sim, &sm.tasks[c].task, 0);

	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	enum sim_stop why = sim_run(&sm.sim);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double host_s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;

	int status = EXIT_OK;
	if (sm.trace) {
		trace_summary(&sm, why);
		if (trace_close_err(sm.trace, err, sizeof err)) {
			tool_error("run: %s", err);
			status = EXIT_USAGE;
		}
		sm.trace = NULL;
	}
	if (!o.quiet && !(o.out && !strcmp(o.out, "-")))
		print_summary(&sm, why, host_s);
	smoke_free(&sm);
	return status;
}
