# lib-apply.sh — fixtures for apply tests against ccapply-sim with the
# bundled plan (testdata/plans/basic): a fresh simulator and workspace, and
# checks that every planned connection exists exactly once.
#
#   fresh [SIM ARGS...]      restart the simulator on plan-source.json (no
#                            create limit) and make a new workspace ws/
#   count_named NAME         how many connections NAME the target group holds
#   every_connection_once    each planned connection exists exactly once
#   posts                    how many POSTs the simulator has received
#   wait_for_posts N         wait (at most 20 s) for N POSTs
#   lose_state               delete ws/'s ccapply.lock and ccapply.journal (what a lost
#                            CI cache or a fresh checkout leaves)
#   apply_sends_nothing N    apply in ws/ reports N already existed and nothing else, and
#                            no write reaches the simulator (output in apply.out)

# How many connections named NAME the simulator holds in the target group.
count_named() {
	test-tool api list-group-connections target_group "$1" 2>/dev/null |
		grep -c "^    \"schema\": \"$1\""
}

every_connection_once() {
	for name in postgres_app salesforce_prod stripe_prod; do
		n=$(count_named $name) &&
		if [ "$n" -ne 1 ]; then echo "$name exists $n times in the target"; return 1; fi
	done
}

# Wait until the simulator has received at least N creates (at most 20 s).
wait_for_posts() {
	for i in $(seq 100); do
		[ "$(posts)" -ge "$1" ] && return 0
		sleep 0.2
	done
	echo "no create reached the simulator" >&2
	return 1
}

posts() {
	sim_requests | grep -c "\"method\": *\"POST\"" || true
}

lose_state() {
	rm -f ws/.copy-connections/ccapply.lock ws/.copy-connections/ccapply.journal
}

apply_sends_nothing() {
	local before
	before=$(sim_writes) &&
	ccapply -C ws apply --auto-approve >apply.out &&
	test_grep "^Apply complete: 0 created, $1 already existed, 0 skipped, 0 failed.$" apply.out &&
	test "$(sim_writes)" = "$before"
}

fresh() {
	sim_stop
	sim_start --seed "$TESTDATA/sim/plan-source.json" --create-limit none "$@" &&
	rm -rf ws && plan_workspace ws && write_report ws pass
}
