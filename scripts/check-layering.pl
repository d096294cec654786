#!/usr/bin/perl
# check-layering.pl — the house rule "no module reaches around another", checked.
#
#     scripts/check-layering.pl [ROOT]
#
# Reads the include matrix from ROOT/docs/architecture.md (the table between
# the markers "<!-- include-matrix -->" and "<!-- /include-matrix -->": one
# row per module, its directory and the modules it may include), then every
# .c and .h file under each module's directory, and reports each
# `#include "dir/file.h"` of a module the row does not allow, as
# FILE:LINE: MODULE may not include DIR (it may include: ...). A module's own
# directory is always allowed. A directory holding C sources that the table
# does not name is an error too, so a new module cannot slip in undeclared.
# Exit 0 when the tree keeps the matrix, 1 otherwise. Perl and core modules
# only, like the catalog generator: it runs wherever `prove` does.
use strict;
use warnings;
use File::Find;

my $root = shift // '.';
my $doc = "$root/docs/architecture.md";
open my $fh, '<', $doc or die "check-layering: $doc: $!\n";
my (%allowed, $in, $seen_table);
while (my $line = <$fh>) {
	if ($line =~ /<!-- include-matrix -->/) { $in = 1; $seen_table = 1; next; }
	last if $line =~ /<!-- \/include-matrix -->/;
	next unless $in;
	# | `cmd/` | lib, planner, ... |   (— for none)
	next unless $line =~ /^\|\s*`([\w\/.-]+?)\/?`\s*\|\s*(.*?)\s*\|\s*(?:.*\|)?\s*$/;
	my ($module, $list) = ($1, $2);
	$allowed{$module} = { map { s/[`\/]//gr => 1 } grep { $_ ne '—' && $_ ne '' } split /\s*,\s*/, $list };
}
close $fh;
die "check-layering: $doc: no include matrix between <!-- include-matrix --> markers\n"
	unless $seen_table && %allowed;

my ($bad, %dirs_with_sources) = (0);
find({ no_chdir => 1, wanted => sub {
	my $path = $File::Find::name;
	if (-d $path && $path =~ m{/(?:\.git|build|bin|node_modules|debian)$|/trash\.}) {
		$File::Find::prune = 1;
		return;
	}
	return unless $path =~ /\.[ch]$/;
	(my $rel = $path) =~ s{^\Q$root\E/}{};
	my ($dir) = $rel =~ m{^(.*)/[^/]+$};
	return unless defined $dir;
	$dirs_with_sources{$dir} = 1;
	my $module = $allowed{$dir} ? $dir : undef;
	return unless $module;
	open my $src, '<', $path or die "check-layering: $path: $!\n";
	while (my $l = <$src>) {
		next unless $l =~ /^\s*#\s*include\s+"([\w.-]+(?:\/[\w.-]+)*)\/[\w.-]+\.h"/;
		my $target = $1;
		next if $target eq $module || $allowed{$module}{$target};
		my $may = join(', ', sort keys %{ $allowed{$module} }) || 'nothing but itself';
		print "$rel:$.: $module may not include $target (it may include: $may)\n";
		$bad = 1;
	}
	close $src;
} }, $root);

for my $dir (sort keys %dirs_with_sources) {
	next if $allowed{$dir};
	print "$dir: holds C sources but is not a row of the include matrix in docs/architecture.md\n";
	$bad = 1;
}
exit $bad;
