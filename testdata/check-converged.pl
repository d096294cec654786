#!/usr/bin/perl
# check-converged.pl — has an apply of a gen-apply-plan.pl plan converged?
#
#   testdata/check-converged.pl SIM_STATE.json LOCK RESULTS_MD CONNECTIONS PACKAGES
#
# SIM_STATE.json is GET /_sim/state after the apply; LOCK the ccapply.lock and
# RESULTS_MD the results.md it wrote. Checks, and says on stdout what is wrong:
#  - the simulator: each of the CONNECTIONS planned connections exists exactly
#    once in target_group and nothing else does; each of the PACKAGES Quickstart
#    packages exists exactly once there, on the ids of its two dependencies;
#  - the lock: one resource per planned one, each created or already_exists,
#    with the id the simulator holds for that name;
#  - results.md: every connection has exactly one "### NAME" section, every
#    package one "- NAME Quickstart package" line, and the summary counts add
#    up to everything planned, with nothing failed, skipped or interrupted.
# Exit 0 when all hold, 1 otherwise. Last line on success: the lock's
# outcome counts ("lock outcomes: 37 already_exists, 167 created").
# Uses only core Perl (JSON::PP), like t/lib-sim.sh's sim_json.
use strict;
use warnings;
use JSON::PP;

my ($state_file, $lock_file, $results_file, $n, $p) = @ARGV;
die "usage: $0 SIM_STATE.json LOCK RESULTS_MD CONNECTIONS PACKAGES\n" unless defined $p;

sub slurp {
	my ($file) = @_;
	open my $f, '<', $file or die "$file: $!\n";
	local $/;
	return <$f>;
}

my @problems;
sub problem { push @problems, sprintf(shift, @_); }

my $live = decode_json(slurp($state_file));
my $lock = decode_json(slurp($lock_file));
my $results = slurp($results_file);

# The simulator: names and ids of what is in the target group.
my (%conns, %pkgs, %live_id, %source_of);
for my $c (@{$live->{connections}}) {
	next unless $c->{group_id} eq 'target_group';
	push @{$conns{$c->{schema}}}, $c->{id};
	$live_id{"connection/$c->{schema}"} = $c->{id};
}
for my $t (@{$live->{transformations}}) {
	next unless $t->{group_id} eq 'target_group';
	my $name = $t->{transformation_config}{package_name};
	push @{$pkgs{$name}}, $t;
	$live_id{"transformation/$name"} = $t->{id};
}
my %planned;
for my $name (keys %conns) {
	my ($num) = $name =~ /^c(\d{4})_/;
	if (!defined $num || $num < 1 || $num > $n) {
		problem("connection %s is in the target group but not planned", $name);
		next;
	}
	$planned{$num + 0} = $name;
	problem("connection %s exists %d times in the target group", $name, scalar @{$conns{$name}})
		if @{$conns{$name}} != 1;
}
for my $i (1 .. $n) {
	problem("connection c%04d_* is missing from the target group", $i) unless $planned{$i};
}
for my $i (1 .. $p) {
	my $name = sprintf("pkg_%02d", $i);
	my $list = $pkgs{$name} || [];
	if (@$list != 1) {
		problem("package %s exists %d times in the target group", $name, scalar @$list);
		next;
	}
	my @deps = map { $live_id{"connection/" . ($planned{$_} // '')} // '?' } ($i, $i + $p);
	my $got = join(',', @{$list->[0]{transformation_config}{connection_ids} || []});
	problem("package %s depends on %s, expected %s", $name, $got, join(',', @deps))
		if $got ne join(',', @deps);
}
problem("%d packages in the target group, expected %d", scalar keys %pkgs, $p)
	if keys %pkgs != $p;

# The lock.
my %outcomes;
my @resources = @{$lock->{resources} || []};
problem("%d resources in the lock, expected %d", scalar @resources, $n + $p)
	if @resources != $n + $p;
for my $r (@resources) {
	my $key = "$r->{kind}/$r->{name}";
	$outcomes{$r->{outcome}}++;
	problem("%s: outcome %s in the lock", $key, $r->{outcome})
		if $r->{outcome} !~ /^(created|already_exists)$/;
	problem("%s: id %s in the lock, %s in the simulator", $key, $r->{id} // 'null',
		$live_id{$key} // 'none')
		if !defined $r->{id} || !defined $live_id{$key} || $r->{id} ne $live_id{$key};
}

# results.md.
for my $num (sort keys %planned) {
	my $name = $planned{$num};
	my $count = () = $results =~ /^### \Q$name\E\n/mg;
	problem("results.md has %d sections for %s", $count, $name) if $count != 1;
}
for my $i (1 .. $p) {
	my $name = sprintf("pkg_%02d", $i);
	my $count = () =
		$results =~ /^- \Q$name\E Quickstart package (installed|already installed)/mg;
	problem("results.md lists %s %d times as installed", $name, $count) if $count != 1;
}
my $sum = 0;
my $done = qr/created successfully|installed|already existed|already installed/;
$sum += $1 while $results =~ /^- (\d+) (?:connections?|Quickstart packages?) (?:$done)/mg;
problem("results.md summary counts %d resources done, expected %d", $sum, $n + $p)
	if $sum != $n + $p;
problem("results.md reports failures, skips or an interruption")
	if $results =~ /^- [1-9]\d* .*(failed|skipped|not attempted)|interrupted/m;

if (@problems) {
	print "$_\n" for @problems;
	exit 1;
}
print "lock outcomes: ", join(', ', map { "$outcomes{$_} $_" } sort keys %outcomes), "\n";
exit 0;
