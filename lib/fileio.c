/*
 * fileio.c — atomic file replacement (see fileio.h): temp + fsync + rename +
 * directory fsync. The temp name carries the pid so two processes never
 * share one.
 */
#include "lib/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"

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

static void fsync_parent(const char *path)
{
	char *copy = xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

int write_file_atomic(const char *path, const void *data, size_t len, struct err *err)
{
	struct buf tmp = BUF_INIT;
	int fd, saved;

	buf_printf(&tmp, "%s.tmp.%ld", path, (long)getpid());
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
	fsync_parent(path);
	buf_free(&tmp);
	return 0;
}
