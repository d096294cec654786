/*
 * sanitize.h — untrusted text made safe for a terminal, a stream or a file.
 *
 * Report messages and contexts, API error messages, names and config values
 * come from outside; a raw ESC or CSI in them could move the cursor, rewrite
 * what a reviewer sees or change a terminal's title. Every such text passes
 * through here before any sink (stdout, stderr, results.md): control
 * characters are shown escaped, never sent — C0 and DEL as \xNN, C1
 * (U+0080–U+009F) as \u00NN, and every byte that does not begin a
 * well-formed UTF-8 sequence as \xNN (a lone 0x9b is a CSI to some
 * terminals). Everything else, other UTF-8 included, is kept as is.
 *
 * Who may call: everyone. Ownership: the caller's buffer.
 */
#ifndef CCAPPLY_SANITIZE_H
#define CCAPPLY_SANITIZE_H

#include "lib/buf.h"

enum sanitize_mode {
	SANITIZE_LINE,      /* one line: \n, \r and \t are escaped too */
	SANITIZE_SPACES,    /* one line: \n, \r and \t become spaces */
	SANITIZE_MULTILINE, /* \n and \t are kept (messages with hint lines) */
};

/* Append s (NULL: nothing) to out, sanitized. */
void sanitize_append(struct buf *out, const char *s, enum sanitize_mode mode);

#endif
