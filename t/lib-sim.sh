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
#                         Nothing to do when none is running.
#   sim_state             print GET /_sim/state: the account in the seed format, pretty-printed,
#                         in creation order (transformations carry their group_id).
#   sim_requests          print GET /_sim/requests: a pretty-printed JSON array of every request
#                         but /_sim ones: {"method","path","query" ("k=v&k2=v2"),"args" ({k: v}),
#                         "status" (0 = connection reset, null = in flight),"fault"?,"body"}.
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

sim_state() {
	curl -sS -f "$SIM_URL/_sim/state"
}

sim_requests() {
	curl -sS -f "$SIM_URL/_sim/requests"
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
