# mmsim: one hand-written Makefile.
#
#   make            build ./mmsim and the static library the tests link against
#   make run        install what is missing, build, run the default simulation
#   make test       install what is missing, run the unit tests twice (plain
#                   build, then AddressSanitizer + UBSan); ends "N passed, N failed"
#   make bench      optimised benchmarks, medians against in-run baselines;
#                   every one runs, then a table of targets; exits 1 if any
#                   target was missed (bench/run.sh)
#   make deps       install missing Debian packages (does nothing if all present)
#   make CC=clang test   the same with clang (objects go to build/clang*)
#   make fuzz       the libFuzzer targets of tests/fuzz/, FUZZ_SECONDS (60) each
#   make install    ./mmsim to $(DESTDIR)$(PREFIX)/bin and docs/mmsim.1 to
#                   $(DESTDIR)$(PREFIX)/share/man/man1 (PREFIX=/usr/local);
#                   make uninstall removes them
#
# Objects live in build/$(CC_NAME)[-asan]/ so gcc, clang and sanitizer builds
# never mix. Lua 5.4 and cJSON come from pkg-config; Check is the test framework.

CC      ?= cc
CC_NAME := $(notdir $(firstword $(CC)))
SAN     ?=
FUZZ    ?=
BUILD   ?= build/$(CC_NAME)$(if $(FUZZ),-fuzz,$(if $(SAN),-asan))
OPT     ?= -O2 -g

PKGS      := lua5.4 libcjson
DEB_PKGS  := build-essential pkg-config liblua5.4-dev libcjson-dev check gnuplot-nox python3

WARN    := -Wall -Wextra -Werror -Wshadow -Wundef -Wstrict-prototypes \
           -Wmissing-prototypes -Wno-unused-parameter
comma := ,
SANFLAGS := $(if $(FUZZ),-fsanitize=fuzzer-no-link$(comma)address$(comma)undefined \
              -fno-sanitize-recover=all -fno-omit-frame-pointer,$(if $(SAN),-fsanitize=address$(comma)undefined \
              -fno-sanitize-recover=all -fno-omit-frame-pointer))
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_CFLAGS = $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   = $(shell pkg-config --libs check 2>/dev/null)

CPPFLAGS += -I. -D_POSIX_C_SOURCE=200809L
CFLAGS   += -std=c11 $(OPT) $(WARN) $(SANFLAGS) -MMD -MP
LDFLAGS  += $(SANFLAGS)
LDLIBS   += -lm

# mm/*/*.c: the kernel eras' folders (mm/2.6.11, mm/6.1). Their files keep
# the kernel's names, so the library holds several page_alloc.o: ar keeps
# members of the same name apart (the archive is rebuilt whole each time),
# and the linker finds each by its symbols.
LIB_SRCS   := $(sort $(wildcard sim/*.c hw/*.c mm/*.c mm/*/*.c lua/*.c))
TOOL_SRCS  := $(sort $(wildcard tools/*.c))
TEST_SRCS  := $(sort $(wildcard tests/*.c))
BENCH_SRCS := $(sort $(wildcard bench/*.c))

LIB_OBJS   := $(LIB_SRCS:%.c=$(BUILD)/%.o)
TOOL_OBJS  := $(TOOL_SRCS:%.c=$(BUILD)/%.o)
TEST_OBJS  := $(TEST_SRCS:%.c=$(BUILD)/%.o)
BENCH_BINS := $(BENCH_SRCS:bench/%.c=$(BUILD)/bench/%)
LIB        := $(BUILD)/libmmsim.a
TEST_BIN   := $(BUILD)/tests/run_tests

# Fuzz targets: every tests/fuzz/NAME.c but the two helpers. Each is built
# as a libFuzzer fuzzer by `make fuzz` ($(BUILD)/fuzz/NAME, clang only) and,
# in every build, into one replay program that `make test` runs over the
# committed seeds and regression inputs (tests/fuzz/replay.c). The targets
# call the subcommands, so they link tools/ with mmsim.c's main renamed.
FUZZ_SRCS    := $(filter-out tests/fuzz/fuzz.c tests/fuzz/replay.c,$(sort $(wildcard tests/fuzz/*.c)))
FUZZ_NAMES   := $(FUZZ_SRCS:tests/fuzz/%.c=%)
FUZZ_SECONDS ?= 60
FUZZ_TOOLS   := $(filter-out $(BUILD)/tools/mmsim.o,$(TOOL_OBJS)) $(BUILD)/tests/fuzz/tools_main.o
FUZZ_BINS    := $(FUZZ_NAMES:%=$(BUILD)/fuzz/%)
REPLAY_BIN   := $(BUILD)/tests/fuzz_replay

.PHONY: all run test test-bins bench deps clean install uninstall fuzz fuzz-bins
.DEFAULT_GOAL := all

all: mmsim

mmsim: $(BUILD)/mmsim
	@cp $< $@

$(BUILD)/mmsim: $(TOOL_OBJS) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

$(LIB): $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CHECK_CFLAGS) $(CFLAGS) -c -o $@ $<

# The test runner's list of suites: every "Suite *NAME_suite(void)" defined
# in tests/*.c, so adding a test file needs no edit here.
$(BUILD)/tests/suites.inc: $(TEST_SRCS)
	@mkdir -p $(@D)
	@sed -n 's/^Suite \*\([a-z0-9_]*\)_suite(void).*/SUITE(\1)/p' $(TEST_SRCS) > $@.tmp
	@cmp -s $@.tmp $@ || mv $@.tmp $@; rm -f $@.tmp

$(TEST_OBJS): $(BUILD)/tests/suites.inc
$(TEST_OBJS): CPPFLAGS += -I$(BUILD)/tests -include tests/suites.h

$(TEST_BIN): $(TEST_OBJS) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS) $(LDLIBS)

$(BUILD)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -o $@ $< $(LIB) $(PKG_LIBS) $(LDLIBS)

$(BUILD)/tests/fuzz/tools_main.o: tools/mmsim.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -Wno-missing-prototypes -Dmain=mmsim_tools_main -c -o $@ $<

$(BUILD)/tests/fuzz/fuzz_targets.inc: $(FUZZ_SRCS)
	@mkdir -p $(@D)
	@for n in $(FUZZ_NAMES); do echo "FUZZ_TARGET($$n)"; done > $@.tmp
	@cmp -s $@.tmp $@ || mv $@.tmp $@; rm -f $@.tmp

$(BUILD)/tests/fuzz/%.replay.o: tests/fuzz/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -DLLVMFuzzerTestOneInput=fuzz_one_$* -c -o $@ $<

$(BUILD)/tests/fuzz/replay.o: $(BUILD)/tests/fuzz/fuzz_targets.inc
$(BUILD)/tests/fuzz/replay.o: CPPFLAGS += -I$(BUILD)/tests/fuzz

$(REPLAY_BIN): $(BUILD)/tests/fuzz/replay.o $(BUILD)/tests/fuzz/fuzz.o \
		$(FUZZ_NAMES:%=$(BUILD)/tests/fuzz/%.replay.o) $(FUZZ_TOOLS) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

$(BUILD)/fuzz/%: $(BUILD)/tests/fuzz/%.o $(BUILD)/tests/fuzz/fuzz.o $(FUZZ_TOOLS) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS) $(LDLIBS)

test-bins: $(TEST_BIN) $(BUILD)/mmsim $(REPLAY_BIN)

fuzz-bins: $(FUZZ_BINS)

# `make deps` installs only what is missing, so on a ready machine it is a
# few pkg-config calls and nothing else.
deps:
	@missing=""; \
	command -v $(firstword $(CC)) >/dev/null 2>&1 || missing="$$missing build-essential"; \
	command -v make >/dev/null 2>&1 || missing="$$missing build-essential"; \
	command -v gnuplot >/dev/null 2>&1 || missing="$$missing gnuplot-nox"; \
	command -v python3 >/dev/null 2>&1 || missing="$$missing python3"; \
	if ! command -v pkg-config >/dev/null 2>&1; then \
	  missing="$$missing pkg-config liblua5.4-dev libcjson-dev check"; \
	else \
	  pkg-config --exists lua5.4 || missing="$$missing liblua5.4-dev"; \
	  pkg-config --exists libcjson || missing="$$missing libcjson-dev"; \
	  pkg-config --exists check || missing="$$missing check"; \
	fi; \
	if [ -n "$$missing" ]; then \
	  sudo=""; [ "$$(id -u)" -eq 0 ] || sudo="sudo"; \
	  echo "make deps: installing$$missing"; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi

run: deps
	@$(MAKE) --no-print-directory all
	./mmsim run scenarios/quickstart.lua

# The plain build, then the same tests under ASan+UBSan in their own build
# directory; the unit tests, then the command's end-to-end tests (tests/cli.sh,
# tests/cli_cache.sh for `mmsim cache`, tests/cli_machine.sh for `mmsim machine`
# against the real 6.1 machines of tests/data/linux-6.1, tests/cli_views.sh for the
# modern era's vmstat, meminfo and per-node files against the same machines,
# tests/cli_scenarios.sh for Lua
# scenarios: tests/scenarios/*.lua, the labs, traces checked by the jsonl
# suite, tests/cli_diff.sh for diff, report, export and plot, and
# tests/cli_trust.sh for what every command owes its user: outputs replaced
# only when complete, failed writes reported, inputs type-checked and
# bounded), tests/cli_faults.sh for host faults injected (out of memory at
# every Nth allocation, a disk that fills up) and the fuzz targets' replay
# of their seeds and regression inputs (tests/fuzz/replay.c) against both
# builds of ./mmsim; tests/cli_pressure.sh, the real 6.1 pressure captures of
# tests/data/pressure-6.1 and the tools that make and read them; then
# tests/cli_docs.sh, the
# sessions shown in README.md, docs/ and the labs' READMEs, rerun and
# compared (plain build only: the output is the same, the ASan build would
# only double the time). tests/run.sh adds the per-run "N passed, N failed"
# lines up.

# Without -j on the command line, the two builds use every CPU (NPROC).
NPROC   := $(shell getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
TEST_J  := $(if $(filter -j%,$(MAKEFLAGS)),,-j$(NPROC))
ASAN    := build/$(CC_NAME)-asan

# tests/run.sh runs them TEST_JOBS at a time (default: the CPUs), slowest
# first, and shows each one's output whole, in this order.
test: deps
	@$(MAKE) --no-print-directory $(TEST_J) test-bins
	@$(MAKE) --no-print-directory $(TEST_J) SAN=1 OPT="-O1 -g" test-bins
	@sh tests/run.sh \
	  "asan" $(ASAN)/tests/run_tests \
	  "cli-diff-asan" "env MMSIM=$(ASAN)/mmsim sh tests/cli_diff.sh" \
	  "scenarios-asan" "env MMSIM=$(ASAN)/mmsim MMSIM_TESTS=$(ASAN)/tests/run_tests sh tests/cli_scenarios.sh" \
	  "cli-machine-asan" "env MMSIM=$(ASAN)/mmsim sh tests/cli_machine.sh" \
	  "unit" $(TEST_BIN) \
	  "fuzz-replay-asan" $(ASAN)/tests/fuzz_replay \
	  "fuzz-replay" $(REPLAY_BIN) \
	  "cli-trust-asan" "env MMSIM=$(ASAN)/mmsim sh tests/cli_trust.sh" \
	  "cli-faults-asan" "env MMSIM=$(ASAN)/mmsim FAULT_EVERY=2 sh tests/cli_faults.sh" \
	  "cli-faults" "env MMSIM=$(BUILD)/mmsim sh tests/cli_faults.sh" \
	  "cli-diff" "env MMSIM=$(BUILD)/mmsim sh tests/cli_diff.sh" \
	  "scenarios" "env MMSIM=$(BUILD)/mmsim MMSIM_TESTS=$(TEST_BIN) sh tests/cli_scenarios.sh" \
	  "cli-machine" "env MMSIM=$(BUILD)/mmsim sh tests/cli_machine.sh" \
	  "cli-docs" "env MMSIM=$(BUILD)/mmsim sh tests/cli_docs.sh" \
	  "cli-views-asan" "env MMSIM=$(ASAN)/mmsim sh tests/cli_views.sh" \
	  "cli-trust" "env MMSIM=$(BUILD)/mmsim sh tests/cli_trust.sh" \
	  "cli-views" "env MMSIM=$(BUILD)/mmsim sh tests/cli_views.sh" \
	  "cli-cache-asan" "env MMSIM=$(ASAN)/mmsim CC=$(firstword $(CC)) sh tests/cli_cache.sh" \
	  "cli-cache" "env MMSIM=$(BUILD)/mmsim CC=$(firstword $(CC)) sh tests/cli_cache.sh" \
	  "cli-asan" "env MMSIM=$(ASAN)/mmsim sh tests/cli.sh" \
	  "cli" "env MMSIM=$(BUILD)/mmsim sh tests/cli.sh" \
	  "cli-pressure" "sh tests/cli_pressure.sh"

# The fuzzers (clang's libFuzzer with ASan and UBSan), each for FUZZ_SECONDS
# on its seeds (tests/fuzz/NAME/) and its growing corpus in
# build/fuzz/corpus/NAME/; a crasher is kept in build/fuzz/crashes/.
# tests/fuzz/run.sh says what to do with one. Not part of `make test`.
fuzz: deps
	@command -v clang >/dev/null 2>&1 || { sudo=""; [ "$$(id -u)" -eq 0 ] || sudo="sudo"; \
	  echo "make fuzz: installing clang"; $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends clang; }
	@$(MAKE) --no-print-directory CC=clang FUZZ=1 OPT="-O1 -g" fuzz-bins
	@sh tests/fuzz/run.sh build/clang-fuzz/fuzz $(FUZZ_SECONDS) $(FUZZ_NAMES)

bench: deps
	@$(MAKE) --no-print-directory OPT="-O2 -DNDEBUG" BUILD=build/$(CC_NAME)-bench bench-bins
	@sh bench/run.sh $(BENCH_SRCS:bench/%.c=build/$(CC_NAME)-bench/bench/%)

.PHONY: bench-bins
bench-bins: $(BENCH_BINS) $(BUILD)/mmsim   # bench_diff times the command

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  := $(DESTDIR)$(PREFIX)/bin
MAN1DIR := $(DESTDIR)$(PREFIX)/share/man/man1

install: all
	install -d "$(BINDIR)" "$(MAN1DIR)"
	install -m 755 mmsim "$(BINDIR)/mmsim"
	install -m 644 docs/mmsim.1 "$(MAN1DIR)/mmsim.1"

uninstall:
	rm -f "$(BINDIR)/mmsim" "$(MAN1DIR)/mmsim.1"

clean:
	rm -rf build mmsim

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
