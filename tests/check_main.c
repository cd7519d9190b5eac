/*
 * The unit test runner. Every test file defines one or more suites as
 * "Suite *NAME_suite(void)"; the Makefile collects their names into
 * suites.inc, so a new test file needs no registration by hand.
 *
 * Check runs each test in its own process (CK_FORK) with a timeout, so a
 * crash or a hang fails one test, not the run. CK_RUN_SUITE=name and
 * CK_RUN_CASE=name select a part (Check's own environment variables).
 * The last line is "N passed, N failed", which tests/run.sh adds up.
 *
 * Timeouts only catch a hang; no test may depend on how fast it runs. The
 * suites' timeouts (Check's default 4 s, tcase_set_timeout's 30 or 60 s)
 * are what a test needs on an idle machine with some room; an ASan build on
 * a busy 2-core machine can be ten times slower, so unless the environment
 * says otherwise every timeout is multiplied by 10 (Check's own
 * CK_TIMEOUT_MULTIPLIER, which a user may set: CK_TIMEOUT_MULTIPLIER=1 for
 * the bare figures).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	/* Read by tcase_create and tcase_set_timeout, so before the suites. */
	setenv("CK_TIMEOUT_MULTIPLIER", "10", 0);
	SRunner *sr = srunner_create(NULL);
#define SUITE(name) srunner_add_suite(sr, name##_suite());
#include "suites.inc"
#undef SUITE
	srunner_run_all(sr, CK_NORMAL);
	int run = srunner_ntests_run(sr);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	printf("%d passed, %d failed\n", run - failed, failed);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
