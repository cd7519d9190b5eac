/*
 * Output files that never destroy what was there.
 *
 * Every file mmsim writes (a run's trace, an export, a plot and its script,
 * a view saved with -o) goes through here, under one rule: a tool never
 * deletes, truncates or replaces a path it did not create.
 *
 *   - A regular file, or a path where nothing exists yet: the bytes go to a
 *     new temporary file in the same directory (".NAME.XXXXXX"), renamed
 *     over the path only when everything was written and closed. Until
 *     then the old file is untouched; on failure (or a kill) the old file
 *     is still there, and no half-written output carries the final name.
 *     The new file gets the old one's permission bits, or for a new path
 *     what fopen would have given (0666 less the umask).
 *   - A symbolic link is followed (up to 40 links): the file it points to
 *     is the one replaced, the same way, and the link stays a link. A link
 *     to nothing makes its target the new path.
 *   - A device, a FIFO or a socket (/dev/null, a named pipe, a terminal)
 *     and "-" (standard output) are written directly: there is nothing to
 *     rename, and a pipe cannot be replaced.
 *   - A path that exists but cannot be written (no write permission) is an
 *     error, not something to replace: the rename would get around it.
 *
 * The temporary files of the process are on one list: ofile_cleanup()
 * removes those not yet committed, and ofile_cleanup_at_exit() arranges for
 * that at exit() and on SIGINT, SIGTERM, SIGHUP and SIGPIPE (the command
 * calls it once), so a run stopped by a failed write or a ^C leaves no
 * temporary file behind. Only a SIGKILL or a crash can.
 *
 * Rename does not break what the old file was to other names: a hard link
 * to the old file keeps the old contents.
 */
#ifndef MMSIM_SIM_OFILE_H
#define MMSIM_SIM_OFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct ofile {
	FILE *fp;            /* write here (stdout for "-") */
	char *path;          /* as given, for messages */
	char *target;        /* where the result lands: path with links followed */
	char *tmp;           /* the temporary file, NULL when written directly */
	bool is_stdout;
	struct ofile *next;  /* on the list of live temporary files */
};

/*
 * Opens path for writing as above. Returns 0 with f->fp ready, or -1 with
 * "cannot open PATH for writing: REASON" in err (nothing created, f inert:
 * ofile_discard on it does nothing).
 */
int ofile_open(struct ofile *f, const char *path, char *err, size_t errlen);

/*
 * Finishes: flushes and closes the stream (stdout is only flushed, and a
 * write error on it is left for the command's final check of standard
 * output), then
 * renames the temporary file into place. Returns 0, or -1 with
 * "PATH: REASON" in err when a write, the close or the rename failed; then
 * the temporary file is removed and whatever was at the path is left as it
 * was. Either way f is released.
 */
int ofile_commit(struct ofile *f, char *err, size_t errlen);

/* Gives up: closes the stream and removes the temporary file; what was at
 * the path stays. Bytes written directly (a device, stdout) stay written. */
void ofile_discard(struct ofile *f);

/* Removes every temporary file not yet committed or discarded (async-signal
 * safe: unlink only). */
void ofile_cleanup(void);

/* Calls ofile_cleanup at exit and on the signals above (then dies of the
 * signal as it would have). Once per process. */
void ofile_cleanup_at_exit(void);

#endif
