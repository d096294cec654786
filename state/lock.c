/*
 * lock.c — the apply lock (see state.h): ccapply.lock.lck, held with
 * flock(2) for the whole apply, carrying "pid P\nhost H\nstarted T\n".
 *
 * flock rather than a pid file: the kernel drops the lock when its holder
 * exits, however it exits, so a file left behind by a killed apply never
 * blocks the next one and no staleness guess is needed. The text inside is
 * only for the refusal message.
 *
 * The holder unlinks the file while it still holds the lock, and whoever
 * takes the lock checks that the path still names the file it locked
 * (retrying otherwise). Together these close the race in which a process
 * locks a file that has just been unlinked while a third process creates
 * and locks a new one, which would leave two holders.
 *
 * The lock file is never a way to write elsewhere: it is opened with
 * O_NOFOLLOW (a symbolic link there, say one committed to the repository,
 * is refused, and its target neither truncated nor unlinked) and
 * O_NONBLOCK, and must be a regular file with no other hard link before
 * anything is written into it. Release unlinks the name only while it
 * still names the file this process locked (lstat, not stat).
 */
#include "state/state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"

#define HOLDER_MAX 1024 /* bytes of holder text read for the message */
#define ACQUIRE_TRIES 16

struct state_lock {
	int fd;
	char *path;
	dev_t dev;
	ino_t ino;
};

static int write_all_at0(int fd, const char *data, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = pwrite(fd, data + off, len - off, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

/* "pid P\nhost H\nstarted T\n" for this process, now. */
static void holder_text(struct buf *out)
{
	char host[256] = "unknown";
	char when[32] = "unknown";
	struct tm tm;
	time_t now = time(NULL);

	if (gethostname(host, sizeof host - 1))
		snprintf(host, sizeof host, "unknown");
	host[sizeof host - 1] = '\0';
	if (gmtime_r(&now, &tm))
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	buf_printf(out, "pid %ld\nhost %s\nstarted %s\n", (long)getpid(), host, when);
}

static int record_holder(int fd)
{
	struct buf text = BUF_INIT;
	int rc;

	holder_text(&text);
	rc = ftruncate(fd, 0) || write_all_at0(fd, text.data, text.len) || fsync(fd) ? -1 : 0;
	buf_free(&text);
	return rc;
}

/* The value of "KEY value" in the holder text, printable characters only
 * (the file is anyone's to write), or "?" when absent. */
static void holder_field(const char *text, const char *key, char *out, size_t n)
{
	size_t klen = strlen(key), i = 0;
	const char *p = text;

	snprintf(out, n, "?");
	while (p && *p) {
		if (!strncmp(p, key, klen) && p[klen] == ' ') {
			for (p += klen + 1; *p && *p != '\n' && i + 1 < n; p++)
				out[i++] = (*p >= 0x20 && *p < 0x7f) ? *p : '?';
			out[i] = '\0';
			if (i == 0)
				snprintf(out, n, "?");
			return;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
}

/* "another ccapply apply is running in DIR": DIR is the lock's directory,
 * path up to its last slash. */
static int refuse(int fd, const char *path, struct err *err)
{
	char text[HOLDER_MAX + 1], pid[32], host[128], since[48];
	ssize_t n = pread(fd, text, HOLDER_MAX, 0);
	const char *slash = strrchr(path, '/');
	int dir_len = slash ? (int)(slash - path) : 1;
	const char *dir = slash ? path : ".";

	text[n > 0 ? n : 0] = '\0';
	holder_field(text, "pid", pid, sizeof pid);
	holder_field(text, "host", host, sizeof host);
	holder_field(text, "started", since, sizeof since);
	return err_set(err, "another ccapply apply is running in %.*s (pid %s on %s since %s); "
		       "wait for it to finish or stop it", dir_len, dir, pid, host, since);
}

/* Does path still name the file open on fd? */
static int same_file(int fd, const char *path, struct stat *held)
{
	struct stat now;

	if (fstat(fd, held) || lstat(path, &now))
		return 0;
	return held->st_dev == now.st_dev && held->st_ino == now.st_ino;
}

/* Open the lock file, never through a link; -1 with err set. */
static int open_lock_file(const char *path, struct err *err)
{
	struct stat sb;
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);

	if (fd < 0 && errno == ELOOP)
		return err_set(err, "the apply lock %s is a symbolic link; ccapply does not "
			       "follow links to the files it writes: remove it", path);
	if (fd < 0)
		return err_set(err, "cannot open the apply lock %s: %s", path, strerror(errno));
	if (fstat(fd, &sb))
		err_set(err, "cannot open the apply lock %s: %s", path, strerror(errno));
	else if (!S_ISREG(sb.st_mode))
		err_set(err, "the apply lock %s is not a regular file; remove it", path);
	else if (sb.st_nlink > 1)
		err_set(err, "the apply lock %s has another hard link, which ccapply would write "
			"through; remove it", path);
	else
		return fd;
	close(fd);
	return -1;
}

/* One attempt: 1 locked, 0 lost a race with a release (try again), -1 error. */
static int try_lock(const char *path, struct state_lock *lock, struct err *err)
{
	struct stat held;
	int fd = open_lock_file(path, err);

	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX | LOCK_NB)) {
		int saved = errno;
		if (saved == EINTR)
			continue;
		if (saved == EWOULDBLOCK)
			refuse(fd, path, err);
		else
			err_set(err, "cannot lock %s: %s", path, strerror(saved));
		close(fd);
		return -1;
	}
	if (!same_file(fd, path, &held)) {
		close(fd);
		return 0;
	}
	if (record_holder(fd)) {
		err_set(err, "cannot write the apply lock %s: %s", path, strerror(errno));
		unlink(path);
		close(fd);
		return -1;
	}
	lock->fd = fd;
	lock->dev = held.st_dev;
	lock->ino = held.st_ino;
	return 1;
}

int state_lock_acquire(const char *path, struct state_lock **out, struct err *err)
{
	struct state_lock *lock = xcalloc(1, sizeof *lock);
	int i, rc = 0;

	*out = NULL;
	for (i = 0; i < ACQUIRE_TRIES && rc == 0; i++)
		rc = try_lock(path, lock, err);
	if (rc <= 0) {
		if (rc == 0)
			err_set(err, "cannot take the apply lock %s: it keeps being replaced", path);
		free(lock);
		return -1;
	}
	lock->path = xstrdup(path);
	*out = lock;
	return 0;
}

void state_lock_release(struct state_lock *lock)
{
	struct stat now;

	if (!lock)
		return;
	if (!lstat(lock->path, &now) && now.st_dev == lock->dev && now.st_ino == lock->ino)
		unlink(lock->path);
	flock(lock->fd, LOCK_UN);
	close(lock->fd);
	free(lock->path);
	free(lock);
}
