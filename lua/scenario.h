/*
 * Running a Lua scenario: the `mmsim` Lua module (docs/scenarios.md) and the
 * runner behind `mmsim run SCENARIO.lua`.
 *
 * A scenario is a Lua 5.4 script. It builds one machine (a preset, a table
 * or a JSON file), boots the memory manager on it with an era and policy
 * knobs, spawns tasks (Lua functions run as coroutines, one simulator task
 * each) and runs the simulation. Every kernel operation a task makes (an
 * allocation, a free, touching memory, thinking) runs to completion at
 * once in host terms, charges its cycles, and ends the task's step; the run
 * loop resumes the coroutine when those cycles have passed on its CPU, so
 * tasks on different CPUs interleave in simulated time.
 */
#ifndef MMSIM_LUA_SCENARIO_H
#define MMSIM_LUA_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>

#define SCENARIO_MAX_POLICY 64

struct scenario_opts {
	const char *path;            /* the scenario file */
	const char *out;             /* trace file, "-" for stdout, NULL for none */
	const char *events;          /* the trace's event filter, NULL: all */
	uint64_t seed;
	const char *policy[SCENARIO_MAX_POLICY]; /* "name=value", applied over
					* what the scenario's boot asks for */
	int npolicy;
	uint64_t max_cycles;         /* CYCLE_MAX: none */
	uint64_t snapshot_every;     /* cycles between snapshot lines, 0: none */
	uint64_t max_instructions;   /* Lua instructions before the run is stopped */
	bool quiet;                  /* no summary, no progress */
};

#define SCENARIO_DEFAULT_MAX_INSTRUCTIONS UINT64_C(4000000000)

/*
 * Runs the scenario and returns the process's exit status: 0 success, 1
 * the scenario failed (a Lua error, a failed assertion, an allocator misuse:
 * the message with file:line and a traceback goes to stderr, and the trace
 * ends with a failed summary), 2 bad usage (unknown policy knob, a trace
 * that cannot be opened).
 */
int scenario_run(const struct scenario_opts *o);

#endif
