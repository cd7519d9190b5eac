/* Prototypes of every test suite, force-included into each test file by the
 * Makefile (-include), so suite constructors need no hand-written declarations. */
#ifndef MMSIM_TESTS_SUITES_H
#define MMSIM_TESTS_SUITES_H
#include <check.h>
#define SUITE(name) Suite *name##_suite(void);
#include "suites.inc"
#undef SUITE
#endif
