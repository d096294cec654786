#!/bin/bash
# `make demo` (scripts/demo.sh, run here directly with the built binaries): the whole
# job on the simulator, non-interactively — plan, apply, results, state, a second
# apply that changes nothing — leaving nothing running and nothing in the repository,
# also when it fails or is interrupted.
. "$(dirname "$0")/test-lib.sh"

DEMO="$REPO/scripts/demo.sh"
DEMO_DATA="$TESTDATA/demo"
export TMPDIR="$TRASH/tmp"
mkdir -p "$TMPDIR"

# Any simulator (or demo scratch directory) this script's demos left behind.
leftover_sims() {
	pgrep -f "ccapply-sim .*$TMPDIR/ccapply-demo" || true
}

test_expect_success 'the demo report checksum still matches the demo plan' '
	ccapply checksum "$DEMO_DATA/.copy-connections/copy_plan.yaml" >expect &&
	sed -n "s/^  plan_checksum: *//p" "$DEMO_DATA/.copy-connections/validation_report.yaml" \
		>actual &&
	test_cmp expect actual
'

test_expect_success 'make demo runs scripts/demo.sh after building' '
	make -s -n -C "$REPO" demo >recipe 2>&1 &&
	test_grep "scripts/demo.sh" recipe
'

# The demo's create bodies are checked against the definition when the script ends (t/lib-sim.sh).
test_expect_success 'the demo runs start to finish without a terminal' '
	CCAPPLY_DEMO_REQUESTS="$TRASH/demo-requests.json" "$DEMO" >out 2>err </dev/null &&
	test_line_count = 0 err &&
	sim_creates_from_log <demo-requests.json &&
	test "$(wc -l <"$SIM_CREATES")" -eq 4
'

test_expect_success 'it plans: creates, the one already in the target, the package' '
	test_grep "^  + connection \"orders_db\" (postgres)$" out &&
	test_grep "^  + connection \"salesforce\" (salesforce)$" out &&
	test_grep "^  + connection \"stripe\" (stripe)$" out &&
	test_grep "^  = connection \"hubspot\" (hubspot) id=eu_hubspot: ALREADY_EXISTS$" out &&
	test_grep "^  + transformation \"stripe\"$" out &&
	test "$(grep -c "^Plan: 5 to create, 1 unchanged, 0 skipped.$" out)" -eq 2
'

test_expect_success 'it applies, and shows results.md and the state' '
	test_grep "^connection orders_db: created (id " out &&
	test_grep "^transformation stripe: created (id " out &&
	test_grep "^Apply complete: 5 created, 1 already existed, 0 skipped, 0 failed.$" out &&
	test_grep "^# Copy Connections Results$" out &&
	test_grep "^- 4 connections created successfully$" out &&
	test_grep "^- 1 connection already existed (left unchanged)$" out &&
	test_grep "dbt_revenue_models" out &&
	if ccapply help | grep -q "^  state "; then
		test_grep "^\$ ccapply state list" out
	else
		test_grep "\"lineage\": " out
	fi
'

test_expect_success 'the second apply changes nothing, and the demo says so' '
	sed -n "/Step 5/,\$p" out >second &&
	test_grep "^Plan: 0 to create, 6 unchanged, 0 skipped.$" second &&
	test_grep "^Nothing changed: the second apply sent no create request" second &&
	test_grep "ccapply.lock and results.md$" second &&
	test_grep "^are byte-identical" second
'

test_expect_success 'nothing is left running or lying around' '
	test -z "$(leftover_sims)" &&
	test -z "$(ls "$TMPDIR")" &&
	ls -A "$DEMO_DATA" "$DEMO_DATA/.copy-connections" >files &&
	cat >expect <<-EOF &&
	$DEMO_DATA:
	.copy-connections
	seed.json

	$DEMO_DATA/.copy-connections:
	copy_plan.yaml
	validation_report.yaml
	EOF
	test_cmp expect files
'

test_expect_success 'the demo never reaches a real account, whatever the environment says' '
	FIVETRAN_API_URL=https://api.fivetran.com FIVETRAN_APIKEY=real FIVETRAN_APISECRET=real \
		FIVETRAN_ALLOW_WRITES=false "$DEMO" >out2 2>&1 </dev/null &&
	test_grep "^API: *http://127.0.0.1:" out2 &&
	test_grep "^Apply complete: 5 created" out2
'

test_expect_success 'a failing step fails the demo, stops the simulator, keeps the files' '
	cp -R "$DEMO_DATA" broken &&
	echo "# edited after validation" >>broken/.copy-connections/copy_plan.yaml &&
	test_expect_code 1 env CCAPPLY_DEMO_DATA="$PWD/broken" "$DEMO" >out3 2>err3 </dev/null &&
	test_grep "changed since" err3 &&
	test_grep "^demo: ccapply plan failed" err3 &&
	test_grep "kept in $TMPDIR/ccapply-demo" out3 &&
	test -z "$(leftover_sims)" &&
	rm -rf "$TMPDIR"/ccapply-demo.*
'

# A ccapply that, asked to plan, says so and then hangs, so the demo can be
# interrupted with a step in flight, as Ctrl-C would: SIGINT to its process
# group. A job started with & here inherits SIGINT ignored (bash does that
# without job control), which a shell cannot undo, so perl resets it first.
cat >sigint-default <<'EOF'
#!/usr/bin/perl
$SIG{INT} = "DEFAULT";
exec @ARGV or die "sigint-default: $ARGV[0]: $!\n";
EOF
chmod +x sigint-default
test_expect_success 'Ctrl-C during a step stops the simulator too (exit 130)' '
	cat >slow-ccapply <<-EOF &&
	#!/bin/sh
	case " \$* " in *" plan "*) touch "$TRASH/planning"; exec sleep 30 ;; esac
	exec "$BIN/ccapply" "\$@"
	EOF
	chmod +x slow-ccapply &&
	rm -f planning &&
	{ CCAPPLY="$PWD/slow-ccapply" setsid ./sigint-default "$DEMO" >out4 2>&1 </dev/null & } &&
	demo=$! &&
	for i in $(seq 200); do [ -f planning ] && break; sleep 0.05; done &&
	test -f planning &&
	test -n "$(leftover_sims)" &&
	kill -INT -- -$demo &&
	{ wait $demo; status=$?; } &&
	test $status -eq 130 &&
	test -z "$(leftover_sims)" &&
	test_grep "kept in $TMPDIR/ccapply-demo" out4 &&
	test_grep ! "Step 2" out4
'

test_done
