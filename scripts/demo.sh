#!/bin/bash
# demo.sh — what `make demo` runs: the whole ccapply job, start to finish, on
# the bundled simulator, in a scratch directory.
#
#   1. start ccapply-sim on a free loopback port, seeded with testdata/demo/seed.json
#      (a "Production (US)" group with five connections and a Stripe Quickstart
#      package; an "Analytics (EU)" target group that already holds HubSpot);
#   2. copy testdata/demo/.copy-connections/ into a mktemp directory (the repository
#      is never written to) and run `ccapply plan` there;
#   3. `ccapply apply --auto-approve`, then show results.md and the state;
#   4. `ccapply apply` again, and show that nothing changed;
#   5. stop the simulator — from an EXIT trap, so it also happens on failure or
#      Ctrl-C — and remove the scratch directory (CCAPPLY_DEMO_KEEP=1 keeps it).
#      With CCAPPLY_DEMO_REQUESTS=FILE, the simulator's request log (/_sim/requests)
#      is saved to FILE first (t/7000-demo.t checks the create bodies in it).
#
# Non-interactive (stdin is never read), so it runs the same in CI. It never talks
# to a real account: the API URL and the credentials are set here, whatever the
# environment says. Binaries: $CCAPPLY and $CCAPPLY_SIM, default the repository's
# bin/; the account and plan: $CCAPPLY_DEMO_DATA, default testdata/demo/. Exit status:
# 0 when every step did what it should, else 1 (130 on Ctrl-C), and then the scratch
# directory is kept for inspection.
set -u

REPO=$(cd "$(dirname "$0")/.." && pwd)
CCAPPLY=${CCAPPLY:-$REPO/bin/ccapply}
CCAPPLY_SIM=${CCAPPLY_SIM:-$REPO/bin/ccapply-sim}
DEMO_DATA=${CCAPPLY_DEMO_DATA:-$REPO/testdata/demo}

# The commands run in the scratch directory: make relative paths absolute first.
absolute() {
	case "$1" in
	/*) printf '%s\n' "$1" ;;
	*/*) printf '%s/%s\n' "$PWD" "$1" ;;
	*) printf '%s\n' "$1" ;; # a bare name: found on PATH
	esac
}
CCAPPLY=$(absolute "$CCAPPLY")
CCAPPLY_SIM=$(absolute "$CCAPPLY_SIM")
DEMO_DATA=$(absolute "$DEMO_DATA")

SIM_PID=
WORK=

BOLD='' DIM='' RED='' RESET='' ERR_RESET=''
if [ -z "${NO_COLOR:-}" ]; then
	[ -t 1 ] && BOLD=$'\033[1m' DIM=$'\033[2m' RESET=$'\033[0m'
	[ -t 2 ] && RED=$'\033[31m' ERR_RESET=$'\033[0m'
fi

heading() { printf '\n%s==> %s%s\n\n' "$BOLD" "$*" "$RESET"; }
note() { printf '%s\n' "$*"; }
die() {
	printf '%sdemo: %s%s\n' "$RED" "$*" "$ERR_RESET" >&2
	exit 1
}

# Show a command as a user would type it in the scratch directory, then run it there.
run() {
	printf '%s$ ccapply %s%s\n' "$DIM" "$*" "$RESET"
	(cd "$WORK" && "$CCAPPLY" "$@" </dev/null)
}

# How many POST requests (creates) the simulator has received, from its request log.
creates_sent() {
	local log

	log=$(curl -sS -f "$FIVETRAN_API_URL/_sim/requests") || return 1
	grep -c '"method": *"POST"' <<<"$log" || true
}

cleanup() {
	local status=$?

	trap - EXIT INT TERM
	if [ -n "$SIM_PID" ]; then
		[ -n "${CCAPPLY_DEMO_REQUESTS:-}" ] &&
			curl -sS -f -o "$CCAPPLY_DEMO_REQUESTS" "$FIVETRAN_API_URL/_sim/requests"
		kill -TERM "$SIM_PID" 2>/dev/null
		wait "$SIM_PID" 2>/dev/null
		SIM_PID=
	fi
	if [ -n "$WORK" ]; then
		if [ -n "${CCAPPLY_DEMO_KEEP:-}" ] || [ "$status" -ne 0 ]; then
			note "The demo's files are kept in $WORK"
		else
			rm -rf "$WORK"
		fi
	fi
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for f in "$CCAPPLY" "$CCAPPLY_SIM"; do
	command -v "$f" >/dev/null || die "$f is not built; run 'make demo' (or 'make') first"
done
for f in seed.json .copy-connections/copy_plan.yaml .copy-connections/validation_report.yaml; do
	[ -f "$DEMO_DATA/$f" ] || die "missing $DEMO_DATA/$f"
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ccapply-demo.XXXXXX") || die "cannot create a scratch directory"
cp -R "$DEMO_DATA/.copy-connections" "$WORK/" || die "cannot copy the demo plan into $WORK"

# --- 1. the simulator --------------------------------------------------------
heading "Starting ccapply-sim, a simulated Fivetran account, on a free loopback port"
"$CCAPPLY_SIM" --port 0 --port-file "$WORK/sim.port" --seed "$DEMO_DATA/seed.json" \
	2>"$WORK/sim.log" </dev/null &
SIM_PID=$!
for _ in $(seq 200); do
	[ -s "$WORK/sim.port" ] && break
	if ! kill -0 "$SIM_PID" 2>/dev/null; then
		cat "$WORK/sim.log" >&2
		SIM_PID=
		die "ccapply-sim exited before listening"
	fi
	sleep 0.05
done
[ -s "$WORK/sim.port" ] || die "ccapply-sim did not start listening within 10 s"

FIVETRAN_API_URL="http://127.0.0.1:$(cat "$WORK/sim.port")"
export FIVETRAN_API_URL
export FIVETRAN_APIKEY=sim-key FIVETRAN_APISECRET=sim-secret
export FIVETRAN_API_KEY=sim-key FIVETRAN_API_SECRET=sim-secret
unset FIVETRAN_ALLOW_WRITES
note "API:       $FIVETRAN_API_URL (FIVETRAN_API_URL; credentials FIVETRAN_APIKEY=sim-key ...)"
note "Workspace: $WORK/.copy-connections/ (a scratch copy of testdata/demo/.copy-connections/)"
note "           copy_plan.yaml: 5 connections and 1 Quickstart package, from the"
note "           'Production (US)' group to 'Analytics (EU)', which already holds hubspot."

# --- 2. plan -----------------------------------------------------------------
heading "Step 1: plan — what would apply do? (read-only: only GET requests)"
run plan || die "ccapply plan failed"

# --- 3. apply ----------------------------------------------------------------
heading "Step 2: apply — create what is missing (--auto-approve: no prompt)"
run apply --auto-approve || die "ccapply apply failed (exit $?)"

heading "Step 3: results.md — the report for people"
cat "$WORK/.copy-connections/results.md" || die "apply wrote no results.md"

if "$CCAPPLY" help 2>/dev/null | grep -q '^  state '; then
	heading "Step 4: the state — what ccapply.lock records"
	run state list || die "ccapply state list failed"
else
	heading "Step 4: ccapply.lock — the state file, for machines and audits"
	cat "$WORK/.copy-connections/ccapply.lock" || die "apply wrote no ccapply.lock"
fi

# --- 4. apply again ----------------------------------------------------------
heading "Step 5: apply again — everything exists now, so nothing is created"
cp "$WORK/.copy-connections/ccapply.lock" "$WORK/lock.before" || die "no ccapply.lock"
cp "$WORK/.copy-connections/results.md" "$WORK/results.before" || die "no results.md"
posts_before=$(creates_sent) || die "cannot read the simulator's request log"
run apply --auto-approve || die "the second ccapply apply failed (exit $?)"
posts_after=$(creates_sent) || die "cannot read the simulator's request log"
[ "$posts_after" -eq "$posts_before" ] ||
	die "the second apply sent $((posts_after - posts_before)) create request(s)"
cmp -s "$WORK/lock.before" "$WORK/.copy-connections/ccapply.lock" ||
	die "the second apply changed ccapply.lock"
cmp -s "$WORK/results.before" "$WORK/.copy-connections/results.md" ||
	die "the second apply changed results.md"
run plan --detailed-exitcode >/dev/null
status=$?
[ "$status" -eq 0 ] || die "plan --detailed-exitcode says changes are pending (exit $status)"
note ""
note "Nothing changed: the second apply sent no create request (the simulator received"
note "$posts_after in all, every one from the first apply), ccapply.lock and results.md"
note "are byte-identical, and 'ccapply plan --detailed-exitcode' exits 0 (no changes"
note "pending). The lines above repeat the outcomes ccapply.lock records; the plan shows"
note "everything as unchanged."

# --- 5. done -----------------------------------------------------------------
heading "Done"
note "The simulator is stopped on exit. Against a real account: set FIVETRAN_APIKEY and"
note "FIVETRAN_APISECRET, put copy_plan.yaml and validation_report.yaml in .copy-connections/,"
note "and run 'ccapply plan', review it, then 'ccapply apply' (see README.md)."
