#!/bin/bash
# Proxies: with http_proxy, HTTP_PROXY or ALL_PROXY set (a CI runner's
# environment often has them), a plain http:// API URL (loopback only) is
# reached directly, never through the proxy: the Authorization header would
# otherwise cross the network in clear text to wherever the proxy is. The
# proxy here is a few lines of perl that records what reaches it and answers
# 502, so a request routed through it both fails and is seen.
. "$(dirname "$0")/test-lib.sh"

export CCAPPLY_RETRY_BASE_MS=1 CCAPPLY_MAX_RETRIES=0

test_expect_success 'setup: the simulator, a workspace and a recording proxy' '
	sim_start --seed "$TESTDATA/sim/plan-source.json" --create-limit none &&
	plan_workspace ws && write_report ws pass &&
	cat >proxy.pl <<-\EOF &&
	use strict; use warnings; use IO::Socket::INET;
	my ($port_file, $log) = @ARGV;
	$SIG{TERM} = sub { exit 0 };
	my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 0, Listen => 8,
		ReuseAddr => 1) or die "listen: $!";
	open my $pf, ">", "$port_file.tmp" or die; print $pf $s->sockport, "\n"; close $pf;
	rename "$port_file.tmp", $port_file or die;
	while (my $c = $s->accept) {
		local $/ = "\r\n";
		open my $l, ">>", $log or die;
		while (defined(my $h = <$c>)) { print $l $h; last if $h eq "\r\n"; }
		close $l;
		print $c "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
		close $c;
	}
	EOF
	{ perl proxy.pl proxy.port proxy.log 2>proxy.err & proxy_pid=$!; } &&
	test_when_finished_script "kill $proxy_pid" &&
	for i in $(seq 100); do [ -s proxy.port ] && break; sleep 0.05; done &&
	PROXY=http://127.0.0.1:$(cat proxy.port) &&
	: the proxy works: a request sent through it is recorded &&
	{ curl -sS -x "$PROXY" http://example.invalid/ >/dev/null 2>&1; true; } &&
	test_grep "example.invalid" proxy.log && rm proxy.log
'

for var in http_proxy HTTP_PROXY ALL_PROXY all_proxy; do
	test_expect_success "with $var set, loopback http is reached directly" '
		env $var=$PROXY ccapply -C ws plan >out 2>err &&
		test_grep "^Plan: " out &&
		env $var=$PROXY FIVETRAN_API_URL=http://localhost:$SIM_PORT ccapply -C ws plan >out 2>err &&
		test_grep "^Plan: " out &&
		! test -e proxy.log
	'
done

test_expect_success 'apply too: creates go straight to the simulator, nothing to the proxy' '
	http_proxy=$PROXY HTTP_PROXY=$PROXY ALL_PROXY=$PROXY \
		ccapply -C ws apply --auto-approve >out 2>err &&
	test_grep "^Apply complete: 5 created" out &&
	! test -e proxy.log
'

test_done
