/*
 * memfile.c — one memfd per fuzz process, rewritten for every input (see
 * memfile.h). The fd and its name are process-wide statics: libFuzzer calls
 * the target from one thread, and the file must outlive each call.
 */
#define _GNU_SOURCE /* memfd_create */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz/memfile.h"

static int memfile_fd = -1;
static char memfile_path[64];

static void memfile_die(const char *what)
{
	perror(what);
	abort();
}

const char *memfile_put(const uint8_t *data, size_t size)
{
	size_t done = 0;

	if (memfile_fd < 0) {
		memfile_fd = memfd_create("fuzz-input", MFD_CLOEXEC);
		if (memfile_fd < 0)
			memfile_die("memfd_create");
		snprintf(memfile_path, sizeof memfile_path, "/proc/self/fd/%d", memfile_fd);
	}
	if (ftruncate(memfile_fd, 0))
		memfile_die("ftruncate");
	while (done < size) {
		ssize_t n = pwrite(memfile_fd, data + done, size - done, (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			memfile_die("pwrite");
		done += (size_t)n;
	}
	return memfile_path;
}
