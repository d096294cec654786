#!/bin/bash
# 3910-contract-mock.t — contract test: the API client's calls against `prism mock` of the
# official Fivetran definition (errata applied). The answers are the definition's own examples,
# static and deterministic (no -d), written by nobody here: every call must succeed and parse,
# which proves the client accepts the official shapes and not only the simulator's. Prism also
# checks each request the client sends. One Prism start for the whole script.
#
# One change to the mock's copy, and only to it: the list answers' next_cursor is removed. The
# static example cursor ("cursor_value") would come back on every page, and a client that follows
# cursors to the end rightly never ends; without it each list is a single last page.
. "$(dirname "$0")/test-lib.sh"

prism_require

export FIVETRAN_APIKEY=contract-key FIVETRAN_APISECRET=contract-secret

# last_page_definition FILE: drop data.next_cursor from every 200 list answer of FILE; prints how
# many answers changed.
last_page_definition() {
	node - "$1" <<-\EOF
	const fs = require('fs');
	const file = process.argv[2];
	const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
	let changed = 0;
	for (const item of Object.values(doc.paths))
		for (const op of Object.values(item)) {
			const content = op && op.responses && op.responses['200'] &&
				op.responses['200'].content;
			const schema = content && content['application/json'] &&
				content['application/json'].schema;
			const data = schema && schema.properties && schema.properties.data;
			if (data && data.properties && 'next_cursor' in data.properties) {
				delete data.properties.next_cursor;
				changed++;
			}
		}
	fs.writeFileSync(file, JSON.stringify(doc));
	console.log(changed);
	EOF
}

test_expect_success 'the errata are applied to a temporary copy of the definition' '
	prism_corrected_definition >errata.out &&
	test_line_count = 4 errata.out
'
sed 's/^/# corrected definition: /' errata.out

test_expect_success 'the mock copy answers every list as one last page' '
	last_page_definition "$PRISM_DEFINITION" >last-page.out &&
	test "$(cat last-page.out)" -gt 0
'
say "mock copy: next_cursor removed from $(cat last-page.out 2>/dev/null) list answers"

test_expect_success 'start prism mock' '
	prism_mock_start &&
	test_set_prereq PRISM
'
say "Prism mock answered ${PRISM_STARTUP_SECONDS:-?}s after start"

# mock_read NAME OP ARGS...: the call succeeds, Prism found nothing wrong with the request, and
# the output (the parsed answer) is kept in NAME.out. Findings about the answers are the
# definition's own examples disagreeing with its schemas: kept in NAME.findings, not failures.
mock_read() {
	local name=$1 mark
	shift
	mark=$(prism_mark)
	FIVETRAN_API_URL=$PRISM_URL test-tool api --retry-base-ms 1 --retry-max-ms 10 "$@" \
		>"$name.out" 2>"$name.err" || {
		cat "$name.err"
		prism_exchanges_since "$mark"
		return 1
	}
	prism_violations "$mark" >"$name.findings"
	if grep -v -e '^	violation [A-Za-z]* response' -e '^[A-Z]* /' "$name.findings" \
		>"$name.request-findings"; then
		echo "Prism found the request of test-tool api $* invalid:"
		cat "$name.findings"
		return 1
	fi
	return 0
}

test_expect_success PRISM 'get-group parses the official example' '
	mock_read group get-group any_group &&
	test_grep "\"id\": \"group_id\"" group.out &&
	test_grep "\"name\": \"Group_Name\"" group.out
'

test_expect_success PRISM 'list-groups parses the official example' '
	mock_read groups list-groups &&
	test_grep "\"name\": \"Group_Name\"" groups.out
'

test_expect_success PRISM 'get-destination parses the official example' '
	mock_read destination get-destination any_destination &&
	test_grep "\"id\": \"decent_dropsy\"" destination.out &&
	test_grep "\"service\": \"snowflake\"" destination.out
'

test_expect_success PRISM 'list-group-connections parses the official example, schema or not' '
	mock_read connections list-group-connections any_group &&
	test_grep "\"id\": \"connection_id\"" connections.out &&
	test_grep "\"config\": {" connections.out &&
	mock_read connections-schema list-group-connections any_group gsheets.table &&
	test_grep "\"id\": \"connection_id\"" connections-schema.out
'

test_expect_success PRISM 'get-connection parses the official example' '
	mock_read connection get-connection any_connection &&
	test_grep "\"id\": \"connection_id\"" connection.out &&
	test_grep "\"sync_frequency\": " connection.out
'

test_expect_success PRISM 'list-transformations parses the official example, type or not' '
	mock_read transformations list-transformations any_group &&
	test_grep "\"id\": \"transformation_id\"" transformations.out &&
	mock_read quickstart list-transformations any_group QUICKSTART &&
	test_grep "\"id\": \"transformation_id\"" quickstart.out
'

test_expect_success PRISM 'package-metadata parses the official example' '
	mock_read package package-metadata any_package &&
	test_grep "\"id\": \"package_definition_id\"" package.out
'

# Prism checks the mock's own answers too: the definition's examples that break its schemas are
# reported (and would fail the proxy test if the simulator answered so). This proves the
# response side is checked, and lists the examples' defects in the output.
test_expect_success PRISM 'answers breaking the definition are detected, naming endpoint, field' '
	test_grep "^GET /v1/connections/any_connection -> 200" connection.findings &&
	test_grep "response.body.data.setup_tests.0.details: .*must be object" connection.findings
'
if [ -n "$PRISM_EXCHANGES" ]; then
	say "the definition's own examples that break its schemas, as Prism reported them:"
	prism_violations 0 | sed 's/^/#   /'
fi

test_done
