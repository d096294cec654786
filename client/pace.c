/*
 * pace.c — everything about time in the API client: the create pacer, retry
 * backoff with full jitter, Retry-After, and waits a signal can cut short.
 *
 * The decision functions take "now" as an argument and keep no hidden state
 * (the random source lives in the client struct), so the unit tests can drive
 * them with made-up clocks. Waiting itself is nanosleep in short steps that
 * re-check the caller's interrupt flag, so Ctrl-C during a 60-second
 * Retry-After is answered within a few tens of milliseconds.
 */
#include "client/client-internal.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "client/client.h"

#define SLEEP_STEP_MS 20
#define RETRY_AFTER_MAX_SECONDS 86400L /* larger values are clamped to a day */

int pacer_init(struct pacer *p, int count, double window, struct err *err)
{
	memset(p, 0, sizeof *p);
	if (count < 1 || count > CLIENT_RATE_MAX_COUNT || !(window > 0) ||
	    window > CLIENT_RATE_MAX_SECONDS) {
		err_set(err, "create rate %d/%g: need 1 to %d creates per a positive number of "
			"seconds", count, window, CLIENT_RATE_MAX_COUNT);
		err->code = CLIENT_E_CONFIG;
		return -1;
	}
	p->spent = xcalloc((size_t)count, sizeof *p->spent);
	p->count = (size_t)count;
	p->window = window;
	return 0;
}

int client_create_rate_parse(const char *text, int *count, double *seconds, struct err *err)
{
	const char *slash = strchr(text, '/'), *p;
	char *end;
	unsigned long long n = 0;
	double s;

	if (!slash || slash == text)
		return err_set(err, "'%s': expected N/SECONDS, e.g. 20/60", text);
	for (p = text; p < slash; p++) {
		if (!isdigit((unsigned char)*p))
			return err_set(err, "'%s': N must be a whole number, e.g. 20/60", text);
		if (n <= CLIENT_RATE_MAX_COUNT)
			n = n * 10 + (unsigned)(*p - '0');
	}
	if (n < 1 || n > CLIENT_RATE_MAX_COUNT)
		return err_set(err, "'%s': N must be from 1 to %d", text, CLIENT_RATE_MAX_COUNT);
	errno = 0;
	s = strtod(slash + 1, &end);
	if (end == slash + 1 || *end || !isdigit((unsigned char)slash[1]) || errno || !(s > 0) ||
	    s > CLIENT_RATE_MAX_SECONDS)
		return err_set(err, "'%s': SECONDS must be a positive number of at most %.0f "
			       "(a year)", text, CLIENT_RATE_MAX_SECONDS);
	*count = (int)n;
	*seconds = s;
	return 0;
}

void pacer_release(struct pacer *p)
{
	free(p->spent);
	memset(p, 0, sizeof *p);
}

double pacer_delay(const struct pacer *p, double now)
{
	double back;

	if (p->used < p->count)
		return 0;
	back = p->spent[p->next] + p->window; /* when the oldest spent token returns */
	return back > now ? back - now : 0;
}

void pacer_spend(struct pacer *p, double now)
{
	if (p->used < p->count) {
		p->spent[p->used++] = now;
		return;
	}
	p->spent[p->next] = now;
	p->next = (p->next + 1) % p->count;
}

void pacer_restamp(struct pacer *p, double now)
{
	size_t last;

	if (p->used == 0)
		return;
	last = p->used < p->count ? p->used - 1 : (p->next + p->count - 1) % p->count;
	if (now > p->spent[last])
		p->spent[last] = now;
}

uint64_t client_rng_seed(uint64_t seed)
{
	return seed ? seed : UINT64_C(0x9E3779B97F4A7C15);
}

uint64_t client_rng_next(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * UINT64_C(0x2545F4914F6CDD1D);
}

long client_backoff_ms(long base_ms, long cap_ms, int retry, uint64_t *rng)
{
	long ceiling = base_ms > 0 ? base_ms : 0;
	int i;

	if (cap_ms < 0)
		cap_ms = 0;
	for (i = 0; i < retry && ceiling < cap_ms; i++)
		ceiling = ceiling > LONG_MAX / 2 ? LONG_MAX : ceiling * 2;
	if (ceiling > cap_ms)
		ceiling = cap_ms;
	if (ceiling <= 0)
		return 0;
	return (long)(client_rng_next(rng) % ((uint64_t)ceiling + 1));
}

int client_parse_retry_after(const char *value, time_t now, long *ms)
{
	char text[128];
	size_t len;
	time_t when;
	const char *p;

	if (!value)
		return -1;
	while (isspace((unsigned char)*value))
		value++;
	len = strlen(value);
	while (len > 0 && isspace((unsigned char)value[len - 1]))
		len--;
	if (len == 0 || len >= sizeof text)
		return -1;
	memcpy(text, value, len);
	text[len] = '\0';

	for (p = text; isdigit((unsigned char)*p); p++)
		;
	if (!*p) { /* delta-seconds */
		long secs;

		errno = 0;
		secs = strtol(text, NULL, 10);
		if (errno == ERANGE || secs > RETRY_AFTER_MAX_SECONDS)
			secs = RETRY_AFTER_MAX_SECONDS;
		*ms = secs * 1000;
		return 0;
	}
	if (!isalpha((unsigned char)text[0])) /* every HTTP-date starts with a day name */
		return -1;
	when = curl_getdate(text, NULL);
	if (when == (time_t)-1)
		return -1;
	if (when <= now)
		*ms = 0;
	else if (when - now > RETRY_AFTER_MAX_SECONDS)
		*ms = RETRY_AFTER_MAX_SECONDS * 1000;
	else
		*ms = (long)(when - now) * 1000;
	return 0;
}

double client_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int client_sleep_ms(long ms, volatile sig_atomic_t *interrupted)
{
	double end = client_now() + (double)ms / 1000.0;

	for (;;) {
		double left;
		long step;
		struct timespec ts;

		if (interrupted && *interrupted)
			return -1;
		left = (end - client_now()) * 1000.0;
		if (left <= 0)
			return 0;
		step = left < SLEEP_STEP_MS ? (long)left + 1 : SLEEP_STEP_MS;
		ts.tv_sec = 0;
		ts.tv_nsec = step * 1000000L;
		nanosleep(&ts, NULL); /* EINTR just means: look at the flag sooner */
	}
}
