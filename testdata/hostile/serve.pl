#!/usr/bin/perl
# serve.pl — a tiny HTTP/1.1 server on 127.0.0.1 that answers with bytes
# from files, so t/8020-hostile.t can hand ccapply's API client any response
# body at all (the simulator only ever sends well-formed ones, or cuts one in
# half with its malformed fault).
#
#   serve.pl PORTFILE ROUTES LOG
#
# Listens on an ephemeral port and writes it to PORTFILE (atomically). For
# every request it re-reads ROUTES, whose lines are
#     METHOD PATH STATUS FILE
# (PATH without the query; "*" as METHOD or PATH matches anything; the first
# matching line wins), answers STATUS with FILE's bytes verbatim as an
# application/json body, and closes the connection. No match: 404 with a JSON
# error. Each request is appended to LOG as "METHOD PATH?QUERY". One request
# at a time, which is all a sequential client needs. Stops on SIGTERM.
# Core Perl only.
use strict;
use warnings;
use IO::Socket::INET;

my ($port_file, $routes_file, $log_file) = @ARGV;
die "usage: $0 PORTFILE ROUTES LOG\n" unless defined $log_file;

$SIG{TERM} = sub { exit 0 };
$SIG{PIPE} = 'IGNORE';

my $server = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 16,
				   ReuseAddr => 1, Proto => 'tcp')
	or die "serve.pl: cannot listen: $!\n";
open my $pf, '>', "$port_file.tmp" or die "serve.pl: $port_file.tmp: $!\n";
print $pf $server->sockport, "\n";
close $pf;
rename "$port_file.tmp", $port_file or die "serve.pl: $port_file: $!\n";

sub slurp {
	my ($file) = @_;
	open my $f, '<:raw', $file or return;
	local $/;
	my $data = <$f>;
	return defined $data ? $data : '';
}

sub route {
	my ($method, $path) = @_;
	my $routes = slurp($routes_file);
	return (500, qq({"code":"Test","message":"serve.pl: cannot read $routes_file"}))
		unless defined $routes;
	for my $line (split /\n/, $routes) {
		my ($m, $p, $status, $file) = split ' ', $line, 4;
		next unless defined $file;
		next unless ($m eq '*' || $m eq $method) && ($p eq '*' || $p eq $path);
		my $body = slurp($file);
		return (500, qq({"code":"Test","message":"serve.pl: cannot read $file"}))
			unless defined $body;
		return ($status, $body);
	}
	return (404, qq({"code":"NotFound","message":"serve.pl: no route for $method $path"}));
}

sub handle {
	my ($c) = @_;
	local $/ = "\r\n";
	my $line = <$c>;
	return unless defined $line;
	my ($method, $target) = $line =~ m{^(\S+) (\S+) HTTP/} or return;
	my $length = 0;
	while (defined(my $h = <$c>)) {
		last if $h eq "\r\n";
		$length = $1 if $h =~ /^Content-Length:\s*(\d+)/i;
	}
	my $body = '';
	read($c, $body, $length) if $length;
	my ($path) = $target =~ /^([^?]*)/;
	if (open my $log, '>>', $log_file) {
		print $log "$method $target\n";
		close $log;
	}
	my ($status, $answer) = route($method, $path);
	print $c "HTTP/1.1 $status X\r\nContent-Type: application/json\r\n" .
		"Content-Length: " . length($answer) . "\r\nConnection: close\r\n\r\n" . $answer;
}

while (1) {
	my $c = $server->accept or next;
	binmode $c;
	eval {
		local $SIG{ALRM} = sub { die "timeout\n" };
		alarm 10;
		handle($c);
		alarm 0;
	};
	close $c;
}
