/*
 * Output files that never destroy what was there (see ofile.h for the rule).
 *
 * The decision is made once, at open, from lstat: follow links to the path
 * that will really be written (target), then a regular file or nothing gets
 * a temporary file beside it, anything else is opened as it is. The list of
 * live temporary files is the one piece of process-wide state here: signals
 * and exit() are process-wide, and the cleanup must find the files without
 * a context. Its entries are only linked and unlinked outside signal
 * handlers; the handler only reads it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/ofile.h"
#include "sim/types.h"

#define MAX_LINKS 40

static struct ofile *volatile live;   /* temporary files not yet finished */

static void live_add(struct ofile *f)
{
	f->next = live;
	live = f;
}

static void live_remove(struct ofile *f)
{
	for (struct ofile *volatile *p = &live; *p; p = &(*p)->next)
		if (*p == f) {
			*p = f->next;
			break;
		}
	f->next = NULL;
}

void ofile_cleanup(void)
{
	for (struct ofile *f = live; f; f = f->next)
		if (f->tmp)
			unlink(f->tmp);
}

static void on_signal(int sig)
{
	ofile_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

void ofile_cleanup_at_exit(void)
{
	atexit(ofile_cleanup);
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		struct sigaction sa, old;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		/* A signal the caller ignores (nohup) stays ignored. */
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

/* The directory part of p ("." when none), malloc'd. */
static char *dir_of(const char *p)
{
	const char *slash = strrchr(p, '/');
	if (!slash)
		return mmsim_xstrdup(".");
	if (slash == p)
		return mmsim_xstrdup("/");
	size_t n = (size_t)(slash - p);
	char *d = mmsim_xmalloc(n + 1);
	memcpy(d, p, n);
	d[n] = 0;
	return d;
}

/* Follows symbolic links from path: the path that is really written,
 * malloc'd, and its lstat in *st (st->st_mode 0 when nothing is there).
 * NULL with errno set on a loop or an unreadable link. */
static char *resolve(const char *path, struct stat *st)
{
	char *p = mmsim_xstrdup(path);
	for (int i = 0; i <= MAX_LINKS; i++) {
		if (lstat(p, st)) {
			if (errno != ENOENT) {
				free(p);
				return NULL;
			}
			memset(st, 0, sizeof *st);
			return p;
		}
		if (!S_ISLNK(st->st_mode))
			return p;
		size_t cap = (size_t)st->st_size + 1 > 256 ? (size_t)st->st_size + 1 : 256;
		char *link = mmsim_xmalloc(cap);
		ssize_t n = readlink(p, link, cap - 1);
		if (n < 0) {
			free(link);
			free(p);
			return NULL;
		}
		link[n] = 0;
		if (link[0] != '/') {
			char *dir = dir_of(p);
			char *joined = mmsim_xmalloc(strlen(dir) + (size_t)n + 2);
			strcpy(joined, dir);
			strcat(joined, "/");
			strcat(joined, link);
			free(dir);
			free(link);
			link = joined;
		}
		free(p);
		p = link;
	}
	free(p);
	errno = ELOOP;
	return NULL;
}

static int open_fail(struct ofile *f, char *err, size_t errlen, const char *path, const char *what,
		     int errnum)
{
	mmsim_errf(err, errlen, "cannot open %s for writing: %s%s", path, what, strerror(errnum));
	free(f->target);
	free(f->tmp);
	free(f->path);
	memset(f, 0, sizeof *f);
	return -1;
}

int ofile_open(struct ofile *f, const char *path, char *err, size_t errlen)
{
	memset(f, 0, sizeof *f);
	if (!strcmp(path, "-")) {
		f->fp = stdout;
		f->is_stdout = true;
		f->path = mmsim_xstrdup("standard output");
		return 0;
	}
	f->path = mmsim_xstrdup(path);
	struct stat st;
	f->target = resolve(path, &st);
	if (!f->target)
		return open_fail(f, err, errlen, path, "", errno);
	if (st.st_mode && !S_ISREG(st.st_mode)) {
		/* A device, FIFO or socket: written in place; a directory
		 * fails here with EISDIR. */
		f->fp = fopen(f->target, "w");
		if (!f->fp)
			return open_fail(f, err, errlen, path, "", errno);
		return 0;
	}
	if (st.st_mode && access(f->target, W_OK))
		return open_fail(f, err, errlen, path, "", errno);
	char *dir = dir_of(f->target);
	const char *base = strrchr(f->target, '/') ? strrchr(f->target, '/') + 1 : f->target;
	f->tmp = mmsim_xmalloc(strlen(dir) + strlen(base) + 16);
	sprintf(f->tmp, "%s/.%s.XXXXXX", dir, base);
	free(dir);
	int fd = mkstemp(f->tmp);
	if (fd < 0) {
		/* The directory is missing, or cannot take a new file: the
		 * latter needs saying, since the file itself may be writable. */
		int e = errno;
		if (e != EACCES && e != EPERM && e != EROFS)
			return open_fail(f, err, errlen, path, "", e);
		char *d = dir_of(f->target);
		char what[4200];
		snprintf(what, sizeof what, "a new file cannot be made in %s (mmsim writes one and "
			 "renames it over the old): ", d);
		free(d);
		return open_fail(f, err, errlen, path, what, e);
	}
	mode_t mode;
	if (st.st_mode) {
		mode = st.st_mode & 07777;
	} else {
		mode_t mask = umask(0);
		umask(mask);
		mode = 0666 & ~mask;
	}
	fchmod(fd, mode);   /* best effort: the bytes matter more than the bits */
	f->fp = fdopen(fd, "w");
	if (!f->fp) {
		int e = errno;
		close(fd);
		unlink(f->tmp);
		return open_fail(f, err, errlen, path, "", e);
	}
	live_add(f);
	return 0;
}

static void release(struct ofile *f)
{
	if (f->tmp)
		live_remove(f);
	free(f->path);
	free(f->target);
	free(f->tmp);
	memset(f, 0, sizeof *f);
}

int ofile_commit(struct ofile *f, char *err, size_t errlen)
{
	if (!f->fp) {
		release(f);
		return 0;
	}
	int rc = 0;
	errno = 0;
	if (f->is_stdout) {
		/* Flushed only: a failure stays on the stream for the final
		 * check of standard output (tools/mmsim.c), the one message. */
		fflush(f->fp);
		release(f);
		return 0;
	}
	bool bad = ferror(f->fp) != 0;
	errno = 0;
	if (fclose(f->fp) || bad)
		rc = mmsim_errf(err, errlen, "%s: write failed: %s", f->path,
				errno ? strerror(errno) : "I/O error");
	f->fp = NULL;
	if (f->tmp) {
		if (rc == 0 && rename(f->tmp, f->target))
			rc = mmsim_errf(err, errlen, "%s: cannot put the new file in place: %s", f->path,
					strerror(errno));
		if (rc)
			unlink(f->tmp);
	}
	release(f);
	return rc;
}

void ofile_discard(struct ofile *f)
{
	if (f->fp && !f->is_stdout)
		fclose(f->fp);
	else if (f->fp)
		fflush(f->fp);
	if (f->tmp)
		unlink(f->tmp);
	release(f);
}
