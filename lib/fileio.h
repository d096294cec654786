/*
 * fileio.h — durable file replacement.
 *
 * write_file_atomic() writes to a temporary file in the same directory,
 * fsyncs it, renames it over the target and fsyncs the directory, so a crash
 * or kill at any moment leaves either the old file or the new one, never a
 * torn mix. Used for results.md, ccapply.lock and saved plans.
 *
 * Who may call: everyone. Ownership: nothing retained.
 */
#ifndef CCAPPLY_FILEIO_H
#define CCAPPLY_FILEIO_H

#include <stddef.h>

#include "lib/err.h"

int write_file_atomic(const char *path, const void *data, size_t len, struct err *err);

#endif
