/*
 * The scenario runner (lua/lrun.c), from scenarios written to a temporary
 * file and run with scenario_run; each checks its own figures and raises an
 * error (exit status 1) when one is off.
 *
 * t:touch goes through the task's CPU's TLB and the kernel's direct map
 * (mm/init.c).
 *
 * Figures (the x86_64 preset: DRAM 200 cycles, cold caches, 64-byte lines):
 * writing the first page of a fresh order-1 block misses the TLB once and
 * walks 3 cold entries (600 cycles), then writes 64 cold lines (12800); the
 * second page is in the same 2 MiB page: a TLB hit, only the 12800.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lua/scenario.h"

static int run_script(const char *text)
{
	char path[] = "/tmp/mmsim-touch-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	FILE *fp = fdopen(fd, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	fclose(fp);
	struct scenario_opts o = { 0 };
	o.path = path;
	o.seed = 1;
	o.max_cycles = UINT64_MAX;
	o.max_instructions = SCENARIO_DEFAULT_MAX_INSTRUCTIONS;
	o.quiet = true;
	int rc = scenario_run(&o);
	unlink(path);
	return rc;
}

START_TEST(test_touch_tlb_counters)
{
	ck_assert_int_eq(run_script(
		"local mmsim = require 'mmsim'\n"
		"local m = mmsim.machine('x86_64')\n"
		"m:boot{}\n"
		"local function eq(what, got, want)\n"
		"  if got ~= want then error(what .. ': ' .. got .. ' ~= ' .. want, 2) end\n"
		"end\n"
		"m:spawn{cpu = 0, fn = function(t)\n"
		"  local p = t:alloc_pages('GFP_KERNEL', 1)\n"
		"  local s0, t0 = m:stats(), t:now()\n"
		"  t:touch(p, {len = 4096})\n"
		"  local s1, t1 = m:stats(), t:now()\n"
		"  eq('misses', s1['cpu0.tlb.misses'] - s0['cpu0.tlb.misses'], 1)\n"
		"  eq('walk cycles', s1['cpu0.tlb.walk_cycles'] - s0['cpu0.tlb.walk_cycles'], 600)\n"
		"  eq('first page', t1 - t0, 600 + 64 * 200)\n"
		"  t:touch(p, {offset = 4096})\n"
		"  local s2, t2 = m:stats(), t:now()\n"
		"  eq('misses after', s2['cpu0.tlb.misses'], s1['cpu0.tlb.misses'])\n"
		"  eq('large hits', s2['cpu0.tlb.hits_large'] - s1['cpu0.tlb.hits_large'], 1)\n"
		"  eq('second page', t2 - t1, 64 * 200)\n"
		"  eq('hist', m:stats()['ops.touch_cycles'].count, 2)\n"
		"  t:free_pages(p, 1)\n"
		"end}\n"
		"m:run()\n"), 0);
}
END_TEST

/* Order 0, the whole page by default: the first touch costs more than its
 * lines, by the walk. */
START_TEST(test_touch_charges_walk)
{
	ck_assert_int_eq(run_script(
		"local mmsim = require 'mmsim'\n"
		"local m = mmsim.machine('x86_64')\n"
		"m:boot{}\n"
		"m:spawn{cpu = 0, fn = function(t)\n"
		"  local p = t:alloc_pages('GFP_KERNEL', 0)\n"
		"  local t0 = t:now()\n"
		"  t:touch(p)\n"
		"  if t:now() - t0 ~= 600 + 64 * 200 then error('cost ' .. (t:now() - t0)) end\n"
		"end}\n"
		"m:run()\n"), 0);
}
END_TEST

/* HighMem has no direct-map address: touching it is the script's mistake. */
START_TEST(test_touch_highmem_refused)
{
	ck_assert_int_eq(run_script(
		"local mmsim = require 'mmsim'\n"
		"local m = mmsim.machine('pc-i386')\n"
		"m:boot{}\n"
		"m:spawn{cpu = 0, fn = function(t)\n"
		"  local p = t:alloc_pages('GFP_HIGHUSER', 0)\n"
		"  assert(p >= 229376, 'expected a HighMem frame')\n"
		"  t:touch(p)\n"
		"end}\n"
		"m:run()\n"), 1);
	ck_assert_int_eq(run_script(
		"local mmsim = require 'mmsim'\n"
		"local m = mmsim.machine('pc-i386')\n"
		"m:boot{}\n"
		"m:spawn{cpu = 0, fn = function(t)\n"
		"  t:churn{ops = 10, gfp = 'GFP_HIGHUSER', touch = true}\n"
		"end}\n"
		"m:run()\n"), 1);
}
END_TEST

/* A task looping on think(0) never moves time: the watchdog stops it
 * (10 M events at one cycle, about a second), however the run loop slices
 * the run; before, only the instruction limit did (over a minute, past
 * this test's timeout). */
START_TEST(test_watchdog_stops_zero_cost_loop)
{
	ck_assert_int_eq(run_script(
		"local mmsim = require 'mmsim'\n"
		"local m = mmsim.machine('x86_64')\n"
		"m:boot{}\n"
		"m:spawn{cpu = 0, fn = function(t) while true do t:think(0) end end}\n"
		"m:run()\n"), 1);
}
END_TEST

Suite *lua_run_suite(void)
{
	Suite *s = suite_create("lua_run");
	TCase *tc = tcase_create("lua_run");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_touch_tlb_counters);
	tcase_add_test(tc, test_touch_charges_walk);
	tcase_add_test(tc, test_touch_highmem_refused);
	tcase_add_test(tc, test_watchdog_stops_zero_cost_loop);
	suite_add_tcase(s, tc);
	return s;
}
