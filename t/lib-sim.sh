# lib-sim.sh — start, stop and inspect ccapply-sim from the shell tests.
#
# Sourced by test-lib.sh like every t/lib-*.sh, so it only defines functions. Stable interface:
#
#   sim_start [ARGS...]   start "$BIN/ccapply-sim --port 0 --port-file $TRASH/sim.port ARGS" in
#                         the background (stopping a simulator this script started before), wait
#                         up to 10 s for the port file, and export
#                           SIM_PID, SIM_PORT, SIM_URL=http://127.0.0.1:$SIM_PORT,
#                           FIVETRAN_API_URL=$SIM_URL,
#                           FIVETRAN_APIKEY / FIVETRAN_APISECRET = sim-key / sim-secret (or the
#                           values of --api-key / --api-secret among ARGS).
#                         The simulator's stderr goes to $TRASH/sim.log. It is stopped when the
#                         script ends (test_when_finished_script). Fails, showing sim.log, if the
#                         simulator exits or does not listen in time.
#   sim_stop              SIGTERM the simulator and wait for it; fails (showing sim.log) unless it
#                         exits 0 — so a crash, or a sanitizer report at exit, fails the test.
#                         Nothing to do when none is running. First it collects the create
#                         bodies the simulator received (sim_collect_creates).
#   sim_collect_creates   append to $SIM_CREATES ($TRASH/.sim-creates.jsonl), one compact JSON
#                         line each, the body of every POST /v1/connections the running simulator
#                         logged, except those it refused as malformed or unauthenticated (400,
#                         401, 413, unless a --fault answered): tests send those on purpose.
#                         Once per simulator: sim_stop and the check at the end both call it.
#   sim_creates_from_log  the same from a request log read on stdin (one another program's
#                         simulator served: scripts/demo.sh's), and the check at the end.
#
# The contract of every create body (SPEC §3, issue #12): when a script ends, test_done runs
# sim_check_creates as its last test point — every body collected from every simulator the script
# started must validate against its service's {service}_NewConnectorRequestV1 in the official
# definition, with Ajv (t/contract/validate-create.js). The point is skipped, with the reason, when
# Node.js or the pinned Ajv cannot be had, and fails instead under CI=true. So every create that
# ccapply, test-tool or a test itself sends to ccapply-sim is checked against the definition, not
# against the simulator's own reading of it.
#   sim_state             print GET /_sim/state: the account in the seed format, pretty-printed,
#                         in creation order (transformations carry their group_id).
#   sim_requests          print GET /_sim/requests: a pretty-printed JSON array of every request
#                         but /_sim ones: {"method","path","query" ("k=v&k2=v2"),"args" ({k: v}),
#                         "status" (0 = connection reset, null = in flight),"fault"?,"body"}.
#   sim_writes            print how many requests that could change the account (POST, PATCH,
#                         PUT, DELETE) the simulator received.
#   sim_curl ARGS...      curl -sS with the simulator's credentials; ARGS as for curl, paths
#                         relative to $SIM_URL are not expanded (write "$SIM_URL/v1/…").
#   sim_json PATH [FILE]  print the value at PATH in the JSON of FILE (default stdin), using
#                         perl's core JSON::PP: PATH is dot-separated keys and array indices
#                         ("data.items.0.id"); a final "#" prints the length of an array or the
#                         number of members of an object. Strings print raw, numbers as written,
#                         true/false/null as such, arrays and objects as compact canonical JSON
#                         (sorted keys). Fails (status 1) when the path is absent or the
#                         input is not JSON.

SIM_PID=
SIM_CLEANUP_REGISTERED=
SIM_COLLECTED= # the SIM_PID whose creates were collected
SIM_CREATES="$TRASH/.sim-creates.jsonl"

sim_start() {
	local port_file="$TRASH/sim.port" log="$TRASH/sim.log" key=sim-key secret=sim-secret
	local i=0 prev= arg

	sim_stop >/dev/null 2>&1
	for arg in "$@"; do
		case "$prev" in
		--api-key) key=$arg ;;
		--api-secret) secret=$arg ;;
		esac
		case "$arg" in
		--api-key=*) key=${arg#--api-key=} ;;
		--api-secret=*) secret=${arg#--api-secret=} ;;
		esac
		prev=$arg
	done
	rm -f "$port_file"
	"$BIN/ccapply-sim" --port 0 --port-file "$port_file" "$@" 2>"$log" </dev/null &
	SIM_PID=$!
	if [ -z "$SIM_CLEANUP_REGISTERED" ]; then
		test_when_finished_script 'sim_stop'
		test_before_done sim_check_creates
		SIM_CLEANUP_REGISTERED=1
	fi
	while ! [ -s "$port_file" ]; do
		if ! kill -0 "$SIM_PID" 2>/dev/null; then
			echo "sim_start: ccapply-sim exited before listening:" >&2
			cat "$log" >&2
			wait "$SIM_PID" 2>/dev/null
			SIM_PID=
			return 1
		fi
		i=$((i + 1))
		if [ $i -gt 200 ]; then
			echo "sim_start: ccapply-sim did not write $port_file within 10 s" >&2
			cat "$log" >&2
			return 1
		fi
		sleep 0.05
	done
	SIM_PORT=$(cat "$port_file")
	SIM_URL="http://127.0.0.1:$SIM_PORT"
	FIVETRAN_API_URL=$SIM_URL
	FIVETRAN_APIKEY=$key
	FIVETRAN_APISECRET=$secret
	export SIM_PID SIM_PORT SIM_URL FIVETRAN_API_URL FIVETRAN_APIKEY FIVETRAN_APISECRET
}

sim_stop() {
	local status i=0

	[ -n "$SIM_PID" ] || return 0
	sim_collect_creates
	kill -TERM "$SIM_PID" 2>/dev/null
	if wait "$SIM_PID" 2>/dev/null; then
		status=0
	else
		status=$?
		if [ $status -eq 127 ]; then
			# not this shell's child (started in a subshell): poll until it is gone
			while kill -0 "$SIM_PID" 2>/dev/null && [ $i -lt 200 ]; do
				sleep 0.05
				i=$((i + 1))
			done
			status=0
		fi
	fi
	SIM_PID=
	if [ $status -ne 0 ]; then
		echo "sim_stop: ccapply-sim exited with status $status:" >&2
		cat "$TRASH/sim.log" >&2
		return 1
	fi
	return 0
}

sim_collect_creates() {
	local log

	[ -n "$SIM_PID" ] && [ "$SIM_COLLECTED" != "$SIM_PID" ] || return 0
	SIM_COLLECTED=$SIM_PID
	log=$(curl -sS -f --max-time 10 "$SIM_URL/_sim/requests" 2>/dev/null) || return 0
	sim_creates_from_log <<<"$log"
}

sim_creates_from_log() {
	test_before_done sim_check_creates
	perl -MJSON::PP -e '
		my $log = eval { JSON::PP->new->allow_bignum->decode(do { local $/; <STDIN> }) } or exit 0;
		my $json = JSON::PP->new->canonical->allow_bignum;
		for my $r (@$log) {
			next unless $r->{method} eq "POST" && $r->{path} eq "/v1/connections";
			my $status = $r->{status} // -1;
			next if !defined $r->{fault} && ($status == 400 || $status == 401 ||
							  $status == 413);
			print $json->encode($r->{body}), "\n";
		}' >>"$SIM_CREATES"
}

# sim_check_creates: the test point described at the top (run by test_done).
sim_check_creates() {
	local n reason
	sim_collect_creates # the simulator still running, which the cleanup stops later
	[ -s "$SIM_CREATES" ] || return 0
	n=$(wc -l <"$SIM_CREATES" | tr -d ' ')
	if ! reason=$(prism_install 2>&1); then
		SIM_AJV_MISSING=$(printf '%s\n' "$reason" | head -n 1)
		if [ "${CI:-}" = true ]; then
			test_expect_success "every create body sent to ccapply-sim validates (Ajv, $n bodies)" '
				echo "Node.js and the pinned Ajv are required when CI=true: $SIM_AJV_MISSING" >&2
				false'
		else
			test_skip "every create body sent to ccapply-sim validates (Ajv, $n bodies)" \
				"Ajv unavailable: $SIM_AJV_MISSING"
		fi
		return 0
	fi
	test_expect_success "every create body sent to ccapply-sim validates against its service schema (Ajv, $n bodies)" '
		node "$TEST_DIRECTORY/contract/validate-create.js" "$API/fivetran-openapi.json" \
			"$SIM_CREATES" >"$TRASH/.sim-creates.out" || {
			grep -v "^valid " "$TRASH/.sim-creates.out" >&2
			false
		}
	'
}

sim_state() {
	curl -sS -f "$SIM_URL/_sim/state"
}

sim_requests() {
	curl -sS -f "$SIM_URL/_sim/requests"
}

sim_writes() {
	sim_requests | grep -c "\"method\": *\"\(POST\|PATCH\|DELETE\|PUT\)\"" || true
}

sim_curl() {
	curl -sS -u "$FIVETRAN_APIKEY:$FIVETRAN_APISECRET" "$@"
}

sim_json() {
	perl -MJSON::PP -e '
		my ($path, $file) = @ARGV;
		my $in = \*STDIN;
		if (defined $file) { open $in, "<", $file or die "sim_json: $file: $!\n"; }
		my $text = do { local $/; <$in> };
		my $v = eval { JSON::PP->new->allow_nonref->decode($text) };
		if ($@) { print STDERR "sim_json: not JSON: $@"; exit 1; }
		for my $k (split /\./, $path) {
			if ($k eq "#") {
				$v = ref $v eq "ARRAY" ? scalar @$v :
				     ref $v eq "HASH" ? scalar keys %$v : exit 1;
				next;
			}
			if (ref $v eq "ARRAY" && $k =~ /^\d+$/ && $k < @$v) { $v = $v->[$k]; }
			elsif (ref $v eq "HASH" && exists $v->{$k}) { $v = $v->{$k}; }
			else { exit 1; }
		}
		if (!defined $v) { print "null\n"; }
		elsif (JSON::PP::is_bool($v)) { print $v ? "true\n" : "false\n"; }
		elsif (ref $v) { print JSON::PP->new->canonical->encode($v), "\n"; }
		else { print "$v\n"; }
	' "$@"
}
