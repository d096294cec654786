/*
 * fileio.c — atomic file replacement (see fileio.h): temp + fsync + rename +
 * directory fsync (which the caller may defer). The temp name carries the
 * pid so two processes never share one, and so that a temp left by a killed
 * writer can be told from a live writer's: fileio_remove_stale_temps() asks the
 * kernel whether that pid still runs.
 */
#include "lib/fileio.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/buf.h"

#define TEMP_INFIX ".tmp."

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int fileio_fsync_parent_dir(const char *path, struct err *err)
{
	char *copy = xstrdup(path);
	const char *dir = dirname(copy);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0 || fsync(fd)) {
		/* Some file systems cannot fsync a directory (EINVAL): nothing to do. */
		if (errno != EINVAL)
			rc = err_set(err, "cannot sync the directory %s: %s", dir, strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	free(copy);
	return rc;
}

/* "a FIFO", "a directory"...: what a file that is not regular is. */
static const char *file_kind(mode_t mode)
{
	return S_ISDIR(mode) ? "a directory" : S_ISFIFO(mode) ? "a FIFO" :
	       S_ISCHR(mode) ? "a character device" : S_ISBLK(mode) ? "a block device" :
	       S_ISSOCK(mode) ? "a socket" : S_ISLNK(mode) ? "a symbolic link" :
	       "not a regular file";
}

/* Create the temporary file tmp exclusively, never through a link: a file
 * or link already at that name (left by a dead process that had our pid,
 * or planted) is removed and the create tried once more. */
static int create_temp(const char *tmp)
{
	int i, fd = -1;

	for (i = 0; i < 2 && fd < 0; i++) {
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0 && (errno != EEXIST || (unlink(tmp) && errno != ENOENT)))
			return -1;
	}
	return fd;
}

int fileio_write_atomic_flags(const char *path, const void *data, size_t len, unsigned flags,
			      struct err *err)
{
	struct buf tmp = BUF_INIT;
	struct stat sb;
	int fd, saved;

	if (!lstat(path, &sb) && !S_ISREG(sb.st_mode) && !S_ISLNK(sb.st_mode))
		return err_set(err, "cannot write %s: it exists and is %s, not a regular file; "
			       "ccapply replaces only regular files", path, file_kind(sb.st_mode));
	buf_printf(&tmp, "%s" TEMP_INFIX "%ld", path, (long)getpid());
	fd = create_temp(tmp.data);
	if (fd < 0) {
		err_set(err, "cannot write %s: %s", path, strerror(errno));
		buf_free(&tmp);
		return -1;
	}
	if (write_all(fd, data, len) || fsync(fd)) {
		saved = errno;
		close(fd);
		unlink(tmp.data);
		buf_free(&tmp);
		return err_set(err, "cannot write %s: %s", path, strerror(saved));
	}
	if (close(fd) || rename(tmp.data, path)) {
		saved = errno;
		unlink(tmp.data);
		buf_free(&tmp);
		return err_set(err, "cannot write %s: %s", path, strerror(saved));
	}
	buf_free(&tmp);
	if (!(flags & FILEIO_DEFER_DIR_SYNC)) {
		struct err ignored;
		/* The file is in place; failing to make the rename durable now
		 * is not worth failing the write for (as before: best effort). */
		fileio_fsync_parent_dir(path, &ignored);
	}
	return 0;
}

int fileio_write_atomic(const char *path, const void *data, size_t len, struct err *err)
{
	return fileio_write_atomic_flags(path, data, len, 0, err);
}

/* Open path for reading and check, on the descriptor, that it is a regular
 * file within the bound. Returns the descriptor, or -1 with err set. */
static int open_input(const char *path, unsigned flags, struct stat *sb, struct err *err)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC |
		      (flags & FILEIO_NOFOLLOW ? O_NOFOLLOW : 0));

	if (fd < 0) {
		int saved = errno;
		if (saved == ELOOP && (flags & FILEIO_NOFOLLOW))
			err_set(err, "%s: is a symbolic link; ccapply does not follow links to the "
				"files it writes: put the file itself there", path);
		else
			err_set(err, "%s: %s", path, strerror(saved));
		err->code = saved;
		return -1;
	}
	if (fstat(fd, sb)) {
		err_set(err, "%s: %s", path, strerror(errno));
	} else if (!S_ISREG(sb->st_mode)) {
		err_set(err, "%s: not a regular file (it is %s)", path, file_kind(sb->st_mode));
	} else if ((long long)sb->st_size > FILEIO_INPUT_MAX) {
		err_set(err, "%s: %lld bytes, more than the %lld MiB ccapply reads from a file",
			path, (long long)sb->st_size, FILEIO_INPUT_MAX >> 20);
	} else {
		return fd;
	}
	close(fd);
	return -1;
}

/* Read fd to its end into out, at most FILEIO_INPUT_MAX bytes. */
static int read_bounded(int fd, const char *path, struct buf *out, struct err *err)
{
	char chunk[65536];
	size_t start = out->len;

	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_set(err, "%s: %s", path, strerror(errno));
		if (n == 0)
			break;
		if ((long long)(out->len - start) + n > FILEIO_INPUT_MAX)
			return err_set(err, "%s: more than the %lld MiB ccapply reads from a file",
				       path, FILEIO_INPUT_MAX >> 20);
		buf_append(out, chunk, (size_t)n);
	}
	if (!out->data)
		buf_append(out, "", 0);
	return 0;
}

int fileio_read_input(const char *path, unsigned flags, struct buf *out, struct err *err)
{
	struct stat sb;
	int fd, rc;

	err->code = 0;
	if (!strcmp(path, "-"))
		return read_bounded(STDIN_FILENO, "standard input", out, err);
	fd = open_input(path, flags, &sb, err);
	if (fd < 0)
		return -1;
	rc = read_bounded(fd, path, out, err);
	close(fd);
	return rc;
}

FILE *fileio_fopen_input(const char *path, unsigned flags, struct err *err)
{
	struct stat sb;
	int fd;
	FILE *f;

	err->code = 0;
	fd = open_input(path, flags, &sb, err);
	if (fd < 0)
		return NULL;
	f = fdopen(fd, "rb");
	if (!f) {
		err_set(err, "%s: %s", path, strerror(errno));
		close(fd);
	}
	return f;
}

/* The pid of a temporary file's name ("<name>.tmp.<digits>"), or 0. */
static long temp_pid(const char *name)
{
	const char *infix = NULL, *p;
	long pid = 0;

	for (p = strstr(name, TEMP_INFIX); p; p = strstr(p + 1, TEMP_INFIX))
		infix = p;
	if (!infix || infix == name)
		return 0;
	for (p = infix + strlen(TEMP_INFIX); *p; p++) {
		if (!isdigit((unsigned char)*p) || pid > 99999999)
			return 0;
		pid = pid * 10 + (*p - '0');
	}
	return p == infix + strlen(TEMP_INFIX) ? 0 : pid;
}

static bool process_gone(long pid)
{
	return pid > 0 && pid != (long)getpid() && kill((pid_t)pid, 0) && errno == ESRCH;
}

int fileio_remove_stale_temps(const char *dir, struct err *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int removed = 0;

	if (!d)
		return err_set(err, "cannot read the directory %s: %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		struct stat sb;

		if (!process_gone(temp_pid(e->d_name)) ||
		    fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) || !S_ISREG(sb.st_mode))
			continue;
		if (!unlinkat(dirfd(d), e->d_name, 0))
			removed++;
	}
	closedir(d);
	return removed;
}
