/*
 * test-client-pace.c — unit tests of client/pace.c: the create pacer (never
 * more than N creates in any window of S seconds, and no waiting when there
 * is budget), full-jitter backoff bounds, the per-client random source,
 * Retry-After parsing (delta-seconds and the three HTTP-date forms) and the
 * interruptible sleep. Clocks are made up, so nothing here depends on timing.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "client/client-internal.h"
#include "client/client.h"
#include "lib/err.h"
#include "t/unit/tap.h"

static void test_pacer_basics(void)
{
	struct pacer p;
	struct err err = { "", 0 };

	ok(pacer_init(&p, 2, 10.0, &err) == 0, "pacer 2/10 initialises");
	is_int((long long)(pacer_delay(&p, 0.0) * 1000), 0, "first create does not wait");
	pacer_spend(&p, 0.0);
	is_int((long long)(pacer_delay(&p, 0.5) * 1000), 0, "second create does not wait");
	pacer_spend(&p, 0.5);
	is_int((long long)(pacer_delay(&p, 1.0) * 1000 + 0.5), 9000,
	       "third create waits until the first token returns (9 s)");
	is_int((long long)(pacer_delay(&p, 10.0) * 1000), 0, "no wait once it is back");
	pacer_spend(&p, 10.0);
	is_int((long long)(pacer_delay(&p, 10.0) * 1000 + 0.5), 500,
	       "then the second token is the oldest (back at 10.5 s)");
	pacer_release(&p);
}

/* Spend greedily 200 times with irregular gaps; every window of length S
 * must hold at most N spends, i.e. spend[i + N] - spend[i] >= S. */
static void test_pacer_window_property(void)
{
	struct pacer p;
	struct err err = { "", 0 };
	double times[200], now = 0;
	uint64_t rng = client_rng_seed(42);
	int i, n = 3, bad = 0, waited = 0;

	pacer_init(&p, n, 5.0, &err);
	for (i = 0; i < 200; i++) {
		double d;

		now += (double)(client_rng_next(&rng) % 3000) / 1000.0;
		d = pacer_delay(&p, now);
		if (d > 0)
			waited++;
		now += d;
		pacer_spend(&p, now);
		times[i] = now;
	}
	for (i = 0; i + n < 200; i++)
		if (times[i + n] - times[i] < 5.0 - 1e-9)
			bad++;
	is_int(bad, 0, "no window of 5 s holds more than 3 creates");
	ok(waited > 0, "the pacer did make creates wait (%d times)", waited);
	pacer_release(&p);
}

static void test_pacer_rejects(void)
{
	struct pacer p;
	struct err err = { "", 0 };

	ok(pacer_init(&p, 0, 60, &err) == -1 && err.code == CLIENT_E_CONFIG,
	   "0 creates per window is refused");
	ok(strstr(err.msg, "0/60") != NULL, "the message names the rate: %s", err.msg);
	ok(pacer_init(&p, 20, 0, &err) == -1, "a zero window is refused");
	ok(pacer_init(&p, -3, 60, &err) == -1, "a negative count is refused");
	ok(pacer_init(&p, CLIENT_RATE_MAX_COUNT + 1, 60, &err) == -1, "an absurd count is refused");
}

/* --create-rate's text: every wrong form refused in its own words, and a
 * number too large never wrapped into another ("-1/1"). */
static void test_rate_parse(void)
{
	static const struct { const char *text, *says; } bad[] = {
		{ "99999999999999999999/1", "N must be from 1 to 100000" },
		{ "100001/60", "N must be from 1 to 100000" },
		{ "0/60", "N must be from 1 to 100000" },
		{ "-1/60", "whole number" },
		{ "+5/60", "whole number" },
		{ "1.5/60", "whole number" },
		{ "20", "expected N/SECONDS" },
		{ "/60", "expected N/SECONDS" },
		{ "20/", "SECONDS must be" },
		{ "20/0", "SECONDS must be" },
		{ "20/-5", "SECONDS must be" },
		{ "20/nan", "SECONDS must be" },
		{ "20/inf", "SECONDS must be" },
		{ "20/1e400", "SECONDS must be" },
		{ "20/99999999999", "SECONDS must be" },
		{ "20/60x", "SECONDS must be" },
	};
	struct err err = { "", 0 };
	double seconds = 0;
	int count = 0;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ok(client_create_rate_parse(bad[i].text, &count, &seconds, &err) == -1 &&
		   strstr(err.msg, bad[i].says) && strstr(err.msg, bad[i].text),
		   "'%s' refused: %s", bad[i].text, err.msg);
	ok(!client_create_rate_parse("20/60", &count, &seconds, &err) && count == 20 &&
	   seconds == 60, "20/60 is 20 per 60 s");
	ok(!client_create_rate_parse("100000/0.5", &count, &seconds, &err) && count == 100000 &&
	   seconds == 0.5, "the largest count, half a second");
}

static void test_backoff(void)
{
	uint64_t rng = client_rng_seed(7);
	long max0 = 0, max3 = 0, max20 = 0, v;
	int i, out_of_range = 0;

	for (i = 0; i < 2000; i++) {
		v = client_backoff_ms(100, 1000, 0, &rng);
		out_of_range += v < 0 || v > 100;
		max0 = v > max0 ? v : max0;
		v = client_backoff_ms(100, 1000, 3, &rng);
		out_of_range += v < 0 || v > 800;
		max3 = v > max3 ? v : max3;
		v = client_backoff_ms(100, 1000, 20, &rng);
		out_of_range += v < 0 || v > 1000;
		max20 = v > max20 ? v : max20;
	}
	is_int(out_of_range, 0, "backoff stays within [0, min(cap, base * 2^retry)]");
	ok(max0 > 80 && max3 > 600 && max20 > 800,
	   "the jitter spans its range (max %ld, %ld, %ld)", max0, max3, max20);
	v = client_backoff_ms(100, 1000, 1000, &rng);
	ok(v >= 0 && v <= 1000, "a huge retry number does not overflow (%ld)", v);
	is_int(client_backoff_ms(0, 1000, 3, &rng), 0, "a zero base never waits");
}

static void test_rng(void)
{
	uint64_t a = client_rng_seed(0), b = client_rng_seed(1);
	uint64_t x = client_rng_next(&a), y = client_rng_next(&b);

	ok(a != 0, "a zero seed is replaced");
	ok(x != y, "different seeds give different sequences");
	ok(client_rng_next(&a) != x, "the sequence moves");
}

static void test_retry_after(void)
{
	const time_t date = 784111777; /* Sun, 06 Nov 1994 08:49:37 GMT */
	long ms = -1;

	ok(client_parse_retry_after("120", 0, &ms) == 0 && ms == 120000, "delta-seconds 120");
	ok(client_parse_retry_after(" 3\r", 0, &ms) == 0 && ms == 3000, "whitespace is trimmed");
	ok(client_parse_retry_after("0", 0, &ms) == 0 && ms == 0, "zero means now");
	ok(client_parse_retry_after("99999999999999999999", 0, &ms) == 0 && ms == 86400000,
	   "an enormous delta is clamped to a day");
	ms = -1;
	ok(client_parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", date - 30, &ms) == 0 &&
	   ms == 30000, "IMF-fixdate 30 s ahead (%ld)", ms);
	ok(client_parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", date - 5, &ms) == 0 &&
	   ms == 5000, "RFC 850 date (%ld)", ms);
	ok(client_parse_retry_after("Sun Nov  6 08:49:37 1994", date - 1, &ms) == 0 &&
	   ms == 1000, "asctime date (%ld)", ms);
	ok(client_parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", date + 100, &ms) == 0 &&
	   ms == 0, "a date in the past means now");
	ok(client_parse_retry_after("-1", 0, &ms) == -1, "a negative delta is invalid");
	ok(client_parse_retry_after("1.5", 0, &ms) == -1, "a fraction is invalid");
	ok(client_parse_retry_after("soon", 0, &ms) == -1, "a word is invalid");
	ok(client_parse_retry_after("", 0, &ms) == -1, "empty is invalid");
	ok(client_parse_retry_after(NULL, 0, &ms) == -1, "absent is invalid");
	ok(client_parse_retry_after("Mon, 32 Nov 1994 08:49:37 GMT", 0, &ms) == -1,
	   "an impossible date is invalid");
}

static void test_sleep(void)
{
	volatile sig_atomic_t flag = 1;

	is_int(client_sleep_ms(600000, &flag), -1, "a raised flag ends a 10-minute wait at once");
	flag = 0;
	is_int(client_sleep_ms(1, &flag), 0, "a short wait completes");
	is_int(client_sleep_ms(0, NULL), 0, "no flag, no wait");
}

/* A token counts from when the create's answer arrived, as the server
 * counts it from its commit. */
static void test_pacer_restamp(void)
{
	struct pacer p;
	struct err err;

	pacer_init(&p, 2, 10.0, &err);
	pacer_spend(&p, 0.0);
	pacer_restamp(&p, 0.5);
	pacer_spend(&p, 1.0);
	pacer_restamp(&p, 3.0);
	ok(pacer_delay(&p, 3.0) > 7.4 && pacer_delay(&p, 3.0) < 7.6,
	   "the oldest token returns 10 s after its answer (0.5 s), not its send");
	pacer_spend(&p, 10.5);
	pacer_restamp(&p, 11.0);
	ok(pacer_delay(&p, 11.0) > 1.9 && pacer_delay(&p, 11.0) < 2.1,
	   "once the ring is full the token spent last is the one restamped");
	pacer_restamp(&p, 1.0);
	ok(pacer_delay(&p, 11.0) > 1.9 && pacer_delay(&p, 11.0) < 2.1,
	   "restamping never moves a token back in time");
	pacer_release(&p);
}

int main(void)
{
	test_pacer_basics();
	test_pacer_restamp();
	test_pacer_window_property();
	test_pacer_rejects();
	test_rate_parse();
	test_backoff();
	test_rng();
	test_retry_after();
	test_sleep();
	return done_testing();
}
