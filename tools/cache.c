/*
 * mmsim cache: run an address trace (Dinero IV din, valgrind lackey)
 * through mmsim's own caches and print Dinero IV-style statistics.
 *
 * This file only parses options and prints: the hierarchy is hw/cachesim.c
 * (built on hw/cache.c, the machine model's cache level) and the trace
 * readers are hw/addrtrace.c. The semantics, and how options map to Dinero
 * IV's, are in docs/cache-model.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hw/addrtrace.h"
#include "hw/cachesim.h"
#include "tools/tools.h"

#define BATCH 4096

static const char cache_usage[] =
	"usage: mmsim cache [options] [TRACE]\n"
	"\n"
	"Runs an address trace through mmsim's cache model (the same code the\n"
	"simulator uses) and prints per-level statistics laid out like Dinero IV's.\n"
	"TRACE is a file, or standard input when it is '-' or absent.\n"
	"\n"
	"trace formats:\n"
	"  din      Dinero IV: 'LABEL ADDRESS [SIZE]' per line, hexadecimal; label\n"
	"           0 read, 1 write, 2 instruction fetch, 3 misc, 4 flush (copy back\n"
	"           the line). Without SIZE: 4 bytes at ADDRESS & ~3, as Dinero IV.\n"
	"  lackey   valgrind --tool=lackey --trace-mem=yes output: 'I  ADDR,SIZE',\n"
	"           ' L ADDR,SIZE', ' S ...', ' M ...' (modify = load then store)\n"
	"\n"
	"options:\n"
	"  --format F          din, lackey or auto (default: from the first lines)\n"
	"  --l1d SPEC          L1 data cache (default 32K:8:64); alone, it also takes\n"
	"                      instruction fetches (a unified L1)\n"
	"  --l1i SPEC          L1 instruction cache (default: none)\n"
	"  --l2 SPEC           unified L2 (default 1M:16:64)\n"
	"  --llc SPEC          unified last-level cache (default 16M:16:64)\n"
	"                      SPEC is SIZE:WAYS:LINE[:POLICY...] with K/M/G sizes, or\n"
	"                      'none' to leave the level out; POLICY overrides the\n"
	"                      options below for that level: lru, fifo, random, wb, wt,\n"
	"                      wa, nwa, ccc (e.g. --l1d 32K:8:64:wt:nwa)\n"
	"  --repl P            lru (default), fifo or random, for every level\n"
	"  --write-through     every level writes through (default: write-back)\n"
	"  --no-write-allocate write misses do not allocate (default: allocate)\n"
	"  --ccc               classify misses as compulsory, capacity or conflict\n"
	"                      (Dinero IV's -lN-Tccc; slower, more memory)\n"
	"  --flush             copy dirty lines back at the end (Dinero IV always does;\n"
	"                      default: no implicit flush)\n"
	"  --seed N            seed of the random replacement policy (default 1)\n"
	"  --json              one JSON object instead of the table\n"
	"  -h, --help          this text\n"
	"\n"
	"examples:\n"
	"  mmsim cache trace.din\n"
	"  mmsim cache --l1d 8K:1:16 --l2 none --llc none --flush trace.din\n"
	"  valgrind --tool=lackey --trace-mem=yes --log-file=ls.lackey ls\n"
	"  mmsim cache --l1i 32K:8:64 --json ls.lackey\n";

struct cache_opts {
	const char *trace;
	enum atrace_format format;
	int json;
	int flush;
	struct csim_config cfg;
};

static int parse_repl(const char *s, enum hw_repl *out)
{
	if (!strcmp(s, "lru"))
		*out = HW_REPL_LRU;
	else if (!strcmp(s, "fifo"))
		*out = HW_REPL_FIFO;
	else if (!strcmp(s, "random"))
		*out = HW_REPL_RANDOM;
	else
		return -1;
	return 0;
}

static const char *repl_name(enum hw_repl r)
{
	return r == HW_REPL_FIFO ? "fifo" : r == HW_REPL_RANDOM ? "random" : "lru";
}

/* Per-level policy words given in a SPEC; -1 means "not given". */
struct level_over {
	int repl, wt, nwa, ccc;
};

/* SIZE:WAYS:LINE[:POLICY...] or none. */
static int parse_spec(const char *opt, const char *spec, struct csim_level_config *l,
		      struct level_over *ov)
{
	*ov = (struct level_over){-1, -1, -1, -1};
	if (!strcmp(spec, "none")) {
		l->present = false;
		return 0;
	}
	char buf[128];
	if (strlen(spec) >= sizeof buf) {
		tool_error("cache: %s: '%s' is too long", opt, spec);
		return -1;
	}
	strcpy(buf, spec);
	char *field[8];
	int n = 0;
	for (char *p = buf; n < 8;) {
		field[n++] = p;
		char *c = strchr(p, ':');
		if (!c)
			break;
		*c = 0;
		p = c + 1;
	}
	uint64_t size, ways, line;
	if (n < 3 || tool_parse_u64(field[0], 1, &size) || tool_parse_u64(field[1], 0, &ways) ||
	    tool_parse_u64(field[2], 1, &line) || ways == 0 || ways > 65536 || line > 65536) {
		tool_error("cache: %s: '%s' is not SIZE:WAYS:LINE (e.g. 32K:8:64) or none", opt, spec);
		return -1;
	}
	for (int i = 3; i < n; i++) {
		enum hw_repl r;
		if (!parse_repl(field[i], &r))
			ov->repl = (int)r;
		else if (!strcmp(field[i], "wb"))
			ov->wt = 0;
		else if (!strcmp(field[i], "wt"))
			ov->wt = 1;
		else if (!strcmp(field[i], "wa"))
			ov->nwa = 0;
		else if (!strcmp(field[i], "nwa"))
			ov->nwa = 1;
		else if (!strcmp(field[i], "ccc"))
			ov->ccc = 1;
		else {
			tool_error("cache: %s: unknown policy '%s' (lru, fifo, random, wb, wt, wa, nwa, "
				   "ccc)", opt, field[i]);
			return -1;
		}
	}
	l->present = true;
	l->geom.size = size;
	l->geom.ways = (unsigned)ways;
	l->geom.line = (unsigned)line;
	return 0;
}

static int parse_opts(int argc, char **argv, struct cache_opts *o)
{
	memset(o, 0, sizeof *o);
	o->format = ATRACE_AUTO;
	csim_config_default(&o->cfg);
	struct level_over over[CSIM_NR_LEVELS];
	for (int i = 0; i < CSIM_NR_LEVELS; i++)
		over[i] = (struct level_over){-1, -1, -1, -1};
	int repl = HW_REPL_LRU, wt = 0, nwa = 0, ccc = 0;
	static const char *const level_opt[CSIM_NR_LEVELS] = {"--l1i", "--l1d", "--l2", "--llc"};

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		int lvl = -1;
		for (int k = 0; k < CSIM_NR_LEVELS; k++)
			if (!strcmp(a, level_opt[k]))
				lvl = k;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(cache_usage, stdout);
			exit(EXIT_OK);
		} else if (!strcmp(a, "--json")) {
			o->json = 1;
		} else if (!strcmp(a, "--flush")) {
			o->flush = 1;
		} else if (!strcmp(a, "--write-through")) {
			wt = 1;
		} else if (!strcmp(a, "--write-back")) {
			wt = 0;
		} else if (!strcmp(a, "--ccc")) {
			ccc = 1;
		} else if (!strcmp(a, "--no-write-allocate")) {
			nwa = 1;
		} else if (!strcmp(a, "--write-allocate")) {
			nwa = 0;
		} else if (lvl >= 0 || !strcmp(a, "--format") || !strcmp(a, "--repl") ||
			   !strcmp(a, "--seed")) {
			if (!val) {
				tool_error("cache: %s needs a value (see mmsim cache --help)", a);
				return -1;
			}
			i++;
			if (lvl >= 0) {
				if (parse_spec(a, val, &o->cfg.level[lvl], &over[lvl]))
					return -1;
			} else if (!strcmp(a, "--format")) {
				if (atrace_format_parse(val, &o->format)) {
					tool_error("cache: --format: '%s' is not din, lackey or auto", val);
					return -1;
				}
			} else if (!strcmp(a, "--repl")) {
				enum hw_repl r;
				if (parse_repl(val, &r)) {
					tool_error("cache: --repl: '%s' is not lru, fifo or random", val);
					return -1;
				}
				repl = (int)r;
			} else if (tool_parse_u64(val, 0, &o->cfg.seed)) {
				tool_error("cache: --seed: '%s' is not a non-negative integer", val);
				return -1;
			}
		} else if (a[0] == '-' && a[1]) {
			tool_error("cache: unknown option '%s' (see mmsim cache --help)", a);
			return -1;
		} else if (!o->trace) {
			o->trace = a;
		} else {
			tool_error("cache: more than one trace ('%s' and '%s')", o->trace, a);
			return -1;
		}
	}
	/* Global policies first, then each level's own words. */
	for (int k = 0; k < CSIM_NR_LEVELS; k++) {
		struct csim_level_config *l = &o->cfg.level[k];
		l->geom.repl = (enum hw_repl)(over[k].repl >= 0 ? over[k].repl : repl);
		l->write_through = over[k].wt >= 0 ? over[k].wt : wt;
		l->no_write_allocate = over[k].nwa >= 0 ? over[k].nwa : nwa;
		l->classify = over[k].ccc >= 0 ? over[k].ccc : ccc;
	}
	char err[256];
	if (csim_config_validate(&o->cfg, err, sizeof err)) {
		tool_error("cache: %s", err);
		return -1;
	}
	return 0;
}

/* ---- Printing -------------------------------------------------------------- */

static double ratio(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : 0.0;
}

/* Dinero IV's columns: Total, Instrn, Data, Read, Write, Misc. */
static void columns(const uint64_t v[ATRACE_NR_ACCESS], uint64_t col[6])
{
	col[3] = v[ATRACE_READ];
	col[4] = v[ATRACE_WRITE];
	col[5] = v[ATRACE_MISC];
	col[1] = v[ATRACE_INSTR];
	col[2] = col[3] + col[4] + col[5];
	col[0] = col[1] + col[2];
}

static void print_size(uint64_t b)
{
	if (b >= (1u << 20) && b % (1u << 20) == 0)
		printf("%llu MiB", (unsigned long long)(b >> 20));
	else if (b >= 1024 && b % 1024 == 0)
		printf("%llu KiB", (unsigned long long)(b >> 10));
	else
		printf("%llu B", (unsigned long long)b);
}

static const char *level_title(const struct csim *s, enum csim_level_id id)
{
	static const char *const t[CSIM_NR_LEVELS] = {"l1-icache", "l1-dcache", "l2-ucache",
						       "llc-ucache"};
	if (id == CSIM_L1D && !csim_cache(s, CSIM_L1I))
		return "l1-ucache";
	return t[id];
}

static void print_level(const struct csim *s, enum csim_level_id id)
{
	const struct csim_stats *st = csim_stats(s, id);
	const struct csim_level_config *c = csim_level_config(s, id);
	uint64_t f[6], m[6];
	columns(st->fetch, f);
	columns(st->miss, m);
	printf("%s  ", level_title(s, id));
	print_size(c->geom.size);
	printf(", %u-way, %u-byte lines, %s", c->geom.ways, c->geom.line, repl_name(c->geom.repl));
	if (id == CSIM_L1I)    /* never written: write policies would only confuse */
		printf("\n");
	else
		printf(", %s, %s\n", c->write_through ? "write-through" : "write-back",
		       c->no_write_allocate ? "no-write-allocate" : "write-allocate");
	printf(" %-22s %12s %12s %12s %12s %12s %12s\n", "Metrics", "Total", "Instrn", "Data",
	       "Read", "Write", "Misc");
	printf(" %-22s %12s %12s %12s %12s %12s %12s\n", "-----------------", "------", "------",
	       "------", "------", "------", "------");
	printf(" %-22s", "Demand Fetches");
	for (int i = 0; i < 6; i++)
		printf(" %12llu", (unsigned long long)f[i]);
	printf("\n  %-21s", "Fraction of total");
	for (int i = 0; i < 6; i++)
		printf(" %12.4f", ratio(f[i], f[0]));
	printf("\n\n %-22s", "Demand Misses");
	for (int i = 0; i < 6; i++)
		printf(" %12llu", (unsigned long long)m[i]);
	printf("\n  %-21s", "Demand miss rate");
	for (int i = 0; i < 6; i++)
		printf(" %12.4f", ratio(m[i], f[i]));
	if (c->classify) {
		const uint64_t *v[3] = {st->compulsory, st->capacity, st->conflict};
		uint64_t k[3][6];
		for (int j = 0; j < 3; j++)
			columns(v[j], k[j]);
		for (int j = 0; j < 3; j++) {
			printf("\n   %-20s", j == 0 ? "Compulsory misses" : j == 1 ? "Capacity misses"
										: "Conflict misses");
			for (int i = 0; i < 6; i++)
				printf(" %12llu", (unsigned long long)k[j][i]);
		}
		for (int j = 0; j < 3; j++) {
			printf("\n   %-20s", j == 0 ? "Compulsory fraction" : j == 1 ? "Capacity fraction"
										  : "Conflict fraction");
			for (int i = 0; i < 6; i++)
				printf(" %12.4f", ratio(k[j][i], m[i]));
		}
	}
	printf("\n\n");
	printf(" %-22s %12llu\n", "Multi-block refs", (unsigned long long)st->multiblock);
	printf(" %-22s %12llu\n", "Evictions", (unsigned long long)st->evictions);
	printf(" %-22s %12llu\n", "Write-backs", (unsigned long long)st->writebacks);
	printf(" %-22s %12llu\n", "Bytes From Memory", (unsigned long long)st->bytes_read);
	printf(" %-22s %12.4f\n", "( / Demand Fetches)", ratio(st->bytes_read, f[0]));
	printf(" %-22s %12llu\n", "Bytes To Memory", (unsigned long long)st->bytes_written);
	printf(" %-22s %12.4f\n", "( / Demand Writes)", ratio(st->bytes_written, f[4]));
	printf(" %-22s %12llu\n", "Total Bytes r/w Mem",
	       (unsigned long long)(st->bytes_read + st->bytes_written));
	printf(" %-22s %12.4f\n\n", "( / Demand Fetches)",
	       ratio(st->bytes_read + st->bytes_written, f[0]));
}

static void print_table(const struct csim *s, const char *name, enum atrace_format fmt,
			int flush)
{
	const uint64_t *r = csim_refs(s);
	printf("mmsim cache: %s (%s): %llu references: %llu read, %llu write, %llu instruction, "
	       "%llu misc, %llu flush\n", name, atrace_format_name(fmt),
	       (unsigned long long)(r[0] + r[1] + r[2] + r[3] + r[4]), (unsigned long long)r[0],
	       (unsigned long long)r[1], (unsigned long long)r[2], (unsigned long long)r[3],
	       (unsigned long long)r[4]);
	printf("(\"Memory\" below means the next level; %s)\n\n",
	       flush ? "dirty lines were copied back at the end (--flush)"
		     : "no flush at the end: dirty lines stay in the caches");
	for (int id = 0; id < CSIM_NR_LEVELS; id++)
		if (csim_cache(s, (enum csim_level_id)id))
			print_level(s, (enum csim_level_id)id);
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void json_types(const char *key, const uint64_t v[ATRACE_NR_ACCESS])
{
	uint64_t c[6];
	columns(v, c);
	printf("\"%s\":{\"total\":%llu,\"instr\":%llu,\"data\":%llu,\"read\":%llu,\"write\":%llu,"
	       "\"misc\":%llu}", key, (unsigned long long)c[0], (unsigned long long)c[1],
	       (unsigned long long)c[2], (unsigned long long)c[3], (unsigned long long)c[4],
	       (unsigned long long)c[5]);
}

static void print_json(const struct csim *s, const char *name, enum atrace_format fmt,
		       int flush)
{
	const uint64_t *r = csim_refs(s);
	printf("{\"trace\":");
	json_str(name);
	printf(",\"format\":\"%s\",\"flush\":%s,", atrace_format_name(fmt), flush ? "true" : "false");
	printf("\"refs\":{\"read\":%llu,\"write\":%llu,\"instr\":%llu,\"misc\":%llu,\"flush\":%llu},",
	       (unsigned long long)r[0], (unsigned long long)r[1], (unsigned long long)r[2],
	       (unsigned long long)r[3], (unsigned long long)r[4]);
	printf("\"levels\":[");
	int first = 1;
	for (int id = 0; id < CSIM_NR_LEVELS; id++) {
		const struct csim_stats *st = csim_stats(s, (enum csim_level_id)id);
		if (!st)
			continue;
		const struct csim_level_config *c = csim_level_config(s, (enum csim_level_id)id);
		printf("%s{\"name\":\"%s\",\"size\":%llu,\"ways\":%u,\"line\":%u,\"repl\":\"%s\","
		       "\"write\":\"%s\",\"write_allocate\":%s,", first ? "" : ",",
		       csim_level_name((enum csim_level_id)id), (unsigned long long)c->geom.size,
		       c->geom.ways, c->geom.line, repl_name(c->geom.repl),
		       c->write_through ? "through" : "back", c->no_write_allocate ? "false" : "true");
		json_types("fetches", st->fetch);
		putchar(',');
		json_types("misses", st->miss);
		if (c->classify) {
			putchar(',');
			json_types("compulsory", st->compulsory);
			putchar(',');
			json_types("capacity", st->capacity);
			putchar(',');
			json_types("conflict", st->conflict);
		}
		printf(",\"multiblock\":%llu,\"evictions\":%llu,\"writebacks\":%llu,"
		       "\"bytes_from_next\":%llu,\"bytes_to_next\":%llu}",
		       (unsigned long long)st->multiblock, (unsigned long long)st->evictions,
		       (unsigned long long)st->writebacks, (unsigned long long)st->bytes_read,
		       (unsigned long long)st->bytes_written);
		first = 0;
	}
	printf("]}\n");
}

/* ---- The command ----------------------------------------------------------- */

int cmd_cache(int argc, char **argv)
{
	struct cache_opts o;
	if (parse_opts(argc, argv, &o))
		return EXIT_USAGE;

	const char *name = "standard input";
	int fd = STDIN_FILENO;
	if (o.trace && strcmp(o.trace, "-")) {
		name = o.trace;
		fd = open(o.trace, O_RDONLY);
		if (fd < 0) {
			tool_error("cache: %s: %s", o.trace, strerror(errno));
			return EXIT_USAGE;
		}
	}

	struct csim *s = csim_create(&o.cfg);
	struct atrace *t = atrace_open_fd(fd, name, o.format);
	struct atrace_ref *batch = malloc(BATCH * sizeof *batch);
	if (!batch) {
		tool_error("cache: out of memory");
		abort();
	}
	long n;
	while ((n = atrace_read(t, batch, BATCH)) > 0)
		csim_run(s, batch, (size_t)n);
	int status = EXIT_OK;
	if (n < 0) {
		/* A trace that cannot be read is bad input, like a bad option. */
		tool_error("cache: %s", atrace_error(t));
		status = EXIT_USAGE;
	} else {
		if (o.flush)
			csim_flush(s);
		enum atrace_format fmt = atrace_format(t);
		if (o.json)
			print_json(s, name, fmt, o.flush);
		else
			print_table(s, name, fmt, o.flush);
	}
	free(batch);
	atrace_close(t);
	csim_destroy(s);
	if (fd != STDIN_FILENO)
		close(fd);
	return status;
}
