/*
 * test-fileio.c — lib/fileio.h: atomic replacement (exact bytes, no
 * temporary file left, a clear error for a missing directory, the same with
 * the directory fsync deferred), fsync_parent_dir(), and
 * remove_stale_temps(): it removes NAME.tmp.PID files of processes that are
 * gone, and nothing else — not a live process's, not ours, not names that
 * only look similar, not directories or symlinks.
 *
 * A pid that is gone is made by forking a child and reaping it. Files live
 * in a fresh directory under $TMPDIR (or /tmp), removed at the end.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/fileio.h"
#include "t/unit/tap.h"

static char *scratch_name(const char *fmt, long n)
{
	struct buf name = BUF_INIT, b = BUF_INIT;

	buf_printf(&name, fmt, n);
	buf_printf(&b, "%s/%s", tap_scratch_dir(), name.data);
	buf_free(&name);
	return buf_detach(&b);
}

static void touch(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs("partial", f) == EOF || fclose(f))
		tap_die(path);
}

static bool exists(const char *path)
{
	struct stat sb;

	return !lstat(path, &sb);
}

/* Entries of tap_scratch_dir() whose name contains ".tmp." */
static int count_temps(void)
{
	DIR *d = opendir(tap_scratch_dir());
	struct dirent *e;
	int n = 0;

	if (!d)
		tap_die(tap_scratch_dir());
	while ((e = readdir(d)))
		if (strstr(e->d_name, ".tmp."))
			n++;
	closedir(d);
	return n;
}

/* A pid that was ours and is gone: a child, reaped. */
static pid_t gone_pid(void)
{
	pid_t pid = fork();

	if (pid < 0)
		tap_die("fork");
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	return pid;
}

/* A child that lives until killed. */
static pid_t live_child(void)
{
	pid_t pid = fork();

	if (pid < 0)
		tap_die("fork");
	if (pid == 0) {
		pause();
		_exit(0);
	}
	return pid;
}

static void test_write(void)
{
	char *path = scratch_name("file.txt", 0), *missing = scratch_name("no/such/file", 0);
	struct buf got = BUF_INIT;
	struct err err;

	ok(!write_file_atomic(path, "one\n", 4, &err), "write a new file");
	ok(!write_file_atomic_flags(path, "two\n", 4, FILEIO_DEFER_DIR_SYNC, &err),
	   "replace it with the directory fsync deferred");
	ok(!buf_read_file(&got, path) && !strcmp(got.data, "two\n"), "it holds the new bytes");
	ok(!fsync_parent_dir(path, &err), "fsync its directory");
	is_int(count_temps(), 0, "no temporary file is left");
	ok(write_file_atomic(missing, "x", 1, &err) == -1 && strstr(err.msg, "cannot write") &&
	   strstr(err.msg, "no/such/file"), "a missing directory is an error: %s", err.msg);
	ok(fsync_parent_dir(missing, &err) == -1 && strstr(err.msg, "no/such"),
	   "and cannot be synced: %s", err.msg);
	unlink(path);
	buf_free(&got);
	free(path);
	free(missing);
}

static void test_stale_temps(void)
{
	pid_t dead = gone_pid(), alive = live_child();
	char *stale_lock = scratch_name("ccapply.lock.tmp.%ld", dead);
	char *stale_results = scratch_name("results.md.tmp.%ld", dead);
	char *live = scratch_name("results.md.tmp.%ld", alive);
	char *mine = scratch_name("ccapply.lock.tmp.%ld", getpid());
	char *not_pid = scratch_name("notes.tmp.txt", 0);
	char *bare = scratch_name(".tmp.%ld", dead);
	char *dir = scratch_name("subdir.tmp.%ld", dead);
	char *link = scratch_name("link.tmp.%ld", dead);
	struct err err;

	touch(stale_lock);
	touch(stale_results);
	touch(live);
	touch(mine);
	touch(not_pid);
	touch(bare);
	if (mkdir(dir, 0755) || symlink(stale_lock, link))
		tap_die("mkdir/symlink");
	is_int(remove_stale_temps(tap_scratch_dir(), &err), 2, "two stale temporary files removed");
	ok(!exists(stale_lock) && !exists(stale_results), "those of the process that is gone");
	ok(exists(live), "not a live process's");
	ok(exists(mine), "not our own");
	ok(exists(not_pid) && exists(bare), "not names without a pid or a name before it");
	ok(exists(dir) && exists(link), "not a directory or a symlink");
	is_int(remove_stale_temps(tap_scratch_dir(), &err), 0, "a second pass finds nothing");
	kill(alive, SIGKILL);
	waitpid(alive, NULL, 0);
	is_int(remove_stale_temps(tap_scratch_dir(), &err), 1, "once that process is gone, its file goes");
	ok(remove_stale_temps("/nonexistent-ccapply-dir", &err) == -1 &&
	   strstr(err.msg, "/nonexistent-ccapply-dir"), "a missing directory: %s", err.msg);
	unlink(mine);
	unlink(not_pid);
	unlink(bare);
	unlink(link);
	rmdir(dir);
	free(stale_lock);
	free(stale_results);
	free(live);
	free(mine);
	free(not_pid);
	free(bare);
	free(dir);
	free(link);
}

int main(void)
{
	tap_scratch_dir();
	test_write();
	test_stale_temps();
	tap_scratch_done();
	return done_testing();
}
