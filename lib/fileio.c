/*
 * fileio.c — atomic file replacement (see fileio.h): temp + fsync + rename +
 * directory fsync (which the caller may defer). The temp name carries the
 * pid so two processes never share one, and so that a temp left by a killed
 * writer can be told from a live writer's: remove_stale_temps() asks the
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

int fsync_parent_dir(const char *path, struct err *err)
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

int write_file_atomic_flags(const char *path, const void *data, size_t len, unsigned flags,
			    struct err *err)
{
	struct buf tmp = BUF_INIT;
	int fd, saved;

	buf_printf(&tmp, "%s" TEMP_INFIX "%ld", path, (long)getpid());
	fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
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
		fsync_parent_dir(path, &ignored);
	}
	return 0;
}

int write_file_atomic(const char *path, const void *data, size_t len, struct err *err)
{
	return write_file_atomic_flags(path, data, len, 0, err);
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

int remove_stale_temps(const char *dir, struct err *err)
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
