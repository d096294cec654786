#!/usr/bin/perl
# gen-scale.pl — a simulator account and a plan for the plan-at-scale benchmark.
#
#   testdata/gen-scale.pl DIR [--live N] [--planned M]
#
# Writes DIR/seed.json: groups "source_group" and "target_group", N connections
# already in the target group (default 5000), and the M planned source
# connections (default 1000) in the source group; and
# DIR/.copy-connections/copy_plan.yaml copying those M, half of which already
# exist in the target (so plan has creates and no-ops to compute).
# Deterministic: the same arguments give the same bytes.
use strict;
use warnings;
use Getopt::Long;

my ($live, $planned) = (5000, 1000);
my $dir = shift or die "usage: $0 DIR [--live N] [--planned M]\n";
GetOptions('live=i' => \$live, 'planned=i' => \$planned) or die "bad options\n";
mkdir $dir; mkdir "$dir/.copy-connections";

open my $seed, '>', "$dir/seed.json" or die "$dir/seed.json: $!\n";
print $seed qq({"groups":[{"id":"source_group","name":"Production"},{"id":"target_group","name":"Analytics Copy"}],\n);
print $seed qq("destinations":[{"id":"target_group","group_id":"target_group","service":"snowflake"}],\n);
print $seed qq("connections":[\n);
my @items;
for my $i (1 .. $live) {
	my $name = sprintf("pg_%05d", $i);
	push @items, qq({"id":"live_$name","group_id":"target_group","service":"postgres","schema":"$name",) .
		qq("config":{"host":"db$i.example.com","port":5432,"password":"******"}});
}
for my $i (1 .. $planned) {
	my $name = sprintf("pg_%05d", $i);
	push @items, qq({"id":"src_$name","group_id":"source_group","service":"postgres","schema":"$name",) .
		qq("config":{"host":"db$i.example.com","port":5432,"password":"******"}});
}
print $seed join(",\n", @items), "\n]}\n";
close $seed;

open my $plan, '>', "$dir/.copy-connections/copy_plan.yaml" or die "plan: $!\n";
print $plan "schema_version: 1\ndestination:\n  mode: existing\n  existing_destination_id: target_group\nconnections:\n";
for my $i (1 .. $planned) {
	# Even-numbered ones get a new name, so they are creates; odd ones exist.
	my $name = sprintf("pg_%05d", $i);
	my $target = $i % 2 ? $name : "${name}_copy";
	print $plan "  - source_id: src_$name\n    source_service: postgres\n    target_name: $target\n" .
		"    config: {schema_prefix: $name, host: db$i.example.com, port: 5432, password: \"\"}\n" .
		"    credential_fields: [password]\n    auth_style: credentials\n";
}
close $plan;
