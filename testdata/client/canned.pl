#!/usr/bin/perl
# canned.pl — a loopback HTTP server that answers every request with a canned
# file, chosen by method, path and (when the route says so) query, so
# t/3104-client-malformed.t can give the API client bodies the simulator
# never sends: items of the wrong type, and cursors that go round in a circle
# (which needs a different answer per cursor, hence the query matching).
#
#   canned.pl PORTFILE ROUTES LOG
#
# Writes the ephemeral port it listens on to PORTFILE (via a rename, so a
# reader never sees half of it). ROUTES is re-read on every request; its
# lines are
#     METHOD TARGET STATUS FILE
# where TARGET is either a path, matching that path with any query, or a path
# and query ("/v1/x?limit=1000&cursor=b"), matching exactly that; METHOD may
# be "*". The first matching line wins; no match is a 404 with a JSON error.
# FILE's bytes are the body, verbatim. Every request is appended to LOG as
# "METHOD TARGET". One connection at a time (Connection: close); core Perl.
use strict;
use warnings;
use IO::Socket::INET;

my ($port_file, $routes_file, $log_file) = @ARGV;
die "usage: canned.pl PORTFILE ROUTES LOG\n" unless defined $log_file;
$SIG{TERM} = sub { exit 0 };
$SIG{PIPE} = 'IGNORE';

my $listener = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
				     Listen => 8, ReuseAddr => 1, Proto => 'tcp')
	or die "canned.pl: listen: $!\n";
open my $out, '>', "$port_file.new" or die "canned.pl: $port_file.new: $!\n";
print $out $listener->sockport, "\n";
close $out or die "canned.pl: $port_file.new: $!\n";
rename "$port_file.new", $port_file or die "canned.pl: $port_file: $!\n";

sub read_all {
	my ($name) = @_;
	open my $in, '<:raw', $name or return undef;
	local $/;
	my $bytes = <$in>;
	return defined $bytes ? $bytes : '';
}

sub answer_for {
	my ($method, $target) = @_;
	my ($path) = $target =~ /^([^?]*)/;
	my $routes = read_all($routes_file);
	return (500, '{"code":"Test","message":"canned.pl: no routes file"}')
		unless defined $routes;
	for (split /\n/, $routes) {
		my ($m, $t, $status, $file) = split ' ', $_, 4;
		next unless defined $file && ($m eq '*' || $m eq $method);
		next unless $t eq $target || ($t !~ /\?/ && $t eq $path);
		my $body = read_all($file);
		return (500, qq({"code":"Test","message":"canned.pl: cannot read $file"}))
			unless defined $body;
		return ($status, $body);
	}
	return (404, qq({"code":"NotFound","message":"canned.pl: no route for $method $target"}));
}

sub serve_one {
	my ($conn) = @_;
	local $/ = "\r\n";
	my $request = <$conn>;
	return unless defined $request && $request =~ m{^(\S+) (\S+) HTTP/};
	my ($method, $target) = ($1, $2);
	my $content_length = 0;
	while (defined(my $header = <$conn>)) {
		last if $header eq "\r\n";
		$content_length = $1 if $header =~ /^Content-Length:\s*(\d+)/i;
	}
	my $ignored;
	read($conn, $ignored, $content_length) if $content_length;
	if (open my $log, '>>', $log_file) {
		print $log "$method $target\n";
		close $log;
	}
	my ($status, $body) = answer_for($method, $target);
	print $conn "HTTP/1.1 $status Canned\r\nContent-Type: application/json\r\n",
		"Content-Length: ", length($body), "\r\nConnection: close\r\n\r\n", $body;
}

for (;;) {
	my $conn = $listener->accept or next;
	binmode $conn;
	eval {
		local $SIG{ALRM} = sub { die "timeout\n" };
		alarm 10;
		serve_one($conn);
		alarm 0;
	};
	close $conn;
}
