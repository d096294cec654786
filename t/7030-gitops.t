#!/bin/bash
# docs/gitops.md's pipelines do what the page says: its GitHub Actions workflow and
# GitLab CI jobs are extracted from the page (so the page and this test cannot
# drift), and every run:/script: command of them but the install runs here, against
# ccapply-sim, in a clone of a local bare repository that stands in for the remote.
# Pull request: plan, exit 2 is "changes pending", nothing is written. Merge: apply
# the saved plan, commit ccapply.lock and results.md, push. Again: nothing to do,
# no commit. A failed resource: committed, and the job fails.
. "$(dirname "$0")/test-lib.sh"

DOC="$REPO/docs/gitops.md"
DEMO_DATA="$TESTDATA/demo"
git --version >/dev/null 2>&1 || test_skip_all "git is not installed"

# The ```yaml block of the page whose first line is "# NAME".
yaml_block() {
	awk -v want="# $1" '
		/^```yaml$/ { inblock = 1; first = 1; keep = 0; next }
		/^```$/ { inblock = 0; next }
		inblock && first { keep = ($0 == want); first = 0 }
		inblock && keep' "$DOC"
}

# json_query FILE PERL-EXPR — print what PERL-EXPR makes of $d, the JSON in FILE.
json_query() {
	perl -MJSON::PP -e '
		my $text = do { local $/; open my $f, "<", $ARGV[0] or die "$ARGV[0]: $!\n"; <$f> };
		my $d = JSON::PP->new->decode($text);
		my $r = eval $ARGV[1]; die $@ if $@;
		print ref $r eq "ARRAY" ? join("", map { "$_\n" } @$r) : $r;
	' "$@"
}

# The run: script of step ID in GitHub job JOB.
gh_step() {
	json_query github.json 'my @steps = @{$d->{jobs}{'"$1"'}{steps}};
		(grep { ($_->{id} // "") eq "'"$2"'" } @steps)[0]{run}
		// die "no step '"$2"' in job '"$1"'\n"'
}

# The ids of the run: steps of GitHub job JOB but the install, in order.
gh_steps() {
	json_query github.json '[map { $_->{id} } grep { $_->{run} && $_->{id} ne "install" }
		@{$d->{jobs}{'"$1"'}{steps}}]'
}

# Job JOB's env, as export lines, leaving out ${{ expressions }} (secrets, vars).
gh_env() {
	json_query github.json 'my $e = $d->{jobs}{'"$1"'}{env} // {};
		join "", map { "export $_=\x27$e->{$_}\x27\n" }
			grep { $e->{$_} !~ /\$\{\{/ } sort keys %$e'
}

# Run GitHub job JOB's steps in the checkout "work", as the runner would
# (bash -eo pipefail, one process a step, stopping at the first failure).
gh_run_job() {
	local job=$1 id
	gh_env "$job" >job.env &&
	: >"$TRASH/github-output" &&
	for id in $(gh_steps "$job"); do
		gh_step "$job" "$id" >"step-$id.sh" || return 1
		(
			. ./job.env &&
			export GITHUB_OUTPUT="$TRASH/github-output" \
				GITHUB_STEP_SUMMARY="$TRASH/github-summary" &&
			cd work && bash --noprofile --norc -eo pipefail "$TRASH/step-$id.sh"
		) || return $?
	done
}

# GitLab job JOB's script lines, one script, run with sh -e in "work" with the
# job's variables; CCAPPLY_PUSH_URL points at the local remote.
gl_run_job() {
	json_query gitlab.json 'join "", map { "$_\n" } @{$d->{"'"$1"'"}{script}}' >"gl-$1.sh" &&
	json_query gitlab.json 'my $v = $d->{"'"$1"'"}{variables} // {};
		join "", map { "export $_=\x27$v->{$_}\x27\n" } sort keys %$v' >"gl-$1.env" &&
	(
		. "./gl-$1.env" &&
		export CI_COMMIT_BRANCH=main CI_DEFAULT_BRANCH=main \
			CI_SERVER_HOST=gitlab.example.com \
			CCAPPLY_PUSH_URL="$TRASH/origin.git" &&
		cd work && sh -e "$TRASH/gl-$1.sh"
	)
}

# A bare "remote" holding the demo's .copy-connections/ on main, and a clone of it
# in "work".
fresh_remote() {
	rm -rf origin.git work seed &&
	git init -q --bare -b main origin.git &&
	git init -q -b main seed &&
	cp -R "$DEMO_DATA/.copy-connections" seed/ &&
	git -C seed add .copy-connections &&
	git -C seed -c user.name=t -c user.email=t@example.com commit -q -m "copy plan" &&
	git -C seed push -q "$TRASH/origin.git" main &&
	git clone -q origin.git work
}

posts() {
	sim_requests | grep -c "\"method\": *\"POST\"" || true
}

commits() {
	git -C origin.git rev-list --count main
}

test_expect_success 'the page holds both pipelines, as valid YAML' '
	yaml_block .github/workflows/ccapply.yml >github.yml &&
	yaml_block .gitlab-ci.yml >gitlab.yml &&
	test -s github.yml && test -s gitlab.yml &&
	test-tool yaml2json github.yml >github.json &&
	test-tool yaml2json gitlab.yml >gitlab.json &&
	gh_steps plan >plan-steps && gh_steps apply >apply-steps &&
	test_grep -x plan plan-steps &&
	test_grep -x apply apply-steps
'

test_expect_success 'the commands are the documented ones, and no ${{ }} reaches a script' '
	gh_step plan plan >s &&
	test_grep "ccapply plan --detailed-exitcode --json --out plan.out" s &&
	gh_step apply apply >s && test_grep "ccapply apply plan.out --auto-approve" s &&
	json_query gitlab.json "\$d->{\"ccapply-apply\"}{script}" >s &&
	test_grep "ccapply plan --detailed-exitcode --json --out plan.out" s &&
	test_grep "ccapply apply plan.out --auto-approve" s &&
	json_query github.json "[map { \$_->{run} // () } map { @{\$_->{steps}} }
		values %{\$d->{jobs}}]" >all-runs &&
	test_grep ! "\${{" all-runs
'

test_expect_success 'GitHub, pull request: plan exits 0 with changes=true; nothing written' '
	sim_start --seed "$DEMO_DATA/seed.json" &&
	fresh_remote &&
	gh_run_job plan &&
	test_grep -x "changes=true" github-output &&
	test_grep "^Plan: 5 to create, 1 unchanged, 0 skipped.$" github-summary &&
	test -s work/plan.out &&
	test-tool json-parse work/plan.json &&
	test "$(posts)" -eq 0 &&
	test ! -e work/.copy-connections/ccapply.lock
'

test_expect_success 'GitHub, merge: apply creates, commits the record, pushes' '
	before=$(commits) &&
	gh_run_job apply >apply.log 2>&1 &&
	test_grep "^Apply complete: 5 created, 1 already existed" apply.log &&
	test "$(posts)" -eq 5 &&
	test "$(commits)" -eq $((before + 1)) &&
	git -C origin.git show --stat --format=%s main >last &&
	test_grep "^ccapply apply: record ccapply.lock and results.md" last &&
	git -C origin.git show main:.copy-connections/ccapply.lock >lock &&
	test_grep "\"outcome\": \"created\"" lock &&
	git -C origin.git show main:.copy-connections/results.md >results &&
	test_grep "^- 4 connections created successfully$" results &&
	if [ -f work/.copy-connections/ccapply.journal ]; then
		git -C origin.git show main:.copy-connections/ccapply.journal >journal &&
		test_cmp work/.copy-connections/ccapply.journal journal
	fi
'

test_expect_success 'GitHub, again: plan says changes=false, apply commits nothing' '
	gh_run_job plan &&
	test_grep -x "changes=false" github-output &&
	before=$(commits) &&
	gh_run_job apply >apply.log 2>&1 &&
	test_grep "nothing changed; no commit" apply.log &&
	test "$(posts)" -eq 5 &&
	test "$(commits)" -eq "$before"
'

test_expect_success 'GitHub, a resource fails: the record is committed and the job fails (3)' '
	sim_start --seed "$DEMO_DATA/seed.json" --fault "POST /v1/connections#3=400" &&
	fresh_remote &&
	before=$(commits) &&
	test_expect_code 3 gh_run_job apply >apply.log 2>&1 &&
	test_grep "^connection stripe: failed: HTTP 400" apply.log &&
	test "$(commits)" -eq $((before + 1)) &&
	git -C origin.git show main:.copy-connections/ccapply.lock >lock &&
	test_grep "\"outcome\": \"failed\"" lock
'

test_expect_success 'GitLab, merge request: plan reports changes pending, job passes' '
	sim_start --seed "$DEMO_DATA/seed.json" &&
	fresh_remote &&
	gl_run_job ccapply-plan >plan.log 2>&1 &&
	test_grep "^ccapply - changes pending$" plan.log &&
	test_grep "^Plan: 5 to create, 1 unchanged, 0 skipped.$" plan.log &&
	test "$(posts)" -eq 0
'

test_expect_success 'GitLab, merge: apply, commit, push; then again: no commit' '
	before=$(commits) &&
	gl_run_job ccapply-apply >apply.log 2>&1 &&
	test_grep "^Apply complete: 5 created" apply.log &&
	test "$(commits)" -eq $((before + 1)) &&
	git -C origin.git log -1 --format=%s main >subject &&
	test_grep "\[skip ci\]" subject &&
	git -C origin.git show main:.copy-connections/ccapply.lock >lock &&
	test_grep "\"outcome\": \"created\"" lock &&
	gl_run_job ccapply-plan >plan.log 2>&1 &&
	test_grep ! "changes pending" plan.log &&
	gl_run_job ccapply-apply >apply.log 2>&1 &&
	test_grep "nothing changed, no commit" apply.log &&
	test "$(commits)" -eq $((before + 1)) &&
	test "$(posts)" -eq 5
'

test_expect_success 'GitLab, a refused plan fails the plan job with its exit code' '
	echo "# edited after validation" >>work/.copy-connections/copy_plan.yaml &&
	test_expect_code 1 gl_run_job ccapply-plan >plan.log 2>&1 &&
	test_grep "changed since" plan.log
'

test_done
