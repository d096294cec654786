/*
 * test-client-redact.c — unit tests of client/redact.c: which keys count as
 * credentials, redaction of a parsed tree at any depth (and only of those
 * keys), scrubbing the API secret out of text, and the trace writer, which
 * must print redacted one-line JSON and never a body it cannot redact.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/client-internal.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/json.h"
#include "lib/value.h"
#include "t/unit/tap.h"

#define K(s) s, sizeof(s) - 1

static void test_credential_keys(void)
{
	static const char *const yes[] = {
		"password", "PASSWORD", "api_key", "api_secret", "secret", "client_secret",
		"token", "access_token", "refresh_token", "private_key", "secret_key",
		"auth_token", "db_password", "oauth_token", "consumer_secret", "passphrase",
		"client_private_key", "secret_access_key", "api_token",
		/* Only the official definition says these hold secrets: */
		"pgp_pass_phrase", "sasl_plain_key", "connection_string", "role_arn",
	};
	static const char *const no[] = {
		"host", "user", "passwords", "password_hint", "secret_name", "token_url",
		"_token", "schema", "port", "api_keys",
	};
	size_t i;

	for (i = 0; i < sizeof yes / sizeof yes[0]; i++)
		ok(client_is_credential_key(yes[i], strlen(yes[i])), "'%s' is a credential",
		   yes[i]);
	for (i = 0; i < sizeof no / sizeof no[0]; i++)
		ok(!client_is_credential_key(no[i], strlen(no[i])), "'%s' is not", no[i]);
	ok(!client_is_credential_key(K("password\0x")), "a key with a NUL byte is not");
}

static char *redacted(const char *json)
{
	struct value *v = NULL;
	struct err err = { "", 0 };
	struct buf out = BUF_INIT;

	if (json_parse(json, strlen(json), &v, &err))
		return xstrdup(err.msg);
	client_redact_tree(v, NULL);
	json_write(&out, v, JSON_COMPACT);
	value_free(v);
	return buf_detach(&out);
}

static void test_redact_tree(void)
{
	char *got = redacted(
		"{\"service\":\"postgres\",\"token\":123,\"config\":{\"host\":\"db\","
		"\"password\":\"hunter2\",\"nested\":[{\"api_token\":\"t0k\",\"x\":1}],"
		"\"empty_password\":\"\",\"null_secret\":null,\"secret\":{\"a\":\"b\"},"
		"\"Client_Secret\":[\"s\"],\"list\":[\"password\"]}}");

	is_str(got,
	       "{\"service\":\"postgres\",\"token\":\"<redacted>\",\"config\":{\"host\":\"db\","
	       "\"password\":\"<redacted>\",\"nested\":[{\"api_token\":\"<redacted>\",\"x\":1}],"
	       "\"empty_password\":\"\",\"null_secret\":null,\"secret\":\"<redacted>\","
	       "\"Client_Secret\":\"<redacted>\",\"list\":[\"password\"]}}",
	       "credential values are redacted at any depth, nothing else is");
	free(got);
	got = redacted("[{\"password\":\"p\"},\"password\",{\"k\":{\"refresh_token\":\"r\"}}]");
	is_str(got, "[{\"password\":\"<redacted>\"},\"password\",{\"k\":{\"refresh_token\":"
	       "\"<redacted>\"}}]", "arrays at the top are walked too");
	free(got);
	got = redacted("{\"pass\\u0077ord\":\"escaped-key\"}");
	is_str(got, "{\"password\":\"<redacted>\"}", "an escaped key cannot hide a value");
	free(got);
}

static void scrubbed(const char *in, const char *secret, const char *expected)
{
	struct buf b = BUF_INIT;

	const char *list[] = { secret, NULL };

	buf_puts(&b, in);
	client_scrub_buf(&b, list);
	is_str(buf_str(&b), expected, "scrub '%s' of '%s'", in, secret ? secret : "(null)");
	buf_free(&b);
}

static void test_scrub(void)
{
	const char *const one[] = { "s3cr3t", NULL };
	char small[16];

	scrubbed("auth s3cr3t failed for s3cr3t", "s3cr3t",
		 "auth <redacted> failed for <redacted>");
	scrubbed("s3cr3t", "s3cr3t", "<redacted>");
	scrubbed("nothing here", "s3cr3t", "nothing here");
	scrubbed("aaaaaaa", "aaaaaa", "<redacted>a");
	scrubbed("a short secret s is left alone", "s", "a short secret s is left alone");
	scrubbed("keep", "", "keep");
	scrubbed("keep", NULL, "keep");
	scrubbed("", "x", "");

	snprintf(small, sizeof small, "x=s3cr3t!");
	client_scrub_str(small, sizeof small, one);
	is_str(small, "x=<redacted>!", "scrub in a fixed buffer");
	snprintf(small, sizeof small, "abcdefgh s3cr3t");
	client_scrub_str(small, sizeof small, one);
	is_str(small, "abcdefgh <redac", "a grown string is truncated, not overflowed");
}

/* The client scrubs the key, the secret and their Basic encoding from
 * everything it lets out, longest first: an error whose code echoes the
 * Authorization header or the secret leaves nothing behind. */
static void test_secrets_list(void)
{
	char **list = client_secrets_new("my-api-key", "my-api-secret-value");
	const char *const *secrets = (const char *const *)list;
	char text[256];

	/* base64("my-api-key:my-api-secret-value") */
	is_str(list[0], "bXktYXBpLWtleTpteS1hcGktc2VjcmV0LXZhbHVl",
	       "the first is the Basic credential");
	is_str(list[1], "my-api-secret-value", "then the secret");
	is_str(list[2], "my-api-key", "then the key");
	ok(list[3] == NULL, "and that is all");
	snprintf(text, sizeof text, "Basic bXktYXBpLWtleTpteS1hcGktc2VjcmV0LXZhbHVl; "
		 "code my-api-secret-value; key my-api-key");
	client_scrub_str(text, sizeof text, secrets);
	is_str(text, "Basic <redacted>; code <redacted>; key <redacted>",
	       "each is scrubbed from a string");
	client_secrets_free(list);
}

static char *traced(void (*fn)(FILE *f))
{
	FILE *f = tmpfile();
	struct buf out = BUF_INIT;
	char chunk[512];
	size_t n;

	if (!f)
		return xstrdup("tmpfile failed");
	fn(f);
	rewind(f);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&out, chunk, n);
	fclose(f);
	return buf_detach(&out);
}

static const char *const trace_secrets[] = { "S3CRET-VALUE", NULL };

static void trace_json(FILE *f)
{
	const char body[] = "{\n  \"config\": {\"password\": \"hunter2\", \"host\": \"h\"},\n"
			    "  \"note\": \"key S3CRET-VALUE echoed\"\n}";

	client_trace_body(f, trace_secrets, NULL, "> ", body, sizeof body - 1);
}

static void trace_not_json(FILE *f)
{
	const char body[] = "password=hunter2&x=";

	client_trace_body(f, trace_secrets, NULL, "< ", body, sizeof body - 1);
}

static void trace_lines(FILE *f)
{
	client_trace_line(f, trace_secrets, "< ", "error: two\nlines with S3CRET-VALUE");
	client_trace_body(f, NULL, NULL, "< ", "", 0);
}

static void test_trace(void)
{
	char *got = traced(trace_json);

	is_str(got, "> body: {\"config\":{\"password\":\"<redacted>\",\"host\":\"h\"},"
	       "\"note\":\"key <redacted> echoed\"}\n",
	       "a JSON body is traced on one line, redacted and scrubbed");
	free(got);
	got = traced(trace_not_json);
	ok(strstr(got, "hunter2") == NULL && strstr(got, "line 1, column 1") != NULL &&
	   strstr(got, "19 bytes") != NULL, "a body that is not JSON is described, not shown: %s",
	   got);
	free(got);
	got = traced(trace_lines);
	is_str(got, "< error: two lines with <redacted>\n< body: (empty)\n",
	       "trace lines are single lines with the secret scrubbed");
	free(got);
}

int main(void)
{
	test_credential_keys();
	test_redact_tree();
	test_scrub();
	test_secrets_list();
	test_trace();
	return done_testing();
}
