/*
 * redact.c — keeping credentials out of everything the client prints.
 *
 * Two mechanisms, because secrets reach output by two roads:
 *  - credential values inside JSON bodies (a connection config's password, a
 *    token): the body is parsed and the value of every credential key is
 *    replaced in the tree before it is serialized again. A credential key is
 *    any name some service of the official definition marks "format":
 *    "password" in its config or auth (the service catalog,
 *    catalog_is_credential_name), a name ending in _password, _secret or
 *    _token, or one of the plan's credential_fields. Working on the tree
 *    rather than on the text means escapes, nesting and key order cannot hide
 *    a value from the redactor.
 *  - the API key, the secret and their HTTP Basic encoding (base64 of
 *    "key:secret"), which could surface in curl's error text, a proxy's
 *    answer or a server's error code or message: every string the client
 *    emits (trace lines, error messages, api_status.code and .message) is
 *    scrubbed of each by plain substring replacement. What leaves the
 *    client is what the state file, the journal, results.md and every
 *    command's output are made of, so this is the one place it happens.
 * Null and empty-string values are left alone: they hold no secret, and
 * seeing that a create sent "" for a password is what a --debug user wants.
 */
#include "client/client-internal.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog/catalog.h"
#include "lib/json.h"

char **client_secrets_new(const char *api_key, const char *api_secret)
{
	char **list = xcalloc(CLIENT_SECRETS_MAX, sizeof *list);
	struct buf pair = BUF_INIT;
	size_t n = 0;

	buf_printf(&pair, "%s:%s", api_key, api_secret);
	/* Longest first, so the Basic credential is scrubbed whole. */
	list[n] = xmalloc(4 * ((pair.len + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)list[n++], (const unsigned char *)pair.data,
			(int)pair.len);
	list[n++] = xstrdup(api_secret);
	list[n++] = xstrdup(api_key);
	memset(pair.data, 0, pair.len);
	buf_free(&pair);
	return list;
}

void client_secrets_free(char **secrets)
{
	char **s;

	for (s = secrets; s && *s; s++) {
		memset(*s, 0, strlen(*s));
		free(*s);
	}
	free(secrets);
}

/* Beyond the names the definition marks, a name no service of it has may
 * still hold a secret (a connector newer than the definition, a key a plan
 * made up): these endings are taken as credentials too. */
static const char *const credential_suffixes[] = { "_password", "_secret", "_token" };

bool client_is_credential_key(const char *key, size_t len)
{
	size_t i;

	if (memchr(key, '\0', len))
		return false; /* keys with NUL bytes are never real config keys */
	if (catalog_is_credential_name(key, len))
		return true;
	for (i = 0; i < sizeof credential_suffixes / sizeof credential_suffixes[0]; i++) {
		size_t n = strlen(credential_suffixes[i]);

		if (len > n && !strncasecmp(key + len - n, credential_suffixes[i], n))
			return true;
	}
	return false;
}

/* memmem is a GNU extension; this is the portable few lines it replaces. */
static const char *find_bytes(const char *hay, size_t hay_len, const char *needle, size_t n)
{
	const char *p = hay, *end = hay + hay_len;

	while ((size_t)(end - p) >= n) {
		const char *c = memchr(p, needle[0], (size_t)(end - p) - n + 1);

		if (!c)
			return NULL;
		if (!memcmp(c, needle, n))
			return c;
		p = c + 1;
	}
	return NULL;
}

static bool holds_no_secret(const struct value *v)
{
	return v->type == VALUE_NULL || (v->type == VALUE_STRING && v->u.str.len == 0);
}

static bool is_extra_key(const char *key, size_t len, const char *const *extra_keys)
{
	for (; extra_keys && *extra_keys; extra_keys++)
		if (strlen(*extra_keys) == len && !strncasecmp(key, *extra_keys, len))
			return true;
	return false;
}

void client_redact_tree(struct value *v, const char *const *extra_keys)
{
	size_t i;

	if (!v)
		return;
	if (v->type == VALUE_ARRAY) {
		for (i = 0; i < v->u.arr.n; i++)
			client_redact_tree(v->u.arr.items[i], extra_keys);
		return;
	}
	if (v->type != VALUE_OBJECT)
		return;
	for (i = 0; i < v->u.obj.n; i++) {
		struct member *m = &v->u.obj.items[i];

		if (!client_is_credential_key(m->key, m->keylen) &&
		    !is_extra_key(m->key, m->keylen, extra_keys)) {
			client_redact_tree(m->val, extra_keys);
		} else if (!holds_no_secret(m->val)) {
			value_free(m->val);
			m->val = value_new_cstring(CLIENT_REDACTED);
		}
	}
}

/* Replace every occurrence of needle in b. */
static void scrub_one(struct buf *b, const char *needle)
{
	struct buf out = BUF_INIT;
	size_t n = strlen(needle), pos = 0;
	const char *hit;

	if (n < CLIENT_MIN_SCRUB_LEN || !b->data || b->len == 0 ||
	    !find_bytes(b->data, b->len, needle, n))
		return;
	while ((hit = find_bytes(b->data + pos, b->len - pos, needle, n))) {
		buf_append(&out, b->data + pos, (size_t)(hit - (b->data + pos)));
		buf_puts(&out, CLIENT_REDACTED);
		pos = (size_t)(hit - b->data) + n;
	}
	buf_append(&out, b->data + pos, b->len - pos);
	buf_free(b);
	*b = out;
}

void client_scrub_buf(struct buf *b, const char *const *secrets)
{
	for (; secrets && *secrets; secrets++)
		scrub_one(b, *secrets);
}

static bool holds_any(const char *s, const char *const *secrets)
{
	for (; secrets && *secrets; secrets++)
		if (strlen(*secrets) >= CLIENT_MIN_SCRUB_LEN && strstr(s, *secrets))
			return true;
	return false;
}

void client_scrub_str(char *s, size_t size, const char *const *secrets)
{
	struct buf b = BUF_INIT;
	size_t n;

	if (size == 0 || !holds_any(s, secrets))
		return;
	buf_puts(&b, s);
	client_scrub_buf(&b, secrets);
	n = b.len < size - 1 ? b.len : size - 1;
	memcpy(s, b.data, n);
	s[n] = '\0';
	buf_free(&b);
}

void client_trace_line(FILE *f, const char *const *secrets, const char *prefix,
		       const char *text)
{
	struct buf line = BUF_INIT;
	size_t i;

	if (!f)
		return;
	buf_puts(&line, prefix);
	buf_puts(&line, text);
	client_scrub_buf(&line, secrets);
	for (i = 0; i < line.len; i++) /* one event, one line */
		if (line.data[i] == '\n' || line.data[i] == '\r' || line.data[i] == '\0')
			line.data[i] = ' ';
	buf_putc(&line, '\n');
	fwrite(line.data, 1, line.len, f);
	fflush(f);
	buf_free(&line);
}

void client_trace_body(FILE *f, const char *const *secrets, const char *const *extra_keys,
		       const char *prefix, const char *data, size_t len)
{
	struct buf text = BUF_INIT;
	struct value *v = NULL;
	struct err perr = { "", 0 };

	if (!f)
		return;
	if (len == 0) {
		buf_puts(&text, "body: (empty)");
	} else if (json_parse(data, len, &v, &perr) == 0) {
		client_redact_tree(v, extra_keys);
		buf_puts(&text, "body: ");
		json_write(&text, v, JSON_COMPACT);
		value_free(v);
	} else {
		/* Only the position: the parser's explanation may quote the body. */
		perr.msg[strcspn(perr.msg, ":")] = '\0';
		buf_printf(&text, "body: (%zu bytes, not shown: not valid JSON at %s)", len,
			   perr.msg);
	}
	client_trace_line(f, secrets, prefix, buf_str(&text));
	buf_free(&text);
}
