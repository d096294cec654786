/*
 * fileio.h — durable file replacement.
 *
 * fileio_write_atomic() writes to a temporary file in the same directory
 * (PATH.tmp.PID), fsyncs it, renames it over the target and fsyncs the
 * directory, so a crash or kill at any moment leaves either the old file or
 * the new one, never a torn mix, and once it returns the new file survives
 * a power cut. Used for results.md, ccapply.lock and saved plans.
 *
 * fileio_write_atomic_flags() with FILEIO_DEFER_DIR_SYNC leaves out the
 * directory fsync: the replacement is just as atomic (the data is fsynced
 * before the rename), but the rename itself becomes durable only with a
 * later fsync of the directory — fileio_fsync_parent_dir(), or, on
 * journaling file systems (ext4, XFS, btrfs), the next fsync of any file on
 * the same file system. For a file rewritten again and again in a row (apply rewrites
 * state and results after every resource) whose writer fsyncs the
 * directory when the run ends.
 *
 * fileio_remove_stale_temps() removes what a writer killed between creating its
 * temporary file and renaming it leaves behind: NAME.tmp.PID files of
 * processes that no longer exist. Only safe while holding whatever lock
 * keeps other writers out of the directory (apply's lock).
 *
 * Writing never goes through a symbolic link: the temporary file is created
 * with O_EXCL | O_NOFOLLOW (one left by a dead process that had our pid, or
 * planted as a link, is removed first — unlink removes a link, not its
 * target), and rename(2) replaces a link at PATH rather than following it.
 * A PATH that exists and is neither a regular file nor a symbolic link (a
 * device such as /dev/full, a FIFO, a directory) is refused before anything
 * is created.
 *
 * Reading an input (fileio_read_input, fileio_fopen_input) opens it with
 * O_NONBLOCK, so a FIFO cannot hang the open, and checks on the open
 * descriptor that it is a regular file of at most FILEIO_INPUT_MAX bytes:
 * /dev/zero or a FIFO is a clear error instead of a hang or an out-of-memory
 * exit. FILEIO_NOFOLLOW also refuses a symbolic link (for files ccapply both
 * reads and appends to, like the journal).
 *
 * Who may call: everyone. Ownership: nothing retained; fileio_fopen_input's
 * FILE is the caller's to fclose.
 */
#ifndef CCAPPLY_FILEIO_H
#define CCAPPLY_FILEIO_H

#include <stddef.h>
#include <stdio.h>

#include "lib/buf.h"
#include "lib/err.h"

#define FILEIO_DEFER_DIR_SYNC 1u

/* The largest input ccapply reads: 64 MiB, some twenty times a plan of
 * 10,000 connections with its state file (docs/state-format.md). */
#define FILEIO_INPUT_MAX ((long long)64 << 20)
#define FILEIO_NOFOLLOW 2u

/* Read the whole input at path ("-": standard input, bounded but not
 * checked to be regular) into out (appended). On failure err says
 * "PATH: what is wrong" and err->code is the errno of a failed open
 * (ENOENT for a missing file), 0 for other failures. */
int fileio_read_input(const char *path, unsigned flags, struct buf *out, struct err *err);
/* The same checks, for a caller that streams the file. NULL on failure. */
FILE *fileio_fopen_input(const char *path, unsigned flags, struct err *err);

int fileio_write_atomic(const char *path, const void *data, size_t len, struct err *err);
int fileio_write_atomic_flags(const char *path, const void *data, size_t len, unsigned flags,
			      struct err *err);

/* fsync the directory that holds path (path itself need not exist). */
int fileio_fsync_parent_dir(const char *path, struct err *err);

/* Remove every regular file in dir named "<something>.tmp.<pid>" whose pid
 * is not a running process (kill(pid, 0) fails with ESRCH) and is not ours.
 * Returns how many were removed, or -1 (err set) when dir cannot be read;
 * a file that cannot be removed is skipped. */
int fileio_remove_stale_temps(const char *dir, struct err *err);

#endif
