/*
 * The mmsim command: a dispatcher to the subcommands. Each lives in its own
 * file of tools/ and parses its own options, so `mmsim SUB --help` is the
 * place where a subcommand explains itself.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
	"  help      this text\n"
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

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 2, argv + 2);
	if (!strcmp(cmd, "cache"))
		return cmd_cache(argc - 2, argv + 2);
	if (!strcmp(cmd, "diff"))
		return cmd_diff(argc - 2, argv + 2);
	if (!strcmp(cmd, "report"))
		return cmd_report(argc - 2, argv + 2);
	if (!strcmp(cmd, "export"))
		return cmd_export(argc - 2, argv + 2);
	if (!strcmp(cmd, "plot"))
		return cmd_plot(argc - 2, argv + 2);
	if (!strcmp(cmd, "machine"))
		return cmd_machine(argc - 2, argv + 2);
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
		printf("mmsim %s\n", MMSIM_VERSION);
		return EXIT_OK;
	}
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		fputs(usage, stdout);
		return EXIT_OK;
	}
	tool_error("unknown command '%s' (try: mmsim --help)", cmd);
	return EXIT_USAGE;
}
