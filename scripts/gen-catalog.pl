#!/usr/bin/perl
# gen-catalog.pl — writes catalog/catalog-data.c, the service catalog, from
# Fivetran's official OpenAPI definition (api/fivetran-openapi.json).
#
#   scripts/gen-catalog.pl api/fivetran-openapi.json > catalog/catalog-data.c
#   (or `make catalog`)
#
# What it reads, per service X named by a schema `X_NewConnectorRequestV1`:
#   - the naming format: which of schema_format_schema, _schema_prefix,
#     _schema_table, _schema_table_group its allOf references;
#   - the config keys of `X_config_V1` (properties.config.properties), nested
#     where the definition nests (object properties, array items), each with
#     its JSON type, its enum values and whether it is a credential
#     (`"format": "password"`);
#   - the read-only keys of `X_readonly_config_V1`, flagged as such;
#   - the names `X_auth_V1` marks `"format": "password"` (only for the list of
#     every credential name, which redaction uses).
# Plus the top-level properties of `NewConnectorRequestV1`.
#
# Errata applied (api/fivetran-openapi.errata.md): (1) an integer field whose
# enum lists strings ("1", "5", ... "1440") has integer enum values; (4) a
# property declared "type": "object" with an enum is a string.
#
# Output is deterministic: everything is sorted by byte order (the C side
# binary-searches with strcmp), identical enum lists are stored once, and no
# date or path goes into the file. Perl with core JSON::PP only, so it runs
# wherever `prove` does.
use strict;
use warnings;
use JSON::PP ();

my $path = shift // 'api/fivetran-openapi.json';
open my $fh, '<:raw', $path or die "gen-catalog: $path: $!\n";
my $text = do { local $/; <$fh> };
close $fh;
my $schemas = JSON::PP->new->decode($text)->{components}{schemas}
	or die "gen-catalog: $path: no components.schemas\n";

my %NAMING = (
	schema_format_schema              => 'CATALOG_NAMING_SCHEMA',
	schema_format_schema_prefix       => 'CATALOG_NAMING_SCHEMA_PREFIX',
	schema_format_schema_table        => 'CATALOG_NAMING_SCHEMA_TABLE',
	schema_format_schema_table_group  => 'CATALOG_NAMING_SCHEMA_TABLE_GROUP',
);
my %TYPE = (
	string => 'STR', integer => 'INT', number => 'NUM', boolean => 'BOOL',
	object => 'OBJ', array => 'ARR',
);

my @keys;          # rows of the key table, in index order
my @enum_values;   # every enum value, lists stored back to back
my %enum_index;    # joined list -> index of its first value
my %credential_names;

sub is_password { return (($_[0]{format} // '') eq 'password') }

sub enum_of {
	my ($p, $type) = @_;
	return (0, 0) unless ref $p->{enum} eq 'ARRAY' && @{ $p->{enum} };
	my @v = map {
		die "gen-catalog: enum value is not a scalar\n" if ref $_ && !JSON::PP::is_bool($_);
		my $s = JSON::PP::is_bool($_) ? ($_ ? 'true' : 'false') : "$_";
		# Erratum 1: an integer field's enum values are integers.
		$s = 0 + $s if $type eq 'INT' && $s =~ /^-?[0-9]+$/;
		"$s";
	} @{ $p->{enum} };
	my $joined = join "\0", @v;
	unless (exists $enum_index{$joined}) {
		$enum_index{$joined} = scalar @enum_values;
		push @enum_values, @v;
	}
	return ($enum_index{$joined}, scalar @v);
}

sub type_of {
	my ($p) = @_;
	my $t = $p->{type};
	return 'ANY' unless defined $t && exists $TYPE{$t};
	# Erratum 4: "type": "object" with an enum means a string.
	return 'STR' if $t eq 'object' && $p->{enum};
	return $TYPE{$t};
}

# Lay out one block of sibling keys (sorted), then each one's children, so
# every key's children are contiguous. Returns (first index, count).
sub layout {
	my ($props, $flags, $extra) = @_;
	my @names = sort keys %$props;
	my $first = scalar @keys;
	push @keys, undef for @names;
	for my $i (0 .. $#names) {
		my $p = $props->{ $names[$i] };
		my $type = type_of($p);
		my ($item_type, $children, $n_children, $enum_first, $n_enum) = ('ANY', 0, 0, 0, 0);
		my $f = $flags | ($extra ? $extra->{ $names[$i] } // 0 : 0);
		if (is_password($p)) {
			$f |= 1;
			$credential_names{ $names[$i] } = 1;
		}
		my $source = $p;
		if ($type eq 'ARR' && ref $p->{items} eq 'HASH') {
			$source = $p->{items};
			$item_type = type_of($source);
		}
		($enum_first, $n_enum) = enum_of($source, $type eq 'ARR' ? $item_type : $type);
		if (ref $source->{properties} eq 'HASH' && %{ $source->{properties} }) {
			($children, $n_children) = layout($source->{properties}, $f & 2);
		}
		$keys[ $first + $i ] = [ $names[$i], $type, $item_type, $f, $children, $n_children,
					 $enum_first, $n_enum ];
	}
	return ($first, scalar @names);
}

sub config_props {
	my ($name) = @_;
	my $s = $schemas->{$name} or return {};
	return $s->{properties}{config}{properties} // {};
}

sub collect_passwords {
	my ($props) = @_;
	for my $k (keys %$props) {
		my $p = $props->{$k};
		$credential_names{$k} = 1 if is_password($p);
		collect_passwords($p->{properties}) if ref $p->{properties} eq 'HASH';
		collect_passwords($p->{items}{properties})
			if ref $p->{items} eq 'HASH' && ref $p->{items}{properties} eq 'HASH';
	}
}

# ---- services --------------------------------------------------------------
my @services;
for my $schema (sort keys %$schemas) {
	next unless $schema =~ /^(.+)_NewConnectorRequestV1$/;
	my $service = $1;
	my ($naming) = grep { defined }
		map { my $r = $_->{'$ref'} // ''; $r =~ s{.*/}{}; $NAMING{$r} }
		@{ $schemas->{$schema}{allOf} // [] };
	die "gen-catalog: $schema has no naming format\n" unless $naming;
	die "gen-catalog: service name \"$service\" is not plain\n" unless $service =~ /^[A-Za-z0-9_]+$/;
	my %props = %{ config_props("${service}_config_V1") };
	my $ro = config_props("${service}_readonly_config_V1");
	for my $k (keys %$ro) {
		die "gen-catalog: $service: $k is both settable and read-only\n" if exists $props{$k};
	}
	# Settable keys and read-only keys share one sorted block; flags tell them apart.
	my ($first, $n) = layout({ %props, %$ro }, 0, { map { $_ => 2 } keys %$ro });
	collect_passwords($schemas->{"${service}_auth_V1"}{properties}{auth}{properties} // {});
	push @services, [ $service, $naming, $first, $n ];
}
die "gen-catalog: no services found\n" unless @services;

# ---- top-level create fields -----------------------------------------------
my $create = $schemas->{NewConnectorRequestV1}{properties}
	or die "gen-catalog: no NewConnectorRequestV1\n";
my @create_rows;
for my $name (sort keys %$create) {
	my $p = $create->{$name};
	my $type = exists $p->{'$ref'} ? 'OBJ' : type_of($p);
	my ($e, $n) = enum_of($p, $type);
	push @create_rows, [ $name, $type, $e, $n ];
}

for (keys %credential_names) {
	die "gen-catalog: credential name \"$_\" is not lower case\n" if $_ ne lc $_;
}

# ---- output ----------------------------------------------------------------
sub c_str {
	my ($s) = @_;
	utf8::encode($s);
	$s =~ s/([\\"])/\\$1/g;
	$s =~ s/([^\x20-\x7e])/sprintf('\\%03o', ord $1)/ge;
	return "\"$s\"";
}

my %count;
$count{ $_->[1] }++ for @services;
my $out = '';
$out .= "/*\n * catalog-data.c — GENERATED by scripts/gen-catalog.pl from\n";
$out .= " * api/fivetran-openapi.json (errata 1 and 4 applied). Do not edit: run\n";
$out .= " * `make catalog`; t/0020-catalog.t checks that this file is what the\n";
$out .= " * generator writes. See catalog/catalog.h for what the tables mean.\n";
$out .= sprintf " *\n * %d services: %d schema, %d schema_prefix, %d schema+table,\n * %d schema+table_group_name; %d config keys; %d enum values.\n */\n",
	scalar @services, map({ $count{"CATALOG_NAMING_$_"} // 0 } qw(SCHEMA SCHEMA_PREFIX SCHEMA_TABLE SCHEMA_TABLE_GROUP)),
	scalar @keys, scalar @enum_values;
$out .= "#include \"catalog/catalog-internal.h\"\n\n";
$out .= "/* K(name, type, item type, flags, first child, children, first enum value, values) */\n";
$out .= "#define K(n, t, it, f, c, nc, e, ne) { .name = n, .type = CATALOG_##t, .item_type = CATALOG_##it, \\\n";
$out .= "\t.flags = f, .children = c, .n_children = nc, .enum_first = e, .n_enum = ne }\n\n";
$out .= "const struct catalog_key catalog_keys[] = {\n";
for my $i (0 .. $#keys) {
	my $k = $keys[$i];
	$out .= sprintf "\tK(%s, %s, %s, %d, %d, %d, %d, %d), /* %d */\n",
		c_str($k->[0]), @$k[ 1 .. 7 ], $i;
}
$out .= "};\n\n";
$out .= "const char *const catalog_enum_values[] = {\n";
for my $i (0 .. $#enum_values) {
	$out .= sprintf "\t%s, /* %d */\n", c_str($enum_values[$i]), $i;
}
$out .= "};\n\n";
$out .= "const struct catalog_service catalog_services[] = {\n";
for my $s (@services) {
	$out .= sprintf "\t{ .name = %s, .naming = %s, .keys = %d, .n_keys = %d },\n",
		c_str($s->[0]), @$s[ 1 .. 3 ];
}
$out .= "};\nconst size_t catalog_n_services = sizeof catalog_services / sizeof *catalog_services;\n\n";
$out .= "/* The top-level properties of NewConnectorRequestV1. */\n";
$out .= "const struct catalog_key catalog_create_fields[] = {\n";
for my $r (@create_rows) {
	$out .= sprintf "\tK(%s, %s, ANY, 0, 0, 0, %d, %d),\n", c_str($r->[0]), @$r[ 1 .. 3 ];
}
$out .= "};\nconst size_t catalog_n_create_fields = sizeof catalog_create_fields / sizeof *catalog_create_fields;\n\n";
$out .= "/* Every name a service's config or auth marks \"format\": \"password\". */\n";
$out .= "const char *const catalog_credential_names[] = {\n";
$out .= "\t" . c_str($_) . ",\n" for sort keys %credential_names;
$out .= "};\nconst size_t catalog_n_credential_names = sizeof catalog_credential_names / sizeof *catalog_credential_names;\n";
print $out;
