/*
 * sim/ofile: output files that never destroy what was there. Each test
 * works in a fresh directory of its own and checks what is left in it.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/ofile.h"

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/mmsim-ofile-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[512];
	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

static void path_of(char *p, size_t n, const char *name)
{
	snprintf(p, n, "%s/%s", dir, name);
}

static void put(const char *name, const char *text)
{
	char p[256];
	path_of(p, sizeof p, name);
	FILE *f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* The file's contents ("" when missing), in a static buffer. */
static const char *get(const char *name)
{
	static char buf[256];
	char p[256];
	path_of(p, sizeof p, name);
	buf[0] = 0;
	FILE *f = fopen(p, "r");
	if (f) {
		size_t n = fread(buf, 1, sizeof buf - 1, f);
		buf[n] = 0;
		fclose(f);
	}
	return buf;
}

/* Entries of the directory. */
static int entries(void)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

START_TEST(test_new_file)
{
	char p[256], err[256];
	path_of(p, sizeof p, "out.json");
	struct ofile f;
	ck_assert_int_eq(ofile_open(&f, p, err, sizeof err), 0);
	fputs("new\n", f.fp);
	ck_assert_str_eq(get("out.json"), "");   /* not there until commit */
	ck_assert_int_eq(entries(), 1);           /* the temporary file */
	ck_assert_int_eq(ofile_commit(&f, err, sizeof err), 0);
	ck_assert_str_eq(get("out.json"), "new\n");
	ck_assert_int_eq(entries(), 1);
	struct stat st;
	ck_assert_int_eq(stat(p, &st), 0);
	mode_t mask = umask(0);
	umask(mask);
	ck_assert_uint_eq(st.st_mode & 0777, 0666 & ~mask);
}
END_TEST

/* Replaced on success, with the old file's permission bits; kept as it
 * was when the writer gives up. */
START_TEST(test_existing_file)
{
	char p[256], err[256];
	put("out.json", "old\n");
	path_of(p, sizeof p, "out.json");
	chmod(p, 0640);
	struct ofile f;
	ck_assert_int_eq(ofile_open(&f, p, err, sizeof err), 0);
	fputs("half", f.fp);
	ofile_discard(&f);
	ck_assert_str_eq(get("out.json"), "old\n");
	ck_assert_int_eq(entries(), 1);
	ck_assert_int_eq(ofile_open(&f, p, err, sizeof err), 0);
	fputs("new\n", f.fp);
	ck_assert_str_eq(get("out.json"), "old\n");
	ck_assert_int_eq(ofile_commit(&f, err, sizeof err), 0);
	ck_assert_str_eq(get("out.json"), "new\n");
	struct stat st;
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0640);
	ck_assert_int_eq(entries(), 1);
}
END_TEST

/* A link stays a link: its target is what is replaced; given up, the
 * target is untouched. */
START_TEST(test_symlink)
{
	char p[256], err[256];
	put("target", "old\n");
	path_of(p, sizeof p, "link");
	ck_assert_int_eq(symlink("target", p), 0);
	struct ofile f;
	ck_assert_int_eq(ofile_open(&f, p, err, sizeof err), 0);
	fputs("half", f.fp);
	ofile_discard(&f);
	ck_assert_str_eq(get("target"), "old\n");
	ck_assert_int_eq(ofile_open(&f, p, err, sizeof err), 0);
	fputs("new\n", f.fp);
	ck_assert_int_eq(ofile_commit(&f, err, sizeof err), 0);
	struct stat st;
	ck_assert_int_eq(lstat(p, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_str_eq(get("target"), "new\n");
	ck_assert_int_eq(entries(), 2);
	/* A dangling link: its target is created. */
	path_of(p, sizeof p, "dangling");
	ck_assert_int_eq(symlink("made", p), 0);
	ck_assert_int_eq(ofile_open(&f, p, err, sizeof err), 0);
	fputs("made\n", f.fp);
	ck_assert_int_eq(ofile_commit(&f, err, sizeof err), 0);
	ck_assert_int_eq(lstat(p, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_str_eq(get("made"), "made\n");
}
END_TEST

/* A device and a FIFO are written in place and stay what they were. */
START_TEST(test_devices)
{
	char p[256], err[256];
	struct ofile f;
	ck_assert_int_eq(ofile_open(&f, "/dev/null", err, sizeof err), 0);
	ck_assert_ptr_null(f.tmp);
	fputs("x", f.fp);
	ck_assert_int_eq(ofile_commit(&f, err, sizeof err), 0);
	struct stat st;
	ck_assert_int_eq(stat("/dev/null", &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
	/* /dev/full: the failure is reported at commit. */
	ck_assert_int_eq(ofile_open(&f, "/dev/full", err, sizeof err), 0);
	fputs("x", f.fp);
	ck_assert_int_eq(ofile_commit(&f, err, sizeof err), -1);
	ck_assert_str_eq(err, "/dev/full: write failed: No space left on device");
	ck_assert_int_eq(stat("/dev/full", &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
	/* A FIFO with a reader: written directly, still a FIFO. */
	path_of(p, sizeof p, "fifo");
	ck_assert_int_eq(mkfifo(p, 0600), 0);
	FILE *r = NULL;
	pid_t pid = fork();
	if (pid == 0) {
		r = fopen(p, "r");
		char buf[16] = "";
		size_t n = fread(buf, 1, sizeof buf - 1, r);
		_exit(n == 4 && !memcmp(buf, "via\n", 4) ? 0 : 1);
	}
	ck_assert_int_eq(ofile_open(&f, p, err, sizeof err), 0);
	ck_assert_ptr_null(f.tmp);
	fputs("via\n", f.fp);
	ck_assert_int_eq(ofile_commit(&f, err, sizeof err), 0);
	int status;
	waitpid(pid, &status, 0);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_int_eq(lstat(p, &st), 0);
	ck_assert(S_ISFIFO(st.st_mode));
	ck_assert_int_eq(entries(), 1);
}
END_TEST

/* What cannot be written is an error, and nothing is created. */
START_TEST(test_refused)
{
	char p[256], err[256];
	struct ofile f;
	ck_assert_int_eq(ofile_open(&f, dir, err, sizeof err), -1);   /* a directory */
	path_of(p, sizeof p, "none/out.json");
	ck_assert_int_eq(ofile_open(&f, p, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "No such file or directory"));
	if (geteuid() != 0) {   /* root writes anything */
		put("ro", "kept\n");
		path_of(p, sizeof p, "ro");
		chmod(p, 0444);
		ck_assert_int_eq(ofile_open(&f, p, err, sizeof err), -1);
		ck_assert_ptr_nonnull(strstr(err, "Permission denied"));
		ck_assert_str_eq(get("ro"), "kept\n");
	}
	ofile_discard(&f);   /* inert after a failed open */
}
END_TEST

/* ofile_cleanup removes the temporary files of files still open. */
START_TEST(test_cleanup)
{
	char p[256], err[256];
	put("out", "old\n");
	path_of(p, sizeof p, "out");
	struct ofile f;
	ck_assert_int_eq(ofile_open(&f, p, err, sizeof err), 0);
	ck_assert_int_eq(entries(), 2);
	ofile_cleanup();
	ck_assert_int_eq(entries(), 1);
	ck_assert_str_eq(get("out"), "old\n");
	ofile_discard(&f);
}
END_TEST

Suite *ofile_suite(void)
{
	Suite *s = suite_create("ofile");
	TCase *tc = tcase_create("ofile");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_new_file);
	tcase_add_test(tc, test_existing_file);
	tcase_add_test(tc, test_symlink);
	tcase_add_test(tc, test_devices);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_cleanup);
	suite_add_tcase(s, tc);
	return s;
}
