#!/bin/bash
# bench.sh — `make bench`: measure ccapply and print a table of figures.
#
#   scripts/bench.sh            (from the top of the tree, after `make`)
#
# Figures are printed, never asserted (issue 8; docs/performance.md): timings
# depend on the machine and on what else runs on it, so no test may fail on
# them. Each row shows what was measured, the goal, and whether it was met.
# Four benchmarks:
#   1. loading the deterministic 100 MB plan (testdata/gen-big-plan.pl) with
#      `test-tool plan-load` — wall time and peak RSS — beside libfyaml's
#      parser alone (`test-tool yaml-events`: the floor under ccapply's loader)
#      and PyYAML's C loader on the same file when python3 has it;
#   2. `ccapply plan` against ccapply-sim holding 5,000 connections with 1,000
#      planned and 50 ms latency (testdata/gen-scale.pl): request count against
#      the SPEC 2 minimum, wall time against requests × latency;
#   3. `ccapply apply` of 60 creates with the simulator limiting creates to
#      20/2 s and ccapply pacing at 20/2 s: wall time against the 6 s floor,
#      and the 429 answers;
#   4. ccapply's own CPU time and peak RSS over 1,000 creates with no limits.
# Generated inputs are cached in $BENCH_DIR (default build/bench) and
# regenerated when their generator changes. BENCH_RUNS (default 3) is how many
# times the plan load runs and BENCH_APPLY_RUNS (default 5) the paced apply
# (medians are reported, and the most 429 answers any run got, since the
# 429s come from timing races); BENCH_PYYAML=0 skips
# PyYAML (it needs minutes and gigabytes on the 100 MB file).
#
# Wall time, CPU time and peak RSS come from /usr/bin/time (Debian package
# `time`); without it, from bash's `time` and the VmHWM line of
# /proc/PID/status, polled every 10 ms while the process runs (so it can miss
# the peak of a short process).
set -u

BENCH_DIR=${BENCH_DIR:-build/bench}
BENCH_RUNS=${BENCH_RUNS:-3}
BENCH_APPLY_RUNS=${BENCH_APPLY_RUNS:-5}
BENCH_PYYAML=${BENCH_PYYAML:-1}
BIN=${BIN:-$PWD/bin}
TESTDATA=${TESTDATA:-$PWD/testdata}
LATENCY_MS=50

die() { echo "bench: $*" >&2; exit 1; }

for b in ccapply ccapply-sim test-tool; do
	[ -x "$BIN/$b" ] || die "$BIN/$b is not built (run make)"
done
command -v curl >/dev/null || die "curl is needed to read the simulator's request log"
mkdir -p "$BENCH_DIR" || die "cannot create $BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ccapply-bench.XXXXXX") || die "mktemp failed"
SIM_PIDS=()
cleanup() {
	local pid
	for pid in "${SIM_PIDS[@]}"; do
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The simulator's and ccapply's credentials; never the user's real ones.
unset FIVETRAN_API_KEY FIVETRAN_API_SECRET CCAPPLY_STATE_KEY
export FIVETRAN_APIKEY=sim-key FIVETRAN_APISECRET=sim-secret NO_COLOR=1 LC_ALL=C

# ------------------------------------------------------------------ measuring

HAVE_GNU_TIME=
if [ -z "${BENCH_NO_GNU_TIME:-}" ] && [ -x /usr/bin/time ] &&
   /usr/bin/time -f %e true >/dev/null 2>&1; then
	HAVE_GNU_TIME=1
fi

# measure OUT CMD...: run CMD (stdout to OUT.stdout, stderr to OUT.stderr) and
# write "wall_s user_s sys_s maxrss_kb status" to OUT. BENCH_NO_GNU_TIME=1
# forces the fallback (to test it).
measure() {
	local out=$1 status
	shift
	if [ -n "$HAVE_GNU_TIME" ]; then
		/usr/bin/time -f '%e %U %S %M' -o "$out.time" "$@" >"$out.stdout" 2>"$out.stderr"
		status=$?
		echo "$(tail -n 1 "$out.time") $status" >"$out"
		return
	fi
	# bash's `time` gives the command's wall, user and sys; VmHWM of the
	# command (the subshell's child) is polled from /proc while it runs
	local sub pid hwm=0 h
	(
		TIMEFORMAT='%R %U %S'
		time { "$@" >"$out.stdout" 2>"$out.stderr"; echo $? >"$out.rc"; }
	) 2>"$out.time" &
	sub=$!
	while kill -0 "$sub" 2>/dev/null; do
		for pid in $(pgrep -P "$sub" 2>/dev/null); do
			h=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' \
				"/proc/$pid/status" 2>/dev/null)
			[ -n "$h" ] && [ "$h" -gt "$hwm" ] && hwm=$h
		done
		sleep 0.01
	done
	wait "$sub"
	echo "$(tail -n 1 "$out.time") $hwm $(cat "$out.rc")" >"$out"
}

field() { awk -v n="$2" '{ print $n }' "$1"; }
# calc EXPR: floating point arithmetic ("?" in, "?" out)
calc() { case "$*" in *'?'*) echo '?' ;; *) awk "BEGIN { printf \"%.3g\", $* }" ;; esac; }
# ratio A B: A / B with two decimals
ratio() {
	case "$1$2" in
	*'?'*) echo '?' ;;
	*) awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }' ;;
	esac
}
# mb KB: kilobytes as megabytes
mb() {
	case "$1" in
	'?') echo '?' ;;
	*) awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }' ;;
	esac
}

# Median of the numbers on stdin.
median() {
	sort -g | awk '{ v[NR] = $1 }
		END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ROWS=()
COMMANDS=()
NOTES=()
# row NAME MEASURED GOAL VERDICT
row() { ROWS+=("$(printf '%-50s %-16s %-22s %s' "$1" "$2" "$3" "$4")"); }
cmdline() { COMMANDS+=("$*"); }
note() { NOTES+=("$*"); }
# verdict VALUE LIMIT: "met" when VALUE <= LIMIT, "MISSED" otherwise
verdict() {
	case "$1$2" in *'?'*) echo '?' ; return ;; esac
	awk -v v="$1" -v l="$2" 'BEGIN { print (v + 0 <= l + 0) ? "met" : "MISSED" }'
}

# -------------------------------------------------------------- the simulator

# sim_start NAME ARGS...: start ccapply-sim, set SIM_URL. Fails if it does not
# listen within 10 s.
sim_start() {
	local name=$1 i
	shift
	rm -f "$WORK/$name.port"
	"$BIN/ccapply-sim" --port 0 --port-file "$WORK/$name.port" "$@" \
		2>"$WORK/$name.sim.log" </dev/null &
	SIM_PIDS+=($!)
	for i in $(seq 200); do
		[ -s "$WORK/$name.port" ] && break
		if ! kill -0 "${SIM_PIDS[-1]}" 2>/dev/null; then
			cat "$WORK/$name.sim.log" >&2
			return 1
		fi
		sleep 0.05
	done
	[ -s "$WORK/$name.port" ] || { echo "bench: ccapply-sim did not start" >&2; return 1; }
	SIM_URL="http://127.0.0.1:$(cat "$WORK/$name.port")"
	export FIVETRAN_API_URL=$SIM_URL
}

sim_stop() {
	local pid=${SIM_PIDS[-1]}
	kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	unset 'SIM_PIDS[-1]'
}

# sim_count WHAT: from the request log, "requests" (all of them) or
# "status:N" (those answered N).
sim_count() {
	curl -sS -f "$SIM_URL/_sim/requests" | perl -MJSON::PP -e '
		my $log = decode_json(do { local $/; <STDIN> });
		my $want = shift;
		if ($want eq "requests") { print scalar(@$log), "\n"; exit; }
		my ($status) = $want =~ /^status:(\d+)$/ or die "sim_count: $want\n";
		print scalar(grep { defined $_->{status} && $_->{status} == $status } @$log), "\n";
	' "$1"
}

# workspace DIR LIVE PLANNED: a cached gen-scale.pl workspace with a passing
# validation report; prints its path.
workspace() {
	local dir="$BENCH_DIR/scale-$1-$2" gen="$TESTDATA/gen-scale.pl"
	local report="$dir/.copy-connections/validation_report.yaml"
	if ! [ -f "$report" ] || [ "$gen" -nt "$dir/seed.json" ]; then
		rm -rf "$dir"
		"$gen" "$dir" --live "$1" --planned "$2" || return 1
		{
			printf 'schema_version: 1\nmetadata:\n'
			printf '  validated_at: "2026-11-01T10:00:00Z"\n'
			printf '  plan_path: .copy-connections/copy_plan.yaml\n'
			printf '  plan_checksum: %s\nstatus: pass\n' \
				"$("$BIN/ccapply" checksum "$dir/.copy-connections/copy_plan.yaml")"
		} >"$report"
	fi
	echo "$dir"
}

# fresh_apply_dir SRC: a copy of workspace SRC without state from earlier runs.
fresh_apply_dir() {
	local dst="$WORK/apply-$(basename "$1")"
	rm -rf "$dst" && mkdir -p "$dst/.copy-connections" &&
	cp "$1/.copy-connections/copy_plan.yaml" "$1/.copy-connections/validation_report.yaml" \
		"$dst/.copy-connections/" && echo "$dst"
}

# ------------------------------------------------------------- the benchmarks

bench_plan_load() {
	local plan="$BENCH_DIR/big-plan.yaml" gen="$TESTDATA/gen-big-plan.pl" i walls rss size
	if ! [ -s "$plan" ] || [ "$gen" -nt "$plan" ]; then
		echo "bench: generating the 100 MB plan into $plan ..." >&2
		"$gen" >"$plan.tmp" && mv "$plan.tmp" "$plan" || die "gen-big-plan.pl failed"
	fi
	size=$(wc -c <"$plan")
	cat "$plan" >/dev/null # into the page cache: measure parsing, not the disk
	cmdline "testdata/gen-big-plan.pl > $plan"
	cmdline "bin/test-tool plan-load $plan   (x$BENCH_RUNS, median wall)"
	walls=()
	rss=0
	for i in $(seq "$BENCH_RUNS"); do
		measure "$WORK/load.$i" "$BIN/test-tool" plan-load "$plan"
		[ "$(field "$WORK/load.$i" 5)" = 0 ] ||
			{ cat "$WORK/load.$i.stderr" >&2; die "plan-load failed"; }
		walls+=("$(field "$WORK/load.$i" 1)")
		if [ "$(field "$WORK/load.$i" 4)" -gt "$rss" ] 2>/dev/null; then
			rss=$(field "$WORK/load.$i" 4)
		fi
	done
	LOAD_WALL=$(printf '%s\n' "${walls[@]}" | median)
	row "plan load, $(calc "$size / 1048576") MiB: wall (median of $BENCH_RUNS)" \
		"$LOAD_WALL s" "<= 1.5 s" "$(verdict "$LOAD_WALL" 1.5)"
	row "plan load: peak RSS (max of $BENCH_RUNS)" "$(mb "$rss")" "<= 32 MB" \
		"$(verdict "$(calc "$rss / 1024")" 32)"
	row "plan load: throughput" "$(calc "$size / 1048576 / $LOAD_WALL") MiB/s" "" ""
	cmdline "bin/test-tool yaml-events $plan   (x$BENCH_RUNS: libfyaml alone, events discarded)"
	walls=()
	for i in $(seq "$BENCH_RUNS"); do
		measure "$WORK/events.$i" "$BIN/test-tool" yaml-events "$plan"
		walls+=("$(field "$WORK/events.$i" 1)")
	done
	EVENTS_WALL=$(printf '%s\n' "${walls[@]}" | median)
	row "libfyaml alone, same file: wall (median)" "$EVENTS_WALL s" "" \
		"$(ratio "$EVENTS_WALL" "$LOAD_WALL")x of the load"
	note "plan-load printed: $(cat "$WORK/load.1.stdout")"

	if [ "$BENCH_PYYAML" = 0 ]; then
		row "PyYAML CLoader, same file" "skipped" "" "BENCH_PYYAML=0"
	elif python3 -c 'import yaml; yaml.CLoader' 2>/dev/null; then
		local load='import sys, yaml
yaml.load(open(sys.argv[1], "rb"), Loader=yaml.CLoader)'
		echo "bench: loading the file with PyYAML's C loader (a minute or more) ..." >&2
		cmdline "python3 -c '${load//$'\n'/; }' $plan"
		measure "$WORK/pyyaml" python3 -c "$load" "$plan"
		if [ "$(field "$WORK/pyyaml" 5)" = 0 ]; then
			local pw version
			pw=$(field "$WORK/pyyaml" 1)
			version=$(python3 -c 'import yaml; print(yaml.__version__)')
			row "PyYAML $version CLoader: wall" \
				"$pw s" "" "$(ratio "$pw" "$LOAD_WALL")x ccapply's time"
			row "PyYAML CLoader: peak RSS" "$(mb "$(field "$WORK/pyyaml" 4)")" "" \
				"$(ratio "$(field "$WORK/pyyaml" 4)" "$rss")x ccapply's"
		else
			row "PyYAML CLoader" "failed" "" "$(tail -n 1 "$WORK/pyyaml.stderr")"
		fi
	else
		row "PyYAML CLoader" "PyYAML not available" "" ""
	fi
}

bench_plan_scale() {
	local ws requests wall min=$((1 + (5000 + 999) / 1000 + 1 + 2)) floor
	ws=$(workspace 5000 1000) || die "gen-scale.pl failed"
	sim_start scale --seed "$ws/seed.json" --latency-ms "$LATENCY_MS" || die "simulator failed"
	cmdline "testdata/gen-scale.pl $ws --live 5000 --planned 1000"
	cmdline "bin/ccapply-sim --seed $ws/seed.json --latency-ms $LATENCY_MS"
	cmdline "bin/ccapply -C $ws plan"
	measure "$WORK/plan" "$BIN/ccapply" -C "$ws" plan
	if [ "$(field "$WORK/plan" 5)" != 0 ]; then
		cat "$WORK/plan.stderr" >&2
		die "ccapply plan failed"
	fi
	requests=$(sim_count requests)
	sim_stop
	wall=$(field "$WORK/plan" 1)
	floor=$(calc "$requests * $LATENCY_MS / 1000")
	row "plan, 5000 live / 1000 planned: requests" "$requests" "$min (SPEC 2)" \
		"$(verdict "$requests" "$min")"
	row "plan: wall" "$wall s" "~ $floor s (reqs x ${LATENCY_MS}ms)" \
		"$(ratio "$wall" "$floor")x"
	row "plan: peak RSS" "$(mb "$(field "$WORK/plan" 4)")" "" ""
	note "plan's last line: $(tail -n 1 "$WORK/plan.stdout")"
	note "minimum requests: 1 group + ceil(5000/1000) connection pages + 1 transformations" \
	     "+ 2 to name the source group (one connection, its group)"
}

bench_apply_paced() {
	local ws dir i status walls=() counts=() wall n429
	ws=$(workspace 0 60) || die "gen-scale.pl failed"
	cmdline "testdata/gen-scale.pl $ws --live 0 --planned 60"
	cmdline "bin/ccapply-sim --seed $ws/seed.json --create-limit 20/2"
	cmdline "bin/ccapply -C DIR apply --auto-approve --create-rate 20/2" \
		"  (x$BENCH_APPLY_RUNS, fresh simulator and DIR each time)"
	for i in $(seq "$BENCH_APPLY_RUNS"); do
		dir=$(fresh_apply_dir "$ws") || die "cannot copy $ws"
		sim_start paced --seed "$ws/seed.json" --create-limit 20/2 || die "simulator failed"
		measure "$WORK/paced.$i" \
			"$BIN/ccapply" -C "$dir" apply --auto-approve --create-rate 20/2
		status=$(field "$WORK/paced.$i" 5)
		counts+=("$(sim_count status:429)")
		sim_stop
		walls+=("$(field "$WORK/paced.$i" 1)")
		[ "$status" = 0 ] || note "apply 60 run $i exited $status:" \
			"$(tail -n 2 "$WORK/paced.$i.stderr" | tr '\n' ' ')"
	done
	wall=$(printf '%s\n' "${walls[@]}" | median)
	n429=$(printf '%s\n' "${counts[@]}" | sort -n | tail -n 1)
	row "apply 60, sim 20/2s, ccapply 20/2s: wall (median)" "$wall s" "<= 6.6 s (1.1 x 6 s)" \
		"$(verdict "$wall" 6.6) ($(ratio "$wall" 6)x the floor)"
	row "apply 60: 429 answers (most in a run)" "$n429" "<= 1" "$(verdict "$n429" 1)"
	note "apply 60, per run: wall ${walls[*]} s; 429 answers ${counts[*]}"
	note "apply 60 printed: $(grep '^Apply complete' "$WORK/paced.1.stdout")"
}

bench_apply_cpu() {
	local ws dir cpu status
	ws=$(workspace 0 1000) || die "gen-scale.pl failed"
	dir=$(fresh_apply_dir "$ws") || die "cannot copy $ws"
	sim_start cpu --seed "$ws/seed.json" --create-limit none || die "simulator failed"
	cmdline "testdata/gen-scale.pl $ws --live 0 --planned 1000"
	cmdline "bin/ccapply-sim --seed $ws/seed.json --create-limit none"
	cmdline "bin/ccapply -C DIR apply --auto-approve --create-rate 100000/1"
	measure "$WORK/cpu" "$BIN/ccapply" -C "$dir" apply --auto-approve --create-rate 100000/1
	status=$(field "$WORK/cpu" 5)
	sim_stop
	# (user + sys) seconds * 1000 ms / 1000 resources
	cpu=$(calc "$(field "$WORK/cpu" 2) + $(field "$WORK/cpu" 3)")
	row "apply 1000, no limits: ccapply CPU/resource" "$cpu ms" "<= 1 ms" "$(verdict "$cpu" 1)"
	row "apply 1000: user / sys" "$(field "$WORK/cpu" 2) s / $(field "$WORK/cpu" 3) s" "" ""
	row "apply 1000: ccapply peak RSS" "$(mb "$(field "$WORK/cpu" 4)")" "<= 32 MB" \
		"$(verdict "$(calc "$(field "$WORK/cpu" 4) / 1024")" 32)"
	row "apply 1000: wall" "$(field "$WORK/cpu" 1) s" "" ""
	[ "$status" = 0 ] || note "apply 1000 exited $status:" \
		"$(tail -n 2 "$WORK/cpu.stderr" | tr '\n' ' ')"
	note "apply 1000 printed: $(grep '^Apply complete' "$WORK/cpu.stdout")"
}

# ------------------------------------------------------------------- report

machine() {
	local model mem commit dirty= timing=/usr/bin/time
	model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
	commit=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
	if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
		dirty=' (with uncommitted changes)'
	fi
	if [ -z "$HAVE_GNU_TIME" ]; then
		timing="bash's time + /proc VmHWM polling"
		timing="$timing (install the Debian package time for exact figures)"
	fi
	echo "machine: $(nproc) CPUs, ${model:-unknown CPU}, $mem RAM, $(uname -sr)"
	echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "ccapply: $("$BIN/ccapply" --version 2>/dev/null | head -n 1), commit $commit$dirty"
	echo "timing: $timing"
}

MACHINE=$(machine)
bench_plan_load
bench_plan_scale
bench_apply_paced
bench_apply_cpu

echo "ccapply benchmarks (figures only; nothing here is asserted)"
echo "$MACHINE"
echo
printf '%-50s %-16s %-22s %s\n' benchmark measured goal verdict
printf '%s\n' "${ROWS[@]}"
echo
echo "commands:"
printf '  %s\n' "${COMMANDS[@]}"
echo
echo "notes:"
printf '  %s\n' "${NOTES[@]}"
