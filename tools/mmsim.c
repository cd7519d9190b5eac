/*
 * The mmsim command: a dispatcher to the subcommands. Each lives in its own
 * file of tools/ and parses its own options, so `mmsim SUB --help` (or
 * `mmsim help SUB`) is the place where a subcommand explains itself.
 *
 * What every subcommand gets from here, set up before it runs:
 *   - standard output is checked at exit (close_stdout, the pattern of
 *     gnulib's closeout module): a write that failed anywhere, reported
 *     or not, ends the process with one message and status 2, so
 *     `mmsim report T > /dev/full` cannot succeed silently;
 *   - temporary output files (sim/ofile.h) are removed at exit and on
 *     SIGINT, SIGTERM, SIGHUP and SIGPIPE;
 *   - cJSON allocates through mmsim_xmalloc, so a host out of memory is the
 *     same one message from a JSON parser as from anywhere else (and not a
 *     parse error).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "sim/ofile.h"
#include "tools/tools.h"

static const char usage[] =
	"usage: mmsim COMMAND [ARGS]\n"
	"\n"
	"A cycle-level simulator of a machine's memory system and of the Linux\n"
	"physical memory manager that runs on it.\n"
	"\n"
	"commands:\n"
	"  run       run a simulation and write its JSON Lines trace\n"
	"            (mmsim run --help; without a scenario it runs the built-in\n"
	"            smoke simulation)\n"
	"  cache     run an address trace (Dinero IV din, valgrind lackey) through\n"
	"            mmsim's caches; Dinero IV-style statistics (mmsim cache --help)\n"
	"  diff      compare two traces: setup, outcome, first divergence\n"
	"            (mmsim diff --help)\n"
	"  report    a readable summary of one trace (mmsim report --help)\n"
	"  export    a trace as Chrome trace JSON for Perfetto UI (mmsim export --help)\n"
	"  plot      pictures of a run, drawn by gnuplot (mmsim plot --help)\n"
	"  machine   import a real machine's /proc and /sys, boot it in either era,\n"
	"            print its zoneinfo, zonelists, ... (mmsim machine --help)\n"
	"  version   print the version\n"
	"  help      this text; help COMMAND: that command's --help\n"
	"\n"
	"examples:\n"
	"  mmsim run                          the built-in simulation, summary on stdout\n"
	"  mmsim run -o smoke.jsonl --seed 7  the same, trace to smoke.jsonl\n"
	"  mmsim cache --l2 none trace.din    an L1d and an LLC on a Dinero IV trace\n"
	"  mmsim diff a.jsonl b.jsonl         what changed between two runs\n"
	"  mmsim report a.jsonl               what happened in one run\n";

void tool_error(const char *fmt, ...)
{
	va_list ap;
	fputs("mmsim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void tool_csv_field(const char *s, bool last)
{
	if (strpbrk(s, ",\"\r\n")) {
		putchar('"');
		for (; *s; s++) {
			if (*s == '"')
				putchar('"');
			putchar(*s);
		}
		putchar('"');
	} else {
		fputs(s, stdout);
	}
	putchar(last ? '\n' : ',');
}

void tool_fmt_double(char *buf, size_t n, double v)
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, n, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

int tool_parse_u64(const char *s, int size, uint64_t *out)
{
	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	unsigned shift = 0;
	if (size && *end) {
		switch (*end) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		default: return -1;
		}
		end++;
	}
	if (*end)
		return -1;
	if (shift && v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{"run", cmd_run}, {"cache", cmd_cache}, {"diff", cmd_diff}, {"report", cmd_report},
	{"export", cmd_export}, {"plot", cmd_plot}, {"machine", cmd_machine},
};

/* At exit: standard output flushed and closed, or one message and status
 * 2. A closed stdout (EBADF, nothing was written) is not an error. */
static void close_stdout(void)
{
	bool had_error = ferror(stdout) != 0;
	errno = 0;
	if (fclose(stdout) != 0 || had_error) {
		if (!had_error && errno == EBADF)
			return;
		if (errno)
			tool_error("cannot write standard output: %s", strerror(errno));
		else
			tool_error("cannot write standard output");
		_exit(EXIT_USAGE);
	}
}

static void *json_malloc(size_t n)
{
	return mmsim_xmalloc(n);
}

int main(int argc, char **argv)
{
	atexit(close_stdout);
	ofile_cleanup_at_exit();
	cJSON_Hooks hooks = {json_malloc, free};
	cJSON_InitHooks(&hooks);
	if (argc < 2) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(cmd, commands[i].name))
			return commands[i].fn(argc - 2, argv + 2);
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
		printf("mmsim %s\n", MMSIM_VERSION);
		return EXIT_OK;
	}
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		if (argc > 2) {
			for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
				if (!strcmp(argv[2], commands[i].name)) {
					char help[] = "--help";
					char *args[] = {help, NULL};
					return commands[i].fn(1, args);
				}
			tool_error("help: no command '%s' (commands: run, cache, diff, report, export, "
				   "plot, machine, version, help)", argv[2]);
			return EXIT_USAGE;
		}
		fputs(usage, stdout);
		return EXIT_OK;
	}
	tool_error("unknown command '%s' (try: mmsim --help)", cmd);
	return EXIT_USAGE;
}
