/*
 * http.c — one HTTP exchange over the client's single libcurl easy handle.
 *
 * The handle is configured once (TLS verification on, no signals, no
 * redirects, http/https only, HTTP Basic, timeouts, User-Agent) and reused for
 * every request so connections are kept alive. This layer performs exactly
 * one exchange and reports what happened — status, body, Retry-After, or a
 * network failure classified as "may have reached the server" or not — and
 * leaves every decision (retry, look up, give up) to client.c.
 *
 * Writes ask for a fresh connection: on a reused keep-alive connection that
 * dies before any response byte, libcurl silently re-sends the request, which
 * for a create would be exactly the blind re-send SPEC §3 forbids.
 */
#include "client/client-internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client/client.h"

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct http_response *rs = userdata;
	size_t n = size * nmemb;

	if (rs->body.len + n > HTTP_MAX_RESPONSE) {
		rs->too_large = true;
		return 0; /* makes curl fail with CURLE_WRITE_ERROR */
	}
	buf_append(&rs->body, data, n);
	return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct http_response *rs = userdata;
	size_t n = size * nmemb;
	static const char name[] = "retry-after:";
	size_t len;

	if (n >= 5 && !strncmp(data, "HTTP/", 5)) { /* a new response (after 100, say) */
		rs->has_retry_after = false;
		rs->retry_after[0] = '\0';
	} else if (n > sizeof name - 1 && !strncasecmp(data, name, sizeof name - 1)) {
		const char *value = data + sizeof name - 1;

		len = n - (sizeof name - 1);
		while (len > 0 && (*value == ' ' || *value == '\t')) {
			value++;
			len--;
		}
		if (len >= sizeof rs->retry_after)
			len = sizeof rs->retry_after - 1;
		memcpy(rs->retry_after, value, len);
		rs->retry_after[len] = '\0';
		rs->retry_after[strcspn(rs->retry_after, "\r\n")] = '\0';
		rs->has_retry_after = true;
	}
	return n;
}

static struct curl_slist *add_header(struct curl_slist *list, const char *h, bool *ok)
{
	struct curl_slist *l = curl_slist_append(list, h);

	if (!l) {
		*ok = false;
		return list;
	}
	return l;
}

static int build_headers(struct http *h, struct err *err)
{
	bool ok = true;

	h->headers_get = add_header(NULL, "Accept: application/json;version=2", &ok);
	h->headers_body = add_header(NULL, "Accept: application/json;version=2", &ok);
	h->headers_body = add_header(h->headers_body, "Content-Type: application/json", &ok);
	/* No "Expect: 100-continue" round trip before larger bodies. */
	h->headers_body = add_header(h->headers_body, "Expect:", &ok);
	if (!ok) {
		err_set(err, "cannot set up HTTP headers: out of memory");
		err->code = CLIENT_E_CONFIG;
		return -1;
	}
	return 0;
}

int http_init(struct http *h, const char *base_url, const char *api_key,
	      const char *api_secret, const char *const *secrets, long timeout_ms,
	      long connect_timeout_ms, FILE *trace, struct err *err)
{
	/* Plain http (only ever to loopback: client_url_check) never goes
	 * through a proxy, whatever http_proxy, HTTP_PROXY or ALL_PROXY say:
	 * the Authorization header would cross the network in clear text. An
	 * https URL may use one (CONNECT keeps the credentials inside TLS),
	 * except to loopback, which is always reached directly. */
	bool plain = !strncasecmp(base_url, "http://", 7);
	CURL *c;
	CURLcode rc = CURLE_OK;

	memset(h, 0, sizeof *h);
	h->secrets = secrets;
	h->trace = trace;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		err_set(err, "cannot initialise libcurl");
		err->code = CLIENT_E_CONFIG;
		return -1;
	}
	h->curl = c = curl_easy_init();
	if (!c) {
		curl_global_cleanup();
		err_set(err, "cannot create a libcurl handle");
		err->code = CLIENT_E_CONFIG;
		return -1;
	}
	if (build_headers(h, err)) {
		http_release(h);
		return -1;
	}
#define SET(opt, val) do { if (rc == CURLE_OK) rc = curl_easy_setopt(c, opt, val); } while (0)
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_NOPROGRESS, 1L);
	SET(CURLOPT_VERBOSE, 0L);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_NOPROXY, "localhost,127.0.0.0/8,::1");
	if (plain)
		SET(CURLOPT_PROXY, "");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_TIMEOUT_MS, timeout_ms);
	SET(CURLOPT_CONNECTTIMEOUT_MS, connect_timeout_ms);
	SET(CURLOPT_USERAGENT, "ccapply/" CCAPPLY_VERSION);
	SET(CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	SET(CURLOPT_USERNAME, api_key);
	SET(CURLOPT_PASSWORD, api_secret);
	SET(CURLOPT_ACCEPT_ENCODING, "");
	SET(CURLOPT_TCP_KEEPALIVE, 1L);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_ERRORBUFFER, h->errbuf);
#undef SET
	if (rc != CURLE_OK) {
		err_set(err, "cannot configure libcurl: %s", curl_easy_strerror(rc));
		err->code = CLIENT_E_CONFIG;
		http_release(h);
		return -1;
	}
	return 0;
}

void http_release(struct http *h)
{
	if (h->curl) {
		curl_easy_cleanup(h->curl);
		curl_global_cleanup();
	}
	curl_slist_free_all(h->headers_get);
	curl_slist_free_all(h->headers_body);
	memset(h, 0, sizeof *h);
}

void http_response_release(struct http_response *rs)
{
	buf_free(&rs->body);
}

/* Failures that no retry can fix (a certificate that does not verify, a
 * protocol curl refuses). */
static bool is_permanent(CURLcode rc)
{
	switch (rc) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_NOT_BUILT_IN:
	case CURLE_OUT_OF_MEMORY:
	case CURLE_BAD_FUNCTION_ARGUMENT:
	case CURLE_UNKNOWN_OPTION:
		return true;
	default:
		return false;
	}
}

static void classify_failure(struct http *h, CURLcode rc, struct http_response *rs)
{
	long request_size = 0;
	size_t len;

	rs->failed = true;
	curl_easy_getinfo(h->curl, CURLINFO_REQUEST_SIZE, &request_size);
	/* Nothing was written to the server unless some request bytes left. */
	rs->maybe_sent = request_size > 0;
	rs->retriable = !is_permanent(rc) && !rs->too_large;
	if (rs->too_large)
		snprintf(rs->error, sizeof rs->error, "response body larger than %u MiB",
			 HTTP_MAX_RESPONSE >> 20);
	else if (h->errbuf[0])
		snprintf(rs->error, sizeof rs->error, "%s", h->errbuf);
	else
		snprintf(rs->error, sizeof rs->error, "%s", curl_easy_strerror(rc));
	client_scrub_str(rs->error, sizeof rs->error, h->secrets);
	len = strlen(rs->error);
	while (len > 0 && (rs->error[len - 1] == ' ' || rs->error[len - 1] == '\n'))
		rs->error[--len] = '\0';
}

static void trace_request(struct http *h, const struct http_request *rq)
{
	struct buf line = BUF_INIT;

	if (!h->trace)
		return;
	buf_printf(&line, "%s %s", rq->method, rq->url);
	client_trace_line(h->trace, h->secrets, "> ", buf_str(&line));
	if (rq->body && h->trace_bodies)
		client_trace_body(h->trace, h->secrets, h->secret_keys, "> ", rq->body,
				  rq->body_len);
	buf_free(&line);
}

static void trace_response(struct http *h, const struct http_response *rs)
{
	struct buf line = BUF_INIT;

	if (!h->trace)
		return;
	if (rs->failed && rs->status)
		buf_printf(&line, "%ld, then error: %s (%ld ms)", rs->status, rs->error,
			   rs->elapsed_ms);
	else if (rs->failed)
		buf_printf(&line, "error: %s (%ld ms)", rs->error, rs->elapsed_ms);
	else
		buf_printf(&line, "%ld (%ld ms)", rs->status, rs->elapsed_ms);
	client_trace_line(h->trace, h->secrets, "< ", buf_str(&line));
	if (rs->has_retry_after)
		client_trace_line(h->trace, h->secrets, "< Retry-After: ", rs->retry_after);
	if (!rs->failed && h->trace_bodies)
		client_trace_body(h->trace, h->secrets, h->secret_keys, "< ", rs->body.data,
				  rs->body.len);
	buf_free(&line);
}

void http_exchange(struct http *h, const struct http_request *rq, struct http_response *rs)
{
	CURL *c = h->curl;
	CURLcode rc;
	double start;

	memset(rs, 0, sizeof *rs);
	buf_init(&rs->body);
	trace_request(h, rq);
	h->errbuf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, rq->url);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, rs);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, rs);
	curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, rq->fresh_connection ? 1L : 0L);
	if (rq->body) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h->headers_body);
	} else {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h->headers_get);
	}
	if (strcmp(rq->method, "GET") && strcmp(rq->method, "POST"))
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, rq->method);
	else
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, (char *)NULL);

	start = client_now();
	rc = curl_easy_perform(c);
	rs->elapsed_ms = (long)((client_now() - start) * 1000.0 + 0.5);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &rs->status);
	if (rc != CURLE_OK)
		classify_failure(h, rc, rs);
	/* The handle must not keep pointers into this request's memory. */
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, (char *)NULL);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, (void *)NULL);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, (void *)NULL);
	trace_response(h, rs);
}
