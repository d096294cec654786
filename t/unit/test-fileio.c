/*
 * test-fileio.c — lib/fileio.h: atomic replacement (exact bytes, no
 * temporary file left, a clear error for a missing directory, the same with
 * the directory fsync deferred), fileio_fsync_parent_dir(), and
 * fileio_remove_stale_temps(): it removes NAME.tmp.PID files of processes
 * that are gone, and nothing else — not a live process's, not ours, not names that
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

	ok(!fileio_write_atomic(path, "one\n", 4, &err), "write a new file");
	ok(!fileio_write_atomic_flags(path, "two\n", 4, FILEIO_DEFER_DIR_SYNC, &err),
	   "replace it with the directory fsync deferred");
	ok(!fileio_read_input(path, 0, &got, &err) && !strcmp(got.data, "two\n"),
	   "it holds the new bytes");
	ok(!fileio_fsync_parent_dir(path, &err), "fsync its directory");
	is_int(count_temps(), 0, "no temporary file is left");
	ok(fileio_write_atomic(missing, "x", 1, &err) == -1 && strstr(err.msg, "cannot write") &&
	   strstr(err.msg, "no/such/file"), "a missing directory is an error: %s", err.msg);
	ok(fileio_fsync_parent_dir(missing, &err) == -1 && strstr(err.msg, "no/such"),
	   "and cannot be synced: %s", err.msg);
	unlink(path);
	buf_free(&got);
	free(path);
	free(missing);
}

/* Writes never go through a link: a link planted at the temporary name
 * (PATH.tmp.PID is predictable) or at PATH leaves its target untouched. */
static void test_no_write_through_links(void)
{
	char *victim = scratch_name("victim", 0), *path = scratch_name("out.md", 0);
	char *tmp = scratch_name("out.md.tmp.%ld", getpid());
	char *victim_text;
	struct stat sb;
	struct err err;

	tap_write_file(victim, "precious\n", 9);
	if (symlink(victim, tmp))
		tap_die("symlink");
	ok(!fileio_write_atomic(path, "new\n", 4, &err), "write with a link at the temporary name");
	victim_text = tap_read_file(victim);
	is_str(victim_text, "precious\n", "the link's target is untouched");
	free(victim_text);
	ok(lstat(tmp, &sb) && errno == ENOENT, "the planted link is gone");
	unlink(path);
	if (symlink(victim, path))
		tap_die("symlink");
	ok(!fileio_write_atomic(path, "new\n", 4, &err), "write over a link at the target");
	ok(!lstat(path, &sb) && S_ISREG(sb.st_mode), "the link is replaced by a regular file");
	victim_text = tap_read_file(victim);
	is_str(victim_text, "precious\n", "and its target is untouched");
	free(victim_text);
	unlink(path);
	unlink(victim);
	free(victim);
	free(path);
	free(tmp);
}

/* Outputs that are not regular files are refused; inputs must be regular
 * files (read with O_NONBLOCK: a FIFO is refused, not waited on). */
static void test_not_regular(void)
{
	char *fifo = scratch_name("fifo", 0), *link = scratch_name("link", 0);
	char *file = scratch_name("file", 0);
	struct buf got = BUF_INIT;
	struct err err;
	FILE *f;

	if (mkfifo(fifo, 0644))
		tap_die("mkfifo");
	ok(fileio_write_atomic(fifo, "x", 1, &err) == -1 && strstr(err.msg, "a FIFO"),
	   "writing over a FIFO is refused: %s", err.msg);
	ok(fileio_write_atomic("/dev/full", "x", 1, &err) == -1 &&
	   strstr(err.msg, "a character device"), "and over /dev/full: %s", err.msg);
	is_int(count_temps(), 0, "no temporary file was made");
	ok(fileio_read_input(fifo, 0, &got, &err) == -1 && strstr(err.msg, "not a regular file") &&
	   strstr(err.msg, "a FIFO"), "reading a FIFO is refused at once: %s", err.msg);
	ok(fileio_read_input("/dev/zero", 0, &got, &err) == -1 &&
	   strstr(err.msg, "a character device"), "and /dev/zero: %s", err.msg);
	ok(!(f = fileio_fopen_input("/dev/zero", 0, &err)) && strstr(err.msg, "/dev/zero"),
	   "also when streamed: %s", err.msg);
	ok(fileio_read_input(tap_scratch_dir(), 0, &got, &err) == -1 &&
	   strstr(err.msg, "a directory"), "and a directory: %s", err.msg);
	ok(fileio_read_input("/no/such/file", 0, &got, &err) == -1 && err.code == ENOENT,
	   "a missing file says ENOENT: %s", err.msg);
	tap_write_file(file, "ok\n", 3);
	if (symlink(file, link))
		tap_die("symlink");
	ok(!fileio_read_input(link, 0, &got, &err) && !strcmp(got.data, "ok\n"),
	   "an input may be a link");
	ok(fileio_read_input(link, FILEIO_NOFOLLOW, &got, &err) == -1 &&
	   strstr(err.msg, "symbolic link"), "unless the caller says not: %s", err.msg);
	unlink(fifo);
	unlink(link);
	unlink(file);
	buf_free(&got);
	free(fifo);
	free(link);
	free(file);
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
	is_int(fileio_remove_stale_temps(tap_scratch_dir(), &err), 2,
	       "two stale temporary files removed");
	ok(!exists(stale_lock) && !exists(stale_results), "those of the process that is gone");
	ok(exists(live), "not a live process's");
	ok(exists(mine), "not our own");
	ok(exists(not_pid) && exists(bare), "not names without a pid or a name before it");
	ok(exists(dir) && exists(link), "not a directory or a symlink");
	is_int(fileio_remove_stale_temps(tap_scratch_dir(), &err), 0,
	       "a second pass finds nothing");
	kill(alive, SIGKILL);
	waitpid(alive, NULL, 0);
	is_int(fileio_remove_stale_temps(tap_scratch_dir(), &err), 1,
	       "once that process is gone, its file goes");
	ok(fileio_remove_stale_temps("/nonexistent-ccapply-dir", &err) == -1 &&
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
	test_no_write_through_links();
	test_not_regular();
	test_stale_temps();
	tap_scratch_done();
	return done_testing();
}
