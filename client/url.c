/*
 * url.c — the base-URL safety rule and URL escaping for the API client.
 *
 * The base URL comes from the user (--api-url, FIVETRAN_API_URL), and the
 * client sends the API secret to it, so it is checked before anything else:
 * curl's own URL parser (curl_url) takes it apart — the same parser that will
 * later fetch it, so there is no second opinion about what the host is — and
 * only https is accepted, except plain http to a loopback host (the simulator
 * and local proxies). Credentials, a query or a fragment in the base URL are
 * refused: the first would leak into logs, the others would make every
 * request URL ambiguous. Escaping is curl_easy_escape (RFC 3986 unreserved
 * characters kept, everything else %XX), so ids and names cannot break out of
 * their path segment or query value.
 */
#include "client/client-internal.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "client/client.h"

bool client_url_host_is_loopback(const char *host)
{
	char text[INET6_ADDRSTRLEN + 64];
	unsigned char addr[sizeof(struct in6_addr)];
	size_t len;
	char *zone;

	if (!host || !*host)
		return false;
	if (!strcasecmp(host, "localhost") || !strcasecmp(host, "localhost."))
		return true;
	if (inet_pton(AF_INET, host, addr) == 1)
		return addr[0] == 127;
	len = strlen(host);
	if (host[0] == '[' && len >= 2 && host[len - 1] == ']') {
		host++;
		len -= 2;
	}
	if (len >= sizeof text)
		return false;
	memcpy(text, host, len);
	text[len] = '\0';
	zone = strchr(text, '%');
	if (zone)
		*zone = '\0';
	if (inet_pton(AF_INET6, text, addr) != 1)
		return false;
	if (IN6_IS_ADDR_LOOPBACK((struct in6_addr *)addr))
		return true;
	/* ::ffff:127.x.y.z is IPv4 loopback in IPv6 clothing. */
	return IN6_IS_ADDR_V4MAPPED((struct in6_addr *)addr) && addr[12] == 127;
}

static bool url_has_part(CURLU *u, CURLUPart part)
{
	char *s = NULL;
	CURLUcode rc = curl_url_get(u, part, &s, 0);

	curl_free(s);
	return rc == CURLUE_OK;
}

static int config_error(struct err *err, const char *fmt, const char *url, const char *detail)
{
	err_set(err, fmt, url, detail);
	err->code = CLIENT_E_CONFIG;
	return -1;
}

/* Check the scheme/host rule on a parsed URL. */
static int check_scheme_and_host(CURLU *u, const char *url, struct err *err)
{
	char *scheme = NULL, *host = NULL;
	int ret = 0;

	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		ret = config_error(err, "API URL '%s': %s", url, "no scheme or host");
	} else if (!strcasecmp(scheme, "http")) {
		if (!client_url_host_is_loopback(host)) {
			err_set(err, "API URL '%s': plain http:// is refused for host '%s'; "
				"use https:// (http is allowed only to loopback: 127.0.0.0/8, ::1, "
				"localhost)", url, host);
			err->code = CLIENT_E_CONFIG;
			ret = -1;
		}
	} else if (strcasecmp(scheme, "https")) {
		err_set(err, "API URL '%s': unsupported scheme '%s'; use https://", url, scheme);
		err->code = CLIENT_E_CONFIG;
		ret = -1;
	}
	curl_free(scheme);
	curl_free(host);
	return ret;
}

int client_url_check(const char *url, char **normalized, struct err *err)
{
	CURLU *u;
	CURLUcode rc;
	char *full = NULL;
	size_t len;
	int ret = -1;

	*normalized = NULL;
	if (!url || !*url)
		return config_error(err, "API URL '%s': %s", url ? url : "", "empty");
	if (!strstr(url, "://"))
		return config_error(err, "API URL '%s': %s", url,
				    "no scheme; write it as https://HOST");
	u = curl_url();
	if (!u) {
		fputs("fatal: out of memory\n", stderr);
		exit(1);
	}
	rc = curl_url_set(u, CURLUPART_URL, url, 0);
	if (rc != CURLUE_OK) {
		/* Do not echo a URL we could not take apart: it may hold a
		 * password. */
		config_error(err, "API URL%s: not a valid URL: %s", "", curl_url_strerror(rc));
		goto out;
	}
	if (url_has_part(u, CURLUPART_USER) || url_has_part(u, CURLUPART_PASSWORD)) {
		curl_url_set(u, CURLUPART_USER, NULL, 0);
		curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
		if (curl_url_get(u, CURLUPART_URL, &full, 0) != CURLUE_OK)
			full = NULL;
		config_error(err, "API URL '%s': %s", full ? full : "(unprintable)",
			     "credentials in the URL are refused; use FIVETRAN_APIKEY and "
			     "FIVETRAN_APISECRET");
		goto out;
	}
	if (url_has_part(u, CURLUPART_QUERY) || url_has_part(u, CURLUPART_FRAGMENT)) {
		config_error(err, "API URL '%s': %s", url, "a query or fragment is not allowed");
		goto out;
	}
	if (check_scheme_and_host(u, url, err))
		goto out;
	if (curl_url_get(u, CURLUPART_URL, &full, 0) != CURLUE_OK) {
		config_error(err, "API URL '%s': %s", url, "cannot be rebuilt");
		goto out;
	}
	len = strlen(full);
	while (len > 0 && full[len - 1] == '/')
		len--;
	/* Every request path starts with /v1: a base URL ending in it (the
	 * likely mistake of copying the documented endpoint prefix) would
	 * make every path /v1/v1/..., and every read a 404. */
	if (len >= 3 && !strncasecmp(full + len - 3, "/v1", 3)) {
		config_error(err, "API URL '%s': %s", url, "leave out the /v1 (ccapply adds it to "
			     "every request): use the server's address, e.g. "
			     "https://api.fivetran.com");
		goto out;
	}
	*normalized = xstrndup(full, len);
	ret = 0;
out:
	curl_free(full);
	curl_url_cleanup(u);
	return ret;
}

void client_url_escape(struct buf *out, const char *s)
{
	char *esc = curl_easy_escape(NULL, s, (int)strlen(s));

	if (!esc) {
		fputs("fatal: out of memory\n", stderr);
		exit(1);
	}
	buf_puts(out, esc);
	curl_free(esc);
}
