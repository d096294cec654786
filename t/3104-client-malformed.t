#!/bin/bash
# Hostile API answers (SPEC §3: "a malformed body is an error naming the endpoint"): list items
# and objects that are not what the API promises, and cursors that go round in a circle. Each
# is refused by the client with one message naming the endpoint, the HTTP status, the item and
# the field — "GET /v1/groups/g1/connections: HTTP 200: malformed response: data.items[3].schema:
# expected a string, found a number" — and stops `plan` and `apply` before any write: exit 1,
# no POST, no state file. Extra fields, and fields that are only optional, are accepted.
#
# The answers come from testdata/client/canned.pl, which serves files (the simulator only ever
# sends well-formed bodies): testdata/client/*.json are good answers, and each case is one edit
# of one of them.
. "$(dirname "$0")/test-lib.sh"

CANNED=$TESTDATA/client
export FIVETRAN_APIKEY=canned-key FIVETRAN_APISECRET=canned-secret-0123456789
export CCAPPLY_RETRY_BASE_MS=1 CCAPPLY_MAX_RETRIES=1

# The labels the client names the three reads of `plan` by.
GROUP='GET /v1/groups/g1'
DESTINATION='GET /v1/destinations/g1'
CONNECTIONS='GET /v1/groups/g1/connections'
TRANSFORMATIONS='GET /v1/transformations?group_id=g1&type=QUICKSTART'

# routes [ENDPOINT FILE [STATUS]] — canned.pl's routes: good answers to every request plan and
# apply make, but ENDPOINT's (group, connections, transformations, lookup), which is FILE.
routes() {
	local endpoint=$1 file=$2 status=${3:-200} e f s
	for e in group destination connections transformations source lookup post-connection \
		 post-transformation; do
		s=200
		case $e in
		group) f=group.json ;;
		destination) f=destination.json ;;
		connections) f=connections.json ;;
		transformations) f=transformations.json ;;
		source) f=source-connection.json ;;
		lookup) f=empty-list.json ;;
		post-connection) f=created-connection.json s=201 ;;
		post-transformation) f=created-transformation.json s=201 ;;
		esac
		f=$CANNED/$f
		if [ "$e" = "$endpoint" ]; then f=$file s=$status; fi
		case $e in
		group) echo "GET /v1/groups/g1 $s $f" ;;
		destination) echo "GET /v1/destinations/g1 $s $f" ;;
		connections) echo "GET /v1/groups/g1/connections $s $f" ;;
		transformations) echo "GET /v1/transformations $s $f" ;;
		source) echo "GET /v1/connections/src_pg $s $f"
			echo "GET /v1/groups/g0 200 $CANNED/source-group.json" ;;
		lookup) echo "GET /v1/connections $s $f" ;;
		post-connection) echo "POST /v1/connections $s $f" ;;
		post-transformation) echo "POST /v1/transformations $s $f" ;;
		esac
	done >routes
}

# override METHOD TARGET STATUS FILE — put this route first (the first match wins).
override() {
	{ echo "$*"; cat routes; } >routes.new && mv routes.new routes
}

# has_line FILE LINE — LINE is one of FILE's lines, exactly.
has_line() {
	grep -Fqx -- "$2" "$1" || { echo "want: $2"; echo "got:"; cat "$1"; false; }
}

# mutate FILE PERL — FILE's JSON as $d, edited by PERL, printed back (undef is null).
mutate() {
	perl -MJSON::PP -e '
		local $/;
		open my $f, "<", $ARGV[0] or die "$ARGV[0]: $!";
		our $d = decode_json(<$f>);
		eval $ARGV[1]; die $@ if $@;
		print JSON::PP->new->canonical->encode($d), "\n";' "$1" "$2"
}

# fresh_workspace — ws/ with the plan and a report that signs it; the server log emptied.
fresh_workspace() {
	rm -rf ws server.log && plan_workspace ws "$CANNED/copy_plan.yaml" && write_report ws pass
}

# refused LABEL PROBLEM — plan and apply (routes already set) both exit 1 with exactly
# "ccapply: LABEL: HTTP 200: malformed response: PROBLEM" on stderr, and nothing is written:
# only GETs reach the server, no state file, and results.md (if any) says apply refused.
refused() {
	local want="ccapply: $1: HTTP 200: malformed response: $2"
	fresh_workspace &&
	test_expect_code 1 ccapply -C ws plan >out 2>err &&
	has_line err "$want" &&
	test_expect_code 1 ccapply -C ws apply --auto-approve >out 2>err &&
	has_line err "$want" &&
	test -s server.log &&
	{ ! grep -v "^GET " server.log || { echo "a write was sent"; false; }; } &&
	test ! -e ws/.copy-connections/ccapply.lock &&
	test ! -e ws/.copy-connections/ccapply.journal
}

# connections_case / transformations_case / group_case / destination_case PERL PROBLEM — the good answer of that
# read edited by PERL must be refused with PROBLEM.
connections_case() {
	mutate "$CANNED/connections.json" "$1" >bad.json && routes connections bad.json &&
	refused "$CONNECTIONS" "$2"
}
transformations_case() {
	mutate "$CANNED/transformations.json" "$1" >bad.json && routes transformations bad.json &&
	refused "$TRANSFORMATIONS" "$2"
}
group_case() {
	mutate "$CANNED/group.json" "$1" >bad.json && routes group bad.json &&
	refused "$GROUP" "$2"
}
destination_case() {
	mutate "$CANNED/destination.json" "$1" >bad.json && routes destination bad.json &&
	refused "$DESTINATION" "$2"
}

# --- the server, and the good answers pass ---------------------------------------------------

test_expect_success 'setup: the canned server' '
	routes &&
	{ perl "$CANNED/canned.pl" server.port routes server.log 2>server.err & server_pid=$!; } &&
	test_when_finished_script "kill $server_pid" &&
	for i in $(seq 100); do [ -s server.port ] && break; sleep 0.05; done &&
	test -s server.port &&
	FIVETRAN_API_URL=http://127.0.0.1:$(cat server.port) &&
	export FIVETRAN_API_URL
'

test_expect_success 'the good answers: plan shows 2 to create, apply sends both creates' '
	routes && fresh_workspace &&
	ccapply -C ws plan >out 2>err &&
	test_grep "^Plan: 2 to create, 0 unchanged, 0 skipped\.$" out &&
	ccapply -C ws apply --auto-approve >out 2>err &&
	test "$(grep -c "^POST " server.log)" = 2 &&
	test -s ws/.copy-connections/ccapply.lock
'

test_expect_success 'extra fields, optional fields absent, a DBT_CORE item without a package' '
	mutate "$CANNED/connections.json" "
		my \$i = \$d->{data}{items};
		\$i->[0]{brand_new_field} = {nested => [1, 2]};
		delete \$i->[1]{\$_} for qw(config paused status);
		\$i->[2]{status} = {setup_state => q(broken)};
		\$d->{data}{next_cursor} = undef;
		\$d->{extra} = 1" >ok-connections.json &&
	mutate "$CANNED/transformations.json" "
		my \$i = \$d->{data}{items};
		delete \$i->[1]{transformation_config};
		delete \$i->[0]{transformation_config}{connection_ids};
		\$i->[0]{type_version} = 3" >ok-transformations.json &&
	routes connections ok-connections.json &&
	test-tool api list-group-connections g1 >out &&
	test "$(sim_json "#" out)" = 4 &&
	routes transformations ok-transformations.json &&
	test-tool api list-transformations g1 QUICKSTART >out &&
	test "$(sim_json "#" out)" = 2 &&
	fresh_workspace && ccapply -C ws plan >out &&
	test_grep "^Plan: 2 to create" out
'

# --- connection items --------------------------------------------------------------------------

test_expect_success 'connections: an item that is a number' '
	connections_case "\$d->{data}{items}[3] = 1" \
		"data.items[3]: expected an object, found a number"
'

test_expect_success 'connections: an item that is null' '
	connections_case "\$d->{data}{items}[0] = undef" \
		"data.items[0]: expected an object, found null"
'

test_expect_success 'connections: an id that is a number' '
	connections_case "\$d->{data}{items}[1]{id} = 7" \
		"data.items[1].id: expected a string, found a number"
'

test_expect_success 'connections: a schema that is a number' '
	connections_case "\$d->{data}{items}[3]{schema} = 7" \
		"data.items[3].schema: expected a string, found a number"
'

test_expect_success 'connections: a service that is null' '
	connections_case "\$d->{data}{items}[0]{service} = undef" \
		"data.items[0].service: expected a string, found null"
'

test_expect_success 'connections: a group_id that is missing' '
	connections_case "delete \$d->{data}{items}[2]{group_id}" \
		"data.items[2].group_id: missing (expected a string)"
'

test_expect_success 'connections: a config that is an array' '
	connections_case "\$d->{data}{items}[0]{config} = []" \
		"data.items[0].config: expected an object, found an array"
'

test_expect_success 'connections: paused that is a string' '
	connections_case "\$d->{data}{items}[1]{paused} = q(true)" \
		"data.items[1].paused: expected a boolean, found a string"
'

test_expect_success 'connections: a status.sync_state that is a number' '
	connections_case "\$d->{data}{items}[1]{status}{sync_state} = 3" \
		"data.items[1].status.sync_state: expected a string, found a number"
'

test_expect_success 'connections: data.items that is an object' '
	connections_case "\$d->{data}{items} = {}" \
		"data.items: expected an array, found an object"
'

test_expect_success 'connections: a next_cursor that is a number' '
	connections_case "\$d->{data}{next_cursor} = 5" \
		"data.next_cursor: expected a string or null, found a number"
'

# --- transformation items ----------------------------------------------------------------------

TC='data.items[0].transformation_config'

test_expect_success 'transformations: an item that is a number' '
	transformations_case "\$d->{data}{items}[1] = 1" \
		"data.items[1]: expected an object, found a number"
'

test_expect_success 'transformations: an item that is null' '
	transformations_case "\$d->{data}{items}[0] = undef" \
		"data.items[0]: expected an object, found null"
'

test_expect_success 'transformations: a type that is missing' '
	transformations_case "delete \$d->{data}{items}[1]{type}" \
		"data.items[1].type: missing (expected a string)"
'

test_expect_success 'transformations: a transformation_config that is a string' '
	transformations_case "\$d->{data}{items}[0]{transformation_config} = q(mysql)" \
		"$TC: expected an object, found a string"
'

test_expect_success 'transformations: a QUICKSTART one without transformation_config' '
	transformations_case "delete \$d->{data}{items}[0]{transformation_config}" \
		"$TC: missing (expected an object)"
'

test_expect_success 'transformations: a package_name that is a number' '
	transformations_case "\$d->{data}{items}[0]{transformation_config}{package_name} = 42" \
		"$TC.package_name: expected a string, found a number"
'

test_expect_success 'transformations: a QUICKSTART one without package_name' '
	transformations_case "delete \$d->{data}{items}[0]{transformation_config}{package_name}" \
		"$TC.package_name: missing (expected a string)"
'

test_expect_success 'transformations: connection_ids that is a string' '
	transformations_case "\$d->{data}{items}[0]{transformation_config}{connection_ids} = q(c)" \
		"$TC.connection_ids: expected an array of strings, found a string"
'

test_expect_success 'transformations: a connection id that is a number' '
	transformations_case "\$d->{data}{items}[0]{transformation_config}{connection_ids}[1] = 4" \
		"$TC.connection_ids[1]: expected a string, found a number"
'

test_expect_success 'transformations: paused that is null' '
	transformations_case "\$d->{data}{items}[1]{paused} = undef" \
		"data.items[1].paused: expected a boolean, found null"
'

# --- the target group --------------------------------------------------------------------------

test_expect_success 'group: an id that is a number' '
	group_case "\$d->{data}{id} = 1" "data.id: expected a string, found a number"
'

test_expect_success 'group: a name that is missing' '
	group_case "delete \$d->{data}{name}" "data.name: missing (expected a string)"
'

# --- the target group's destination ---------------------------------------------------------

test_expect_success 'destination: a group_id that is missing' '
	destination_case "delete \$d->{data}{group_id}" "data.group_id: missing (expected a string)"
'

test_expect_success 'destination: an answer that is not an object' '
	destination_case "\$d->{data} = [1]" "data: expected an object, found an array"
'

# --- pagination --------------------------------------------------------------------------------

# pages FILE... — routes for a paginated connection list: the first page is FILE1, the page
# fetched with cursor c<N> is FILE<N+1>; other reads answer well.
pages() {
	local n=$# base="/v1/groups/g1/connections?limit=1000"
	routes &&
	while [ $n -gt 1 ]; do
		n=$((n - 1))
		override GET "$base&cursor=c$n" 200 "${@:n+1:1}" || return 1
	done &&
	override GET "$base" 200 "$1"
}

# page NEXT ITEM — a page with one connection item (connections.json's item ITEM) and
# next_cursor NEXT ("" for none).
page() {
	mutate "$CANNED/connections.json" "
		\$d->{data}{items} = [\$d->{data}{items}[$2]];
		\$d->{data}{next_cursor} = q($1) if q($1) ne q()"
}

test_expect_success 'pages c1 -> c2 -> end: all items, in order, three requests' '
	page c1 0 >p1.json && page c2 1 >p2.json && page "" 2 >p3.json &&
	pages p1.json p2.json p3.json && rm -f server.log &&
	test-tool api list-group-connections g1 >out &&
	test "$(sim_json "#" out) $(sim_json 0.id out) $(sim_json 2.id out)" = "3 c1 c3" &&
	test_line_count = 3 server.log
'

test_expect_success 'cursors that go round in a circle (c1 -> c2 -> c1) are an error, at once' '
	page c1 0 >p1.json && page c2 1 >p2.json && page c1 2 >p3.json &&
	pages p1.json p2.json p3.json && rm -f server.log &&
	test_expect_code 1 test-tool api list-group-connections g1 >out 2>err &&
	circle="data.next_cursor \"c1\" on page 3 repeats the cursor of page 2:" &&
	circle="$circle the pages go round in a circle" &&
	has_line err "test-tool api: $CONNECTIONS: HTTP 200: malformed response: $circle" &&
	test_grep "^error: CLIENT_E_MALFORMED$" err &&
	test_line_count = 3 server.log &&
	refused "$CONNECTIONS" "$circle"
'

test_expect_success 'a page that names itself as the next one is the same error' '
	page c1 0 >p1.json && page c1 1 >p2.json &&
	pages p1.json p2.json && rm -f server.log &&
	test_expect_code 1 test-tool api list-group-connections g1 >out 2>err &&
	test_grep "data.next_cursor \"c1\" on page 2 repeats the cursor of page 2" err &&
	test_line_count = 2 server.log
'

test_expect_success 'a malformed item on a later page names the page' '
	page c1 0 >p1.json &&
	mutate p1.json "\$d->{data}{items}[0]{schema} = 1; delete \$d->{data}{next_cursor}" \
		>p2.json &&
	pages p1.json p2.json &&
	test_expect_code 1 test-tool api list-group-connections g1 >out 2>err &&
	problem="data.items[0].schema: expected a string, found a number (page 2)" &&
	test_grep -F "$CONNECTIONS: HTTP 200: malformed response: $problem" err
'

# --- creates: their answers and the lookups after an unknown outcome ---------------------------

printf "%s\n" '{"group_id":"g1","service":"postgres","paused":true,' \
	'"config":{"schema_prefix":"pg_copy"}}' >body.json

test_expect_success 'a create answered without an id: looked up by name and adopted, one POST' '
	mutate "$CANNED/created-connection.json" "delete \$d->{data}{id}" >noid.json &&
	mutate "$CANNED/connections.json" "
		\$d->{data}{items} = [\$d->{data}{items}[0]];
		\$d->{data}{items}[0]{id} = q(c_new);
		\$d->{data}{items}[0]{schema} = q(pg_copy)" >found.json &&
	routes && override POST /v1/connections 201 noid.json &&
	override GET /v1/connections 200 found.json &&
	rm -f server.log &&
	test-tool api --retry-base-ms 1 create-connection body.json pg_copy >out 2>err &&
	test "$(sim_json id out)" = c_new &&
	test_grep "adopted=1" err &&
	test "$(grep -c "^POST " server.log)" = 1
'

test_expect_success 'a malformed item in the lookup after a 500: the create fails, not re-sent' '
	mutate "$CANNED/connections.json" "\$d->{data}{items}[0]{schema} = 7" >badlookup.json &&
	routes && override POST /v1/connections 500 "$CANNED/empty-list.json" &&
	override GET /v1/connections 200 badlookup.json &&
	rm -f server.log &&
	test_expect_code 1 test-tool api --retry-base-ms 1 create-connection body.json pg_copy \
		>out 2>err &&
	test_grep "^error: CLIENT_E_UNKNOWN_OUTCOME$" err &&
	lookup="GET /v1/connections?group_id=g1&schema=pg_copy" &&
	problem="data.items[0].schema: expected a string, found a number" &&
	test_grep -F "and the lookup failed: $lookup: HTTP 200: malformed response: $problem" err &&
	test "$(grep -c "^POST " server.log)" = 1
'

test_done
