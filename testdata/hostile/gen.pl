#!/usr/bin/perl
# gen.pl — writes the generated part of the hostile-input corpus that
# t/8020-hostile.t feeds to ccapply: plans, validation reports, state files
# and API response bodies that must each be refused with a clear error and
# exit 1 — never a crash, never a write.
#
#   testdata/hostile/gen.pl            (run from anywhere; writes beside itself)
#
# Every case is a small edit of a valid file in base/ (the basic plan, a
# report that signs it, the state file `test-tool state-example` writes, and
# API answers as ccapply-sim gives them), so each file has exactly one thing
# wrong, and base/ itself is the control the test checks loads cleanly.
# Writes plans/, reports/, state/ and api/ (emptied first) and MANIFEST: one
# line per file, "PATH<TAB>REGEX", REGEX (grep -E) being what the error
# message must say besides naming the file or endpoint. Hand-written cases
# live in hand/ and are listed in MANIFEST.hand, which this script leaves alone.
#
# Deterministic: no clock; "random" bytes come from a fixed-seed LCG; the
# checksums of signed reports and the digests of state files are computed
# with b2sum (coreutils). The output is committed, so the tests do not need
# this script; re-run it after changing it, or base/, and commit the result.
use strict;
use warnings;
use File::Basename qw(dirname);
use File::Path qw(make_path remove_tree);
use Cwd qw(abs_path);

my $here = abs_path(dirname($0));
chdir $here or die "$here: $!\n";
for my $dir (qw(plans reports state api)) {
	remove_tree($dir);
	make_path($dir);
}

my @manifest;

# ---------------------------------------------------------------- helpers

sub slurp {
	my ($file) = @_;
	open my $f, '<:raw', $file or die "$file: $!\n";
	local $/;
	return scalar <$f>;
}

sub emit {
	my ($dir, $name, $content, $regex) = @_;
	my $path = "$dir/$name";
	open my $f, '>:raw', $path or die "$path: $!\n";
	print $f $content;
	close $f or die "$path: $!\n";
	die "$path: no expectation\n" unless defined $regex && length $regex;
	push @manifest, "$path\t$regex";
}

# Replace the first occurrence of $from in $text; the edit must apply.
sub edit {
	my ($text, $from, $to) = @_;
	my $i = index($text, $from);
	die "gen.pl: edit anchor not found: $from\n" if $i < 0;
	substr($text, $i, length $from) = $to;
	return $text;
}

# Cut $text right after the first occurrence of $anchor.
sub cut_after {
	my ($text, $anchor) = @_;
	my $i = index($text, $anchor);
	die "gen.pl: cut anchor not found: $anchor\n" if $i < 0;
	return substr($text, 0, $i + length $anchor);
}

my $lcg = 8020;
sub random_bytes {
	my ($n) = @_;
	my $out = '';
	for (1 .. $n) {
		$lcg = ($lcg * 1103515245 + 12345) % 2147483648;
		$out .= chr(($lcg >> 16) & 0xff);
	}
	return $out;
}

sub b2sum {
	my ($data) = @_;
	my $tmp = "$here/.gen.tmp";
	open my $f, '>:raw', $tmp or die "$tmp: $!\n";
	print $f $data;
	close $f;
	my $out = `b2sum -l 256 "$tmp"`;
	unlink $tmp;
	die "gen.pl: b2sum failed (coreutils is needed)\n" if $? || $out !~ /^([0-9a-f]{64})\s/;
	return $1;
}

sub utf16 {
	my ($text, $big) = @_;
	my $out = $big ? "\xfe\xff" : "\xff\xfe";
	$out .= $big ? "\0$_" : "$_\0" for split //, $text;
	return $out;
}

sub crlf { my ($t) = @_; $t =~ s/\n/\r\n/g; return $t; }


# ------------------------------------------------------------------ plans

my $plan = slurp('base/copy_plan.yaml');
my $plan_sum = 'blake2b-256:' . b2sum($plan);
my $POS = ':[0-9]+:[0-9]+: ';   # FILE:LINE:COL: in YAML input errors

sub plan_case {
	my ($name, $content, $regex) = @_;
	emit('plans', "$name.yaml", $content, $regex);
}
# An edit of the base plan whose error is at $line:$col (0: any position).
sub plan_edit {
	my ($name, $from, $to, $regex) = @_;
	plan_case($name, edit($plan, $from, $to), $regex);
}

# Not YAML at all, or not a plan at the top.
plan_case('empty', '', 'empty|mapping|schema_version');
plan_case('whitespace-only', "  \n\n\t\n", 'empty|mapping|schema_version|tab');
plan_case('comment-only', "# nothing but a comment\n", 'empty|mapping|schema_version');
plan_case('top-sequence', "- schema_version: 1\n", "${POS}.*mapping");
plan_case('top-string', "copy everything please\n", "${POS}.*mapping");
plan_case('top-number', "1\n", "${POS}.*mapping");
plan_case('top-null', "~\n", "${POS}.*mapping");
plan_case('top-bool', "true\n", "${POS}.*mapping");
plan_case('binary-garbage-512', random_bytes(512), "${POS}");
plan_case('binary-garbage-4096', random_bytes(4096), "${POS}");
plan_case('nul-bytes-only', "\0" x 64, "${POS}");
plan_case('nul-at-start', "\0$plan", "${POS}");
plan_case('json-in-disguise-truncated', '{"schema_version": 1, "connections": [', "${POS}");

# Truncated mid-construct.
plan_case('truncated-in-double-quote', cut_after($plan, 'created_at: "2026-11'), "${POS}.*quot");
plan_case('truncated-in-flow-sequence', cut_after($plan, 'credential_fields: [pass'), "${POS}");
plan_case('truncated-in-flow-mapping',
	  cut_after($plan, '- {name_in_source: email, name_in_destination: em'), "${POS}");
plan_case('truncated-mid-key', cut_after($plan, "    source_servi"), "${POS}");
plan_case('truncated-in-single-quote', edit($plan, "      database: app\n",
	  "      database: 'app\n") =~ s/\n[^\n]*\z//r, "${POS}.*quot");

# Encodings: only UTF-8 is YAML here.
plan_edit('invalid-utf8-in-value', 'host: db.internal.example.com', "host: db.\xff.example.com",
	  "${POS}.*UTF-8");
plan_edit('invalid-utf8-in-key', "      database: app", "      data\xfe\xfebase: app",
	  "${POS}.*UTF-8");
plan_edit('utf8-overlong-slash', 'database: app', "database: a\xc0\xafpp", "${POS}.*UTF-8");
plan_edit('utf8-encoded-surrogate', 'database: app', "database: a\xed\xa0\x80pp", "${POS}.*UTF-8");
plan_edit('utf8-beyond-unicode', 'database: app', "database: a\xf4\x90\x80\x80pp", "${POS}.*UTF-8");
plan_case('utf8-truncated-at-eof', "$plan# \xe2\x82", "${POS}.*UTF-8");
plan_edit('nul-in-value', 'database: app', "database: a\0pp", "${POS}");
plan_edit('c0-control-in-value', 'database: app', "database: a\x01pp", "${POS}");
plan_case('utf16le-with-bom', utf16($plan, 0), "${POS}.*UTF");
plan_case('utf16be-with-bom', utf16($plan, 1), "${POS}.*UTF");
plan_case('utf32le-with-bom', "\xff\xfe\0\0" . join('', map { "$_\0\0\0" } split //, $plan),
	  "${POS}.*UTF");
# A UTF-8 BOM is allowed; the error after it must still be placed right.
plan_case('bom-then-duplicate-key', "\xef\xbb\xbf" . edit($plan, "schema_version: 1\n",
	  "schema_version: 1\nschema_version: 1\n"), ':4:1: .*duplicate');

# Documents, indentation, line ends.
plan_case('two-documents', "---\n$plan---\n$plan", "${POS}.*document");
plan_case('second-document-empty', "$plan---\n", "${POS}.*document");
plan_case('document-end-then-more', "$plan...\nschema_version: 1\n", "${POS}.*document");
plan_edit('tab-indentation', "    source_service: postgres\n", "\tsource_service: postgres\n",
	  "${POS}.*tab");
plan_edit('tab-indentation-nested', "      host: db.internal.example.com\n",
	  "    \thost: db.internal.example.com\n", "${POS}");
plan_case('crlf-duplicate-key', crlf(edit($plan, "      port: 5432\n",
	  "      port: 5432\n      port: 5433\n")), ':18:7: .*duplicate.*port');
plan_case('crlf-wrong-type', crlf(edit($plan, "    target_name: postgres_app\n",
	  "    target_name: [postgres_app]\n")), ':14:18: .*target_name');
plan_case('cr-only-line-ends-bad-indent', edit($plan, "schema_version: 1\n",
	  "schema_version: 1\r  oops: [\n"), "${POS}");
plan_edit('bad-indentation', "    source_service: postgres\n", "     source_service: postgres\n",
	  "${POS}");

# Nesting and expansion bounds.
plan_case('deep-flow-sequence', "schema_version: 1\nx: " . ('[' x 20000) . (']' x 20000) . "\n",
	  "${POS}.*(deep|nest)");
plan_case('deep-flow-mapping', "schema_version: 1\nx: " . ('{a: ' x 20000) . ('}' x 20000) . "\n",
	  "${POS}.*(deep|nest)");
plan_case('deep-block-sequence', "schema_version: 1\nx:\n  " . ('- ' x 20000) . "leaf\n",
	  "${POS}.*(deep|nest)");
plan_case('deep-unclosed-flow', "schema_version: 1\nx: " . ('[' x 20000) . "\n",
	  "${POS}");
{
	my $bomb = "schema_version: 1\nbomb:\n  a0: &a0 [" . join(', ', ('lol') x 10) . "]\n";
	$bomb .= sprintf("  a%d: &a%d [%s]\n", $_, $_, join(', ', ("*a" . ($_ - 1)) x 10))
		for 1 .. 9;
	plan_case('alias-bomb-sequences', $bomb, "${POS}.*(alias|expan)");
	my $mbomb = "schema_version: 1\nbomb:\n  m0: &m0 {a: lol, b: lol, c: lol, d: lol}\n";
	$mbomb .= sprintf("  m%d: &m%d {a: *m%d, b: *m%d, c: *m%d, d: *m%d, e: *m%d, f: *m%d, "
		. "g: *m%d, h: *m%d}\n", $_, $_, ($_ - 1) x 8) for 1 .. 12;
	plan_case('alias-bomb-mappings', $mbomb, "${POS}.*(alias|expan)");
	my $fan = "schema_version: 1\nbig: &big [" . join(', ', ('xxxxxxxxxxxxxxxx') x 1000) . "]\n"
		. "fan: [" . join(', ', ('*big') x 2000) . "]\n";
	plan_case('alias-fan-out', $fan, "${POS}.*(alias|expan)");
}
plan_case('alias-self-reference', "schema_version: 1\nloop: &loop [a, *loop]\n",
	  "${POS}.*alias");
plan_case('alias-undefined', "schema_version: 1\nconnections: *nowhere\n",
	  "${POS}.*(alias|anchor)");

# Keys.
plan_edit('duplicate-top-key', "transformations:\n", "destination: {}\ntransformations:\n",
	  "${POS}.*duplicate.*destination");
plan_edit('duplicate-key-in-config', "      user: fivetran\n",
	  "      user: fivetran\n      host: other.example.com\n", "${POS}.*duplicate.*host");
plan_edit('duplicate-key-in-connection', "    auth_style: oauth\n",
	  "    auth_style: oauth\n    target_name: again\n", "${POS}.*duplicate.*target_name");
plan_edit('duplicate-key-in-flow-mapping', '{name_in_source: email, name_in_destination: email,',
	  '{name_in_source: email, name_in_source: email2, name_in_destination: email,',
	  "${POS}.*duplicate");
plan_edit('duplicate-key-quoted-and-plain', "      port: 5432\n",
	  "      port: 5432\n      \"port\": 1\n",
	  "${POS}.*duplicate");
plan_edit('sequence-as-key', "schema_version: 1\n", "schema_version: 1\n? [a, b]\n: c\n",
	  "${POS}.*key");
plan_edit('mapping-as-key', "      port: 5432\n", "      port: 5432\n      {a: b}: c\n",
	  "${POS}.*key");

# Numbers the core schema reads as not-a-number, or as no number at all.
plan_edit('inf-in-config', 'port: 5432', 'port: .inf', "${POS}.*(inf|nan|NaN|finite)");
plan_edit('negative-inf-in-config', 'port: 5432', 'port: -.Inf', "${POS}.*(inf|nan|NaN|finite)");
plan_edit('nan-in-config', 'port: 5432', 'port: .NaN', "${POS}.*(inf|nan|NaN|finite)");
# A float beyond double range is refused, as .inf is.
plan_edit('float-overflow-in-config', 'port: 5432', 'port: 1e400',
	  "${POS}.*(range|large|overflow|inf|finite)");

# Enormous scalars: an error, found and placed, without a 1 MB message.
plan_edit('enormous-unterminated-string', 'database: app',
	  'database: "' . ('x' x 131072), "${POS}.*quot");
plan_edit('enormous-key-without-value', "      port: 5432\n",
	  "      port: 5432\n      " . ('k' x 131072) . "\n", "${POS}");

# Tags: core tags are honoured, so they can make a value the wrong type.
plan_edit('tag-str-on-version', 'schema_version: 1', 'schema_version: !!str 1',
	  "${POS}.*schema_version");
plan_edit('tag-int-on-words', 'port: 5432', 'port: !!int five thousand', "${POS}.*int");
plan_edit('tag-bool-on-number', 'is_sandbox: false', 'is_sandbox: !!bool 7', "${POS}.*bool");
plan_edit('tag-map-on-sequence', 'credential_fields: [password]',
	  'credential_fields: !!map [password]', "${POS}");
plan_edit('tag-float-on-words', 'port: 5432', 'port: !!float many', "${POS}.*float");

# Wrong types and values at every level of the plan.
my $DEST = "destination:\n  mode: existing\n  existing_destination_id: target_group\n";
my @plan_types = (
	# name, from, to, regex
	['version-string', 'schema_version: 1', "schema_version: '1'", 'schema_version'],
	['version-2', 'schema_version: 1', 'schema_version: 2', 'schema_version.*(version|2)'],
	['version-0', 'schema_version: 1', 'schema_version: 0', 'schema_version'],
	['version-negative', 'schema_version: 1', 'schema_version: -1', 'schema_version'],
	['version-float', 'schema_version: 1', 'schema_version: 1.5', 'schema_version'],
	['version-huge', 'schema_version: 1', 'schema_version: ' . ('9' x 400), 'schema_version'],
	['version-bool', 'schema_version: 1', 'schema_version: true', 'schema_version'],
	['version-null', 'schema_version: 1', 'schema_version: ~', 'schema_version'],
	['version-sequence', 'schema_version: 1', 'schema_version: [1]', 'schema_version'],
	['version-missing', "schema_version: 1\n", '', 'schema_version'],
	['destination-missing', $DEST,
	 '', 'destination'],
	['destination-sequence', $DEST,
	 "destination: [existing, target_group]\n", 'destination'],
	['destination-string', $DEST,
	 "destination: target_group\n", 'destination'],
	['destination-mode-unknown', 'mode: existing', 'mode: sideways', 'mode'],
	['destination-mode-number', 'mode: existing', 'mode: 3', 'mode'],
	['destination-id-number', 'existing_destination_id: target_group',
	 'existing_destination_id: 12345', 'existing_destination_id'],
	['destination-id-empty', 'existing_destination_id: target_group',
	 'existing_destination_id: ""', 'existing_destination_id'],
	['destination-id-mapping', 'existing_destination_id: target_group',
	 'existing_destination_id: {id: target_group}', 'existing_destination_id'],
	['destination-new-without-name',
	 "  mode: existing\n  existing_destination_id: target_group\n",
	 "  mode: new\n", 'new_group_name'],
	['connections-mapping', "connections:\n",
	 "connections: {first: src_postgres}\nconnections_was:\n",
	 'connections'],
	['connections-string', "connections:\n", "connections: all of them\nunused:\n",
	 'connections'],
	['connection-item-string', "connections:\n", "connections:\n  - src_extra\n",
	 'connections\[0\]'],
	['connection-item-sequence', "connections:\n", "connections:\n  - [src_extra]\n",
	 'connections\[0\]'],
	['connection-item-null', "connections:\n", "connections:\n  -\n", 'connections\[0\]'],
	['source-id-number', 'source_id: src_postgres', 'source_id: 42', 'source_id'],
	['source-id-missing', "  - source_id: src_salesforce\n    source_service: salesforce\n",
	 "  - source_service: salesforce\n", 'source_id'],
	['source-id-empty', 'source_id: src_postgres', 'source_id: ""', 'source_id'],
	['source-service-mapping', 'source_service: postgres', 'source_service: {name: postgres}',
	 'source_service'],
	['source-service-missing', "    source_service: stripe\n", '', 'source_service'],
	['target-name-bool', 'target_name: postgres_app', 'target_name: true', 'target_name'],
	['target-name-null', 'target_name: postgres_app', 'target_name: null', 'target_name'],
	['target-name-empty', 'target_name: postgres_app', "target_name: ''", 'target_name'],
	['target-name-missing', "    target_name: stripe_prod\n", '', 'target_name'],
	['target-name-duplicate', 'target_name: stripe_prod', 'target_name: postgres_app',
	 'target_name.*postgres_app|postgres_app.*target_name'],
	['config-sequence', "    config:\n      schema: stripe_prod\n      api_key: \"******\"\n",
	 "    config: [schema, stripe_prod]\n", 'config'],
	['config-string', "    config:\n      schema: stripe_prod\n      api_key: \"******\"\n",
	 "    config: schema=stripe_prod\n", 'config'],
	['credential-fields-string', 'credential_fields: [password]', 'credential_fields: password',
	 'credential_fields'],
	['credential-fields-mapping', 'credential_fields: [password]',
	 'credential_fields: {password: true}', 'credential_fields'],
	['credential-fields-number-item', 'credential_fields: [password]', 'credential_fields: [7]',
	 'credential_fields'],
	['credential-fields-nested', 'credential_fields: [password]',
	 'credential_fields: [[password]]', 'credential_fields'],
	['auth-style-unknown', 'auth_style: credentials', 'auth_style: telepathy', 'auth_style'],
	['auth-style-number', 'auth_style: oauth', 'auth_style: 2', 'auth_style'],
	['transformations-sequence', "transformations:\n",
	 "transformations: [quickstart_packages]\ntransformations_was:\n", 'transformations'],
	['quickstart-packages-mapping', "  quickstart_packages:\n",
	 "  quickstart_packages: {stripe: tr_stripe}\n  quickstart_packages_was:\n",
	 'quickstart_packages'],
	['package-item-number', "  quickstart_packages:\n", "  quickstart_packages:\n    - 7\n",
	 'quickstart_packages'],
	['package-name-number', 'package_name: stripe', 'package_name: 12', 'package_name'],
	['package-name-missing', "      package_name: salesforce\n", '', 'package_name'],
	['package-dependencies-string', 'target_connection_source_ids: [src_stripe]',
	 'target_connection_source_ids: src_stripe', 'target_connection_source_ids'],
	['package-dependency-number', 'target_connection_source_ids: [src_stripe]',
	 'target_connection_source_ids: [9]', 'target_connection_source_ids'],
	['package-dependency-unknown', 'target_connection_source_ids: [src_stripe]',
	 'target_connection_source_ids: [src_nowhere]', 'src_nowhere'],
	['custom-dbt-string', "  custom_dbt_projects_detected:\n    - project_id: dbt_finance\n",
	 "  custom_dbt_projects_detected: dbt_finance\n  was:\n    - project_id: dbt_finance\n",
	 'custom_dbt_projects_detected'],
);
plan_edit("type-$_->[0]", $_->[1], $_->[2], "${POS}.*($_->[3])") for @plan_types;
# schema_config is checked against the plan format while it is streamed past,
# and the top-level create fields against NewConnectorRequestV1: at plan time,
# not as a 400 at apply time after the other creates.
my @plan_shape_types = (
	['schema-config-string',
	 "    schema_config:\n      schema_change_handling: ALLOW_COLUMNS\n",
	 "    schema_config: everything\n    schema_config_was:\n"
	 . "      schema_change_handling: ALLOW_COLUMNS\n",
	 'schema_config'],
	['schema-change-handling-unknown', 'schema_change_handling: ALLOW_COLUMNS',
	 'schema_change_handling: ALLOW_SOME', 'schema_change_handling'],
	['tables-mapping', "      tables:\n", "      tables: {users: {}}\n      tables_was:\n",
	 'tables'],
	['table-item-string', "      tables:\n", "      tables:\n        - users_table\n",
	 'tables'],
	['table-enabled-string', "          enabled: true\n          sync_mode: SOFT_DELETE\n",
	 "          enabled: maybe\n          sync_mode: SOFT_DELETE\n", 'enabled'],
	['table-sync-mode-unknown', 'sync_mode: SOFT_DELETE', 'sync_mode: HARD_DELETE',
	 'sync_mode'],
	['columns-string', "          columns:\n            - {name_in_source: email",
	 "          columns: email\n          columns_was:\n            - {name_in_source: email",
	 'columns'],
	['column-hashed-number', 'hashed: true}', 'hashed: 1}', 'hashed'],
	['column-name-sequence', '{name_in_source: email,', '{name_in_source: [email],',
	 'name_in_source'],
	['sync-frequency-string', 'sync_frequency: 360', 'sync_frequency: hourly',
	 'sync_frequency'],
	['sync-frequency-mapping', 'sync_frequency: 360', 'sync_frequency: {minutes: 360}',
	 'sync_frequency'],
);
plan_edit("type-$_->[0]", $_->[1], $_->[2], "${POS}.*($_->[3])") for @plan_shape_types;

# ---------------------------------------------------------------- reports

my $report = "schema_version: 1\nmetadata:\n  validated_at: \"2026-11-01T10:00:00Z\"\n"
	. "  plan_path: .copy-connections/copy_plan.yaml\n  plan_checksum: $plan_sum\n"
	. "status: pass\n";
my $findings = "connection_findings:\n  - source_id: src_postgres\n    target_name: postgres_app\n"
	. "    findings:\n      - severity: blocking\n        code: SOURCE_IN_ERROR\n"
	. "        message: the source connection is broken\n";

sub report_case {
	my ($name, $content, $regex) = @_;
	emit('reports', "$name.yaml", $content, $regex);
}
sub report_edit {
	my ($name, $from, $to, $regex) = @_;
	report_case($name, edit($report, $from, $to), $regex);
}
my $hex = substr($plan_sum, length 'blake2b-256:');
my $other = b2sum("$plan# edited after validation\n");

# The gate itself.
report_edit('checksum-mismatch', $hex, $other, 'changed|mismatch|validate');
report_edit('checksum-blake2b-512-mismatch', $plan_sum, 'blake2b-512:' . ('ab' x 64),
	    'changed|mismatch|validate');
report_edit('checksum-sha256-mismatch', $plan_sum, 'sha256:' . ('0f' x 32),
	    'changed|mismatch|validate');
report_edit('checksum-md5', $plan_sum, 'md5:' . ('0f' x 16), 'blake2b-256.*sha256|accepted');
report_edit('checksum-sha1', $plan_sum, 'sha1:' . ('0f' x 20), 'blake2b-256.*sha256|accepted');
report_edit('checksum-no-algorithm', $plan_sum, $hex, 'blake2b-256.*sha256|accepted');
report_edit('checksum-short', $plan_sum, substr($plan_sum, 0, -1),
	    'blake2b-256.*sha256|accepted|hex');
report_edit('checksum-long', $plan_sum, "${plan_sum}0", 'blake2b-256.*sha256|accepted|hex');
report_edit('checksum-not-hex', $plan_sum, 'blake2b-256:' . ('g' x 64),
	    'blake2b-256.*sha256|accepted|hex');
report_edit('checksum-prefix-only', $plan_sum, '"blake2b-256:"',
	    'blake2b-256.*sha256|accepted|hex');
report_edit('checksum-empty', $plan_sum, '""', 'plan_checksum');
report_edit('checksum-number', $plan_sum, '12345', 'plan_checksum');
report_edit('checksum-null', $plan_sum, '~', 'plan_checksum');
report_edit('checksum-sequence', $plan_sum, "[$plan_sum]", 'plan_checksum');
report_edit('checksum-missing', "  plan_checksum: $plan_sum\n", '', 'plan_checksum');
report_edit('checksum-with-spaces', $plan_sum, "\"$plan_sum \"",
	    'blake2b-256.*sha256|accepted|hex|plan_checksum');
report_edit('status-fail', "status: pass\n", "status: fail\n$findings",
	    'SOURCE_IN_ERROR');
report_edit('status-fail-without-findings', "status: pass\n", "status: fail\n", 'fail');
report_edit('status-unknown', 'status: pass', 'status: passed', 'status');
report_edit('status-uppercase', 'status: pass', 'status: PASS', 'status');
report_edit('status-number', 'status: pass', 'status: 1', 'status');
report_edit('status-bool', 'status: pass', 'status: true', 'status');
report_edit('status-missing', "status: pass\n", '', 'status');
report_edit('status-sequence', 'status: pass', 'status: [pass]', 'status');
report_edit('version-2', 'schema_version: 1', 'schema_version: 2', 'schema_version');
report_edit('version-string', 'schema_version: 1', "schema_version: '1'", 'schema_version');
report_edit('version-missing', "schema_version: 1\n", '', 'schema_version');
report_edit('metadata-missing', "metadata:\n  validated_at: \"2026-11-01T10:00:00Z\"\n"
	    . "  plan_path: .copy-connections/copy_plan.yaml\n  plan_checksum: $plan_sum\n", '',
	    'metadata|plan_checksum');
report_edit('metadata-sequence', "metadata:\n  validated_at", "metadata:\n- validated_at",
	    'metadata');
report_edit('metadata-string', "metadata:\n  validated_at: \"2026-11-01T10:00:00Z\"\n"
	    . "  plan_path: .copy-connections/copy_plan.yaml\n  plan_checksum: $plan_sum\n",
	    "metadata: $plan_sum\n", 'metadata');
# Finding structures of a report that would otherwise pass with warnings.
my @report_types = (
	['connection-findings-mapping', "connection_findings:\n  - source_id",
	 "connection_findings:\n  first:\n    source_id", 'connection_findings'],
	['findings-string', "    findings:\n      - severity",
	 "    findings: bad\n    was:\n      - severity",
	 'findings'],
	['severity-unknown', 'severity: blocking', 'severity: catastrophic', 'severity'],
	['severity-number', 'severity: blocking', 'severity: 3', 'severity'],
	['code-sequence', 'code: SOURCE_IN_ERROR', 'code: [SOURCE_IN_ERROR]', 'code'],
	['code-missing', "        code: SOURCE_IN_ERROR\n", '', 'code'],
	['message-mapping', 'message: the source connection is broken', 'message: {text: broken}',
	 'message'],
	['context-string', "        message: the source connection is broken\n",
	 "        message: the source connection is broken\n        context: audit_log\n",
	 'context'],
	['finding-item-string', "    findings:\n      - severity: blocking\n",
	 "    findings:\n      - just a note\n      - severity: blocking\n", 'findings'],
);
for (@report_types) {
	my ($name, $from, $to, $regex) = @$_;
	my $warned = "${report}$findings" =~ s/status: pass\n/status: pass-with-warnings\n/r;
	my $text = edit($warned, $from, $to) =~ s/severity: blocking/severity: warning/r;
	report_case("type-$name", $text, "${POS}.*($regex)");
}
report_case('type-acknowledgments-mapping', edit($report, "status: pass\n",
	    "status: pass-with-warnings\nacknowledgments_required:\n  code: NONPORTABLE_FIELD\n"),
	    "${POS}.*acknowledgments_required");
report_case('type-acknowledgment-code-number', edit($report, "status: pass\n",
	    "status: pass-with-warnings\nacknowledgments_required:\n"
	    . "  - code: 17\n    message: x\n"),
	    "${POS}.*code");
report_case('type-destination-findings-string', edit($report, "status: pass\n",
	    "status: pass\ndestination_findings: none\n"), "${POS}.*destination_findings");
report_case('type-transformation-findings-number', edit($report, "status: pass\n",
	    "status: pass\ntransformation_findings: 0\n"), "${POS}.*transformation_findings");
# Warnings not acknowledged: apply (only) must refuse. The "ack-" prefix tells
# the test that `plan` may accept this one.
report_case('ack-warning-unacknowledged', edit($report, "status: pass\n",
	    "status: pass-with-warnings\n" . ($findings =~ s/blocking/warning/r
	    =~ s/SOURCE_IN_ERROR/UNPATCHABLE_TABLE/r)), 'UNPATCHABLE_TABLE');
report_case('ack-required-unacknowledged', edit($report, "status: pass\n",
	    "status: pass-with-warnings\nacknowledgments_required:\n  - code: NONPORTABLE_FIELD\n"
	    . "    message: time zone differs\n"), 'NONPORTABLE_FIELD');
# Syntax and encoding, as for plans.
report_case('empty', '', 'empty|mapping|schema_version|status');
report_case('top-sequence', "- status: pass\n", "${POS}.*mapping");
report_case('truncated-in-quote', cut_after($report, 'validated_at: "2026'), "${POS}.*quot");
report_case('truncated-in-flow', "${report}destination_findings: [{severity: warning, co",
	    "${POS}");
report_case('binary-garbage', random_bytes(1024), "${POS}");
report_case('nul-in-status', edit($report, 'status: pass', "status: pa\0ss"), "${POS}");
report_case('invalid-utf8', edit($report, 'plan_path: .copy', "plan_path: \xc3\x28.copy"),
	    "${POS}.*UTF-8");
report_case('utf16le-with-bom', utf16($report, 0), "${POS}.*UTF");
report_case('two-documents', "$report---\n$report", "${POS}.*document");
report_case('tab-indentation', edit($report, "  plan_path:", "\tplan_path:"), "${POS}.*tab");
report_case('duplicate-status', "${report}status: fail\n", "${POS}.*duplicate.*status");
report_case('duplicate-checksum', edit($report, "  plan_checksum: $plan_sum\n",
	    "  plan_checksum: $plan_sum\n  plan_checksum: sha256:" . ('00' x 32) . "\n"),
	    "${POS}.*duplicate.*plan_checksum");
report_case('crlf-duplicate-status', crlf("${report}status: fail\n"), ':7:1: .*duplicate.*status');
report_case('alias-bomb', "${report}x0: &x0 [a, a, a, a, a, a, a, a, a, a]\n" . join('', map {
	    sprintf("x%d: &x%d [%s]\n", $_, $_, join(', ', ("*x" . ($_ - 1)) x 10)) } 1 .. 9),
	    "${POS}.*(alias|expan)");
report_case('deep-nesting', "${report}x: " . ('[' x 20000) . (']' x 20000) . "\n",
	    "${POS}.*(deep|nest)");
report_case('enormous-unterminated', edit($report, 'validated_at: "2026-11-01T10:00:00Z"',
	    'validated_at: "' . ('9' x 131072)), "${POS}.*quot");

# ------------------------------------------------------------ state files

my $lock = slurp('base/ccapply.lock');
my $SPOS = ':[0-9]+:[0-9]+: ';   # FILE:LINE:COL: in state file errors

# Recompute the digest line after an edit, the way ccapply writes it (the
# BLAKE2b-256 of every line before it), so the edit reaches the field checks.
sub redigest {
	my ($text) = @_;
	my $at = rindex($text, qq(  "digest": "));
	die "gen.pl: no digest line\n" if $at < 0;
	my $head = substr($text, 0, $at);
	return $head . qq(  "digest": "blake2b-256:) . b2sum($head) . qq("\n}\n);
}
sub state_case {
	my ($name, $content, $regex) = @_;
	emit('state', "$name.lock", $content, $regex);
}
# An edit with the digest recomputed: only the edited field is wrong.
sub state_edit {
	my ($name, $from, $to, $regex) = @_;
	state_case($name, redigest(edit($lock, $from, $to)), $regex);
}

state_case('empty', '', 'empty|truncated|end of input|JSON');
state_case('whitespace', "  \n", 'empty|truncated|end of input|JSON');
state_case('null', "null\n", 'object|state file');
state_case('array', "[]\n", 'object|state file');
state_case('number', "1\n", 'object|state file');
state_case('string', "\"ccapply.lock\"\n", 'object|state file');
state_case('empty-object', "{}\n", 'version');
state_case('truncated-10pct', substr($lock, 0, int(length($lock) / 10)), "$SPOS.*truncated");
state_case('truncated-half', substr($lock, 0, int(length($lock) / 2)), "$SPOS.*truncated");
state_case('truncated-last-byte', substr($lock, 0, -1), 'truncated|digest|newline');
state_case('truncated-before-digest', substr($lock, 0, rindex($lock, '  "digest"')),
	   "$SPOS.*truncated");
state_case('binary-garbage', random_bytes(2048), "$SPOS");
state_case('nul-byte', edit($lock, '"serial": 1', "\"serial\": 1\0"), "$SPOS");
state_case('bom', "\xef\xbb\xbf$lock", "$SPOS");
state_case('crlf', crlf($lock), 'digest|line|layout|CR');
state_case('trailing-garbage', "$lock}\n", "$SPOS");
state_case('two-objects', "$lock$lock", "$SPOS");
state_case('json-comment', "// ccapply state\n$lock", "$SPOS");
state_case('deep-nesting', "{\"version\": 1, \"x\": " . ('[' x 20000) . (']' x 20000) . "}\n",
	   "$SPOS.*(deep|nest)");
state_case('deep-unclosed', '[' x 20000, "$SPOS");
state_case('enormous-unterminated-string', "{\"version\": 1, \"lineage\": \"" . ('f' x 131072),
	   "$SPOS.*(string|truncated)");
state_case('digest-mismatch', edit($lock, '"id": "conn_new_1"', '"id": "conn_new_2"'),
	   'digest mismatch');
state_case('digest-missing', edit($lock, $lock =~ /(,\n  "digest": "[^"]*")/, ''),
	   'digest');
state_case('digest-uppercase', $lock =~ s/("digest": "blake2b-256:)([0-9a-f]{64})/$1\U$2/r,
	   'digest');
state_case('digest-sha256', $lock =~ s/("digest": ")blake2b-256:([0-9a-f]{64})/${1}sha256:$2/r,
	   'digest');
state_case('digest-not-last', edit($lock, qq({\n  "version": 1,), qq({\n  "digest": "blake2b-256:)
	   . ('0' x 64) . qq(",\n  "version": 1,)), 'digest|duplicate');
# Wrong versions and types, with the digest recomputed so each reaches its check.
my @state_types = (
	['version-2', '"version": 1,', '"version": 2,', 'version'],
	['version-string', '"version": 1,', '"version": "1",', 'version'],
	['version-float', '"version": 1,', '"version": 1.0,', 'version'],
	['version-exponent', '"version": 1,', '"version": 1e0,', 'version'],
	['version-huge', '"version": 1,', '"version": ' . ('9' x 400) . ',', 'version'],
	['version-negative', '"version": 1,', '"version": -1,', 'version'],
	['version-null', '"version": 1,', '"version": null,', 'version'],
	['version-missing', qq(  "version": 1,\n), '', 'version'],
	['lineage-number', qr/"lineage": "[0-9a-f]+"/, '"lineage": 42', 'lineage'],
	['lineage-short', qr/"lineage": "([0-9a-f]+)"/, '"lineage": "abc"', 'lineage'],
	['serial-string', '"serial": 1,', '"serial": "1",', 'serial'],
	['serial-negative', '"serial": 1,', '"serial": -5,', 'serial'],
	['serial-float', '"serial": 1,', '"serial": 1.5,', 'serial'],
	['serial-huge', '"serial": 1,', '"serial": 1' . ('0' x 40) . ',', 'serial'],
	['plan-checksum-number', qr/"plan_checksum": "[^"]*"/, '"plan_checksum": 7',
	 'plan_checksum'],
	['validation-array', qr/"validation": \{.*?\n  \}/s, '"validation": []', 'validation'],
	['validation-status-unknown', '"status": "pass-with-warnings"', '"status": "fail"',
	 'status'],
	['acknowledged-string', qr/"acknowledged": \[.*?\]/s, '"acknowledged": "all"',
	 'acknowledged'],
	['acknowledged-number-item', qr/"acknowledged": \[.*?\]/s, '"acknowledged": [1]',
	 'acknowledged'],
	['target-array', qr/"target": \{.*?\n  \}/s, '"target": ["decent_dropsy"]', 'target'],
	['target-group-id-null', '"group_id": "decent_dropsy"', '"group_id": null', 'group_id'],
	['resources-object', qr/"resources": \[.*?\n  \]/s, '"resources": {}', 'resources'],
	['resource-number', qr/"resources": \[\n/, "\"resources\": [\n    7,\n", 'resources'],
	['resource-kind-unknown', '"kind": "connection"', '"kind": "destination"', 'kind'],
	['resource-name-missing', qq(      "name": "postgres_app",\n), '', 'name'],
	['resource-outcome-unknown', '"outcome": "created"', '"outcome": "probably"', 'outcome'],
	['resource-outcome-number', '"outcome": "created"', '"outcome": 1', 'outcome'],
	['resource-id-number', '"id": "conn_new_1"', '"id": 1', 'id'],
	['resource-recovered-string', '"recovered": false', '"recovered": "false"', 'recovered'],
	['resource-reason-number', '"reason": "DEPENDENCY_FAILED"', '"reason": 5', 'reason'],
	['resource-sent-digest-bad', qr/"sent_digest": "blake2b-256:[0-9a-f]+"/,
	 '"sent_digest": "blake2b-256:xyz"', 'sent_digest'],
	['resource-error-string', qr/"error": \{.*?\n      \}/s, '"error": "HTTP 400"', 'error'],
	['resource-error-status-string', '"http_status": 400', '"http_status": "400"',
	 'http_status'],
	['resource-error-status-huge', '"http_status": 400', '"http_status": 4000000000000',
	 'http_status'],
	['resource-duplicate', qr/"kind": "connection",\n      "name": "stripe_raw"/,
	 qq("kind": "connection",\n      "name": "postgres_app"), 'twice|duplicate|postgres_app'],
	['member-unknown', '"serial": 1,', qq("serial": 1,\n  "comment": "hand-edited",),
	 'comment'],
	['member-duplicate', '"serial": 1,', qq("serial": 1,\n  "serial": 2,), 'duplicate|serial'],
	['invalid-utf8-in-name', '"group_name": "Warehouse', "\"group_name\": \"Ware\xff\xfehouse",
	 'UTF-8'],
	['control-char-in-string', '"group_name": "Warehouse', "\"group_name\": \"Ware\x01house",
	 'control|string|character'],
	['lone-surrogate-escape', '"group_name": "Warehouse', '"group_name": "Ware\\ud800house',
	 'surrogate|escape|UTF'],
	['credential-looking-member', '"serial": 1,', qq("serial": 1,\n  "password": "hunter2",),
	 'password'],
);
# The plan checksum's form is checked on load, as the report's is.
state_edit('type-plan-checksum-bad-form', '"plan_checksum": "blake2b-256:',
	   '"plan_checksum": "md5:', 'plan_checksum');
for (@state_types) {
	my ($name, $from, $to, $regex) = @$_;
	my $text = $lock;
	if (ref $from) {
		$text =~ s/$from/$to/ or die "gen.pl: state edit $name does not apply\n";
	} else {
		$text = edit($text, $from, $to);
	}
	state_case("type-$name", redigest($text), $regex);
}

# --------------------------------------------------------- API responses
#
# File names say which call gets the body: group.* (GET /v1/groups/ID),
# connections.* (the target group's connection list), transformations.* (its
# Quickstart list), connection.* (GET /v1/connections/ID), groups.* (the
# group list). A ".statusNNN" in the name makes the answer that HTTP status
# instead of 200.

sub api_case {
	my ($name, $content, $regex) = @_;
	emit('api', "$name.json", $content, $regex);
}
my %good = map { $_ => slurp("base/api/$_.json") } qw(group groups connection connections
	transformations);
my $JPOS = 'line [0-9]+, column [0-9]+';

for my $ep (qw(group connections transformations)) {
	my $g = $good{$ep};
	api_case("$ep.empty-body", '', 'malformed|empty');
	api_case("$ep.null", "null\n", 'malformed.*(null|object)');
	api_case("$ep.array", "[]\n", 'malformed.*(array|object)');
	api_case("$ep.string", "\"Success\"\n", 'malformed.*(string|object)');
	api_case("$ep.truncated", substr($g, 0, int(length($g) / 2)), "malformed.*$JPOS");
	api_case("$ep.no-data", "{\"code\":\"Success\"}\n", 'malformed.*data');
	api_case("$ep.data-string", "{\"code\":\"Success\",\"data\":\"ok\"}\n", 'malformed.*data');
	api_case("$ep.html", "<html><body>502 Bad Gateway</body></html>\n", "malformed.*$JPOS");
	api_case("$ep.binary", random_bytes(700), "malformed");
	api_case("$ep.nul-byte", edit($g, '"code"', "\"co\0de\""), "malformed.*$JPOS");
	api_case("$ep.invalid-utf8", edit($g, '"Success"', "\"Succ\xe9ss\""), 'malformed.*UTF-8');
	api_case("$ep.bom", "\xef\xbb\xbf$g", "malformed.*$JPOS");
	api_case("$ep.trailing-garbage", "$g<!-- cached -->\n", "malformed.*$JPOS");
	api_case("$ep.two-values", "$g$g", "malformed.*$JPOS");
	api_case("$ep.deep-nesting", "{\"code\":\"Success\",\"data\":" . ('[' x 20000)
		 . (']' x 20000) . "}\n", 'malformed.*(deep|nest)');
	api_case("$ep.duplicate-data", edit($g, '{"code":"Success",',
		 '{"code":"Success","data":{"items":[]},'), 'malformed.*duplicate');
	api_case("$ep.single-quotes", $g =~ s/"/'/gr, "malformed.*$JPOS");
	api_case("$ep.nan", edit($g, '"code":"Success"', '"code":NaN'), "malformed.*$JPOS");
	api_case("$ep.enormous-unterminated", "{\"code\":\"Success\",\"data\":{\"x\":\""
		 . ('z' x 131072), "malformed.*$JPOS");
}
api_case('group.data-array', "{\"code\":\"Success\",\"data\":[]}\n", 'malformed.*data');
api_case('group.id-number', edit($good{group}, '"id":"target_group"', '"id":12345'),
	 'id');
api_case('group.id-missing', edit($good{group}, '"id":"target_group",', ''), 'id');
api_case('group.status500-html', "<h1>Internal Server Error</h1>\n", 'HTTP 500');
api_case('group.status400-code-number', "{\"code\":400,\"message\":[\"bad\"]}\n", 'HTTP 400');
api_case('group.status401-garbage', random_bytes(64), 'HTTP 401|FIVETRAN_APIKEY');
api_case('connections.status503-html', "<html>Service Unavailable</html>\n", 'HTTP 503');
api_case('transformations.status404-not-found',
	 "{\"code\":\"NotFound\",\"message\":\"Group not found\"}\n", 'HTTP 404');
for my $ep (qw(connections transformations)) {
	my $g = $good{$ep};
	api_case("$ep.items-object", "{\"code\":\"Success\",\"data\":{\"items\":{}}}\n",
		 'malformed.*items');
	api_case("$ep.items-string", "{\"code\":\"Success\",\"data\":{\"items\":\"none\"}}\n",
		 'malformed.*items');
	api_case("$ep.items-missing", "{\"code\":\"Success\",\"data\":{}}\n", 'malformed.*items');
	api_case("$ep.next-cursor-number", edit($g, ']}}', '],"next_cursor":5}}'),
		 'malformed.*next_cursor');
	api_case("$ep.next-cursor-object", edit($g, ']}}', '],"next_cursor":{}}}'),
		 'malformed.*next_cursor');
}
# Malformed list items: a wrong-typed item must not read as absent (plan
# would propose to create it again); the client refuses the whole answer.
{
	for my $ep (qw(connections transformations)) {
		api_case("$ep.item-number", "{\"code\":\"Success\",\"data\":{\"items\":[1]}}\n",
			 'malformed.*item');
		api_case("$ep.item-null", "{\"code\":\"Success\",\"data\":{\"items\":[null]}}\n",
			 'malformed.*item');
	}
	api_case('connections.item-id-number', edit($good{connections}, '"id":"tgt_pg"', '"id":7'),
		 'malformed.*id');
	api_case('connections.item-schema-number', edit($good{connections}, '"schema":"legacy_pg"',
		 '"schema":7'), 'malformed.*schema');
	api_case('connections.item-config-array',
		 $good{connections} =~ s/"config":\{[^}]*\}/"config":[]/r, 'malformed.*config');
	api_case('connections.item-service-null', edit($good{connections}, '"service":"postgres"',
		 '"service":null'), 'malformed.*service');
	api_case('transformations.item-config-string', edit($good{transformations},
		 ($good{transformations} =~ /("transformation_config":\{.*?\})/)[0],
		 '"transformation_config":"legacy"'), 'malformed.*transformation_config');
	api_case('transformations.item-connection-ids-string', edit($good{transformations},
		 '"connection_ids":["tgt_pg"]', '"connection_ids":"tgt_pg"'),
		 'malformed.*connection_ids');
	api_case('transformations.item-package-number', edit($good{transformations},
		 '"package_name":"legacy"', '"package_name":42'), 'malformed.*package_name');
}
api_case('connection.truncated', substr($good{connection}, 0, 100), "malformed.*$JPOS");
api_case('connection.data-number', "{\"code\":\"Success\",\"data\":5}\n", 'malformed.*data');
api_case('groups.items-object', "{\"code\":\"Success\",\"data\":{\"items\":{}}}\n",
	 'malformed.*items');
api_case('groups.truncated', substr($good{groups}, 0, 60), "malformed.*$JPOS");

# ---------------------------------------------------------------- output

open my $m, '>', 'MANIFEST' or die "MANIFEST: $!\n";
print $m "# Generated by testdata/hostile/gen.pl: PATH<TAB>what the error must say (grep -E)\n";
print $m "$_\n" for @manifest;
close $m or die "MANIFEST: $!\n";
printf "%d files\n", scalar @manifest;
