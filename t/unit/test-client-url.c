/*
 * test-client-url.c — unit tests of the base-URL rule (client/url.c) and of
 * what client_new refuses before any network I/O: https everywhere, plain
 * http only to loopback, no credentials/query/fragment in the URL, missing
 * API credentials, and a write in read-only mode (refused without a request:
 * the URL points at a port nothing listens on, and attempts stays 0).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/client-internal.h"
#include "client/client.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/value.h"
#include "t/unit/tap.h"

static void accepts(const char *url, const char *expected)
{
	char *norm = NULL;
	struct err err = { "", 0 };

	if (client_url_check(url, &norm, &err)) {
		ok(0, "accepts %s (refused: %s)", url, err.msg);
		return;
	}
	is_str(norm, expected, "accepts %s", url);
	free(norm);
}

static void refuses(const char *url, const char *must_mention)
{
	char *norm = NULL;
	struct err err = { "", 0 };
	int ret = client_url_check(url, &norm, &err);

	ok(ret == -1 && err.code == CLIENT_E_CONFIG && !norm, "refuses %s", url);
	ok(strstr(err.msg, must_mention) != NULL, "  and says '%s': %s", must_mention, err.msg);
}

static void test_url_rule(void)
{
	accepts("https://api.fivetran.com", "https://api.fivetran.com");
	accepts("https://api.fivetran.com/", "https://api.fivetran.com");
	accepts("https://proxy.example.com:8443/fivetran//",
		"https://proxy.example.com:8443/fivetran");
	accepts("http://127.0.0.1:8080", "http://127.0.0.1:8080");
	accepts("http://127.1.2.3/", "http://127.1.2.3");
	accepts("http://localhost:9/", "http://localhost:9");
	accepts("http://LocalHost", "http://LocalHost");
	accepts("http://[::1]:4000", "http://[::1]:4000");

	refuses("http://example.com", "http://example.com");
	refuses("http://example.com/v1", "use https://");
	refuses("http://10.0.0.1:8080", "'10.0.0.1'");
	refuses("http://128.0.0.1", "128.0.0.1");
	refuses("http://127.0.0.1.evil.example", "127.0.0.1.evil.example");
	refuses("http://localhost.evil.example", "localhost.evil.example");
	refuses("http://[::2]", "[::2]");
	refuses("ftp://api.fivetran.com", "unsupported scheme 'ftp'");
	refuses("api.fivetran.com", "no scheme");
	refuses("", "empty");
	refuses("https://", "not a valid URL");
	refuses("https://api.fivetran.com/?x=1", "query or fragment");
	refuses("https://api.fivetran.com/#top", "query or fragment");
	refuses("https://key:hunter2@api.fivetran.com", "credentials in the URL");
	refuses("https://api.fivetran.com/v1", "leave out the /v1");
	refuses("https://api.fivetran.com/v1/", "leave out the /v1");
	refuses("http://127.0.0.1:8080/V1", "leave out the /v1");
	accepts("https://proxy.example.com/v1x", "https://proxy.example.com/v1x");
}

static void test_url_password_not_echoed(void)
{
	char *norm = NULL;
	struct err err = { "", 0 };

	client_url_check("https://key:hunter2@api.fivetran.com/", &norm, &err);
	ok(strstr(err.msg, "hunter2") == NULL, "a password in the URL is not echoed: %s", err.msg);
}

static void test_loopback(void)
{
	ok(client_url_host_is_loopback("127.0.0.1"), "127.0.0.1 is loopback");
	ok(client_url_host_is_loopback("127.255.255.254"), "127.255.255.254 is loopback");
	ok(client_url_host_is_loopback("[::1]"), "[::1] is loopback");
	ok(client_url_host_is_loopback("::1"), "::1 is loopback");
	ok(client_url_host_is_loopback("[::ffff:127.0.0.1]"), "v4-mapped 127.0.0.1 is loopback");
	ok(client_url_host_is_loopback("localhost"), "localhost is loopback");
	ok(!client_url_host_is_loopback("126.0.0.1"), "126.0.0.1 is not");
	ok(!client_url_host_is_loopback("[::ffff:10.0.0.1]"), "v4-mapped 10.0.0.1 is not");
	ok(!client_url_host_is_loopback("mylocalhost"), "mylocalhost is not");
	ok(!client_url_host_is_loopback(""), "empty is not");
}

static void test_escape(void)
{
	struct buf b = BUF_INIT;

	client_url_escape(&b, "a b/c?d&e=f#g%");
	is_str(buf_str(&b), "a%20b%2Fc%3Fd%26e%3Df%23g%25", "reserved characters are escaped");
	buf_reset(&b);
	client_url_escape(&b, "Az09-._~");
	is_str(buf_str(&b), "Az09-._~", "unreserved characters are kept");
	buf_reset(&b);
	client_url_escape(&b, "\xc3\xa9");
	is_str(buf_str(&b), "%C3%A9", "UTF-8 is percent-encoded byte by byte");
	buf_free(&b);
}

static void test_client_new(void)
{
	struct client_options o;
	struct client *c = NULL;
	struct err err = { "", 0 };

	memset(&o, 0, sizeof o);
	o.base_url = "http://127.0.0.1:1";
	o.api_key = "key";
	ok(client_new(&o, &c, &err) == -1 && err.code == CLIENT_E_CONFIG && !c,
	   "missing secret is refused");
	ok(strstr(err.msg, "FIVETRAN_APISECRET") != NULL, "  naming the variable: %s", err.msg);

	o.api_secret = "s3cr3t-value";
	o.base_url = "http://api.example.com";
	ok(client_new(&o, &c, &err) == -1 && err.code == CLIENT_E_CONFIG,
	   "http to a remote host is refused by client_new");
	ok(strstr(err.msg, "http://api.example.com") != NULL, "  naming the URL: %s", err.msg);

	o.base_url = "http://127.0.0.1:1";
	o.create_rate_count = -5;
	ok(client_new(&o, &c, &err) == -1 && err.code == CLIENT_E_CONFIG,
	   "a bad create rate is refused");
	o.create_rate_count = 0;

	o.base_url = NULL;
	ok(client_new(&o, &c, &err) == 0 && c, "the default base URL is accepted");
	client_free(c);
}

static void test_read_only(void)
{
	struct client_options o;
	struct client *c = NULL;
	struct err err = { "", 0 };
	struct api_status st;
	struct value *body = value_new_object(), *out = NULL;

	memset(&o, 0, sizeof o);
	o.base_url = "http://127.0.0.1:1";
	o.api_key = "key";
	o.api_secret = "s3cr3t-value";
	o.read_only = true;
	value_object_put_c(body, "group_id", value_new_cstring("g1"));
	if (client_new(&o, &c, &err)) {
		ok(0, "client_new: %s", err.msg);
		value_free(body);
		return;
	}
	ok(client_create_connection(c, body, "s1", &out, &st, &err) == -1 &&
	   err.code == CLIENT_E_READ_ONLY && !out, "read-only refuses a connection create");
	is_int(st.attempts, 0, "  without sending anything");
	ok(strstr(err.msg, "POST /v1/connections") != NULL, "  naming the endpoint: %s", err.msg);
	ok(client_create_transformation(c, body, "g1", &out, &st, &err) == -1 &&
	   err.code == CLIENT_E_READ_ONLY && st.attempts == 0,
	   "read-only refuses a transformation create");
	client_free(c);
	value_free(body);
}

int main(void)
{
	test_url_rule();
	test_url_password_not_echoed();
	test_loopback();
	test_escape();
	test_client_new();
	test_read_only();
	return done_testing();
}
