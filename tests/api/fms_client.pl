#!/usr/bin/perl
# fms_client.pl - bihuan's Open311 endpoint driven the way a FixMyStreet
# installation drives its council's endpoint: form posts through LWP, every
# answer parsed with XML::Simple (ForceArray only for <key> and <name>, as
# FixMyStreet's client does), values read from the places that client
# reads them, and a single <request> read as a hash, a list as an array.
# Written for bihuan's tests from FixMyStreet's documented behaviour.
#
#   perl fms_client.pl report BASE_URL API_KEY JURISDICTION LAT LONG
#       list the services, read a definition, send a report with the extra
#       attributes FixMyStreet adds, post a comment twice, read the updates;
#       prints what it learnt as JSON on one line
#   perl fms_client.pl reopen BASE_URL API_KEY JURISDICTION REQUEST_ID
#       read the updates of a request bihuan has closed (the last must read
#       as fixed) and post the citizen's "not fixed" (status OPEN)
#
# Exits non-zero, saying why, at the first thing that is not as expected.
# With FMS_DUMP set to a directory, every answer's body is written there
# (the test runs xmllint over them).
use strict;
use utf8; # the texts are characters, as in FixMyStreet
use warnings;

use HTTP::Request::Common qw(POST);
use JSON::PP;
use LWP::UserAgent;
use POSIX qw(strftime);
use URI;
use XML::Simple;

my ($mode, $base, $key, $jid, @rest) = @ARGV;
die "usage: fms_client.pl report|reopen BASE_URL API_KEY JURISDICTION ...\n" unless $jid;
my $ua = LWP::UserAgent->new(timeout => 30);

# FixMyStreet's extended statuses: anything else would be shown as unknown.
my %known = map { $_ => 1 } qw(open closed fixed in_progress action_scheduled investigating
    duplicate not_councils_responsibility no_further_action internal_referral);

sub parse {
    my ($xml) = @_;
    my $obj = eval { XML::Simple->new->parse_string($xml, ForceArray => [qr/^key$/, qr/^name$/]) };
    die "not XML that XML::Simple reads: $@\n$xml\n" unless $obj;
    return $obj;
}

# What FixMyStreet logs of a failed call: "code: description" per <error>.
sub error_text {
    my ($res) = @_;
    my $obj = eval { XML::Simple->new->parse_string($res->decoded_content) };
    return 'unknown error' unless ref $obj && exists $obj->{error};
    my $errors = ref $obj->{error} eq 'ARRAY' ? $obj->{error} : [ $obj->{error} ];
    return join '', map { "$_->{code}: $_->{description}\n" } @$errors;
}

my $dumped = 0;
sub dump_body {
    my ($res) = @_;
    return unless $ENV{FMS_DUMP};
    my $file = sprintf '%s/%03d.xml', $ENV{FMS_DUMP}, ++$dumped;
    open my $fh, '>:raw', $file or die "$file: $!\n";
    print $fh $res->content;
    close $fh;
}

sub items {
    my ($x) = @_;
    return () unless defined $x;
    return ref $x eq 'ARRAY' ? @$x : ($x);
}

sub get_xml {
    my ($path, %params) = @_;
    my $uri = URI->new("$base/$path");
    $uri->query_form(%params, jurisdiction_id => $jid);
    my $res = $ua->get($uri);
    dump_body($res);
    die "GET $path: " . $res->status_line . "\n" . error_text($res) unless $res->is_success;
    return parse($res->decoded_content);
}

sub post_xml {
    my ($path, %params) = @_;
    my $res = $ua->request(POST "$base/$path", [ %params, jurisdiction_id => $jid, api_key => $key ]);
    dump_body($res);
    return ($res, $res->is_success ? parse($res->decoded_content) : undef);
}

sub w3c { strftime('%Y-%m-%dT%H:%M:%SZ', gmtime(shift)) }

sub updates_of {
    my ($id) = @_;
    my $obj = get_xml('servicerequestupdates.xml', api_key => $key,
                      start_date => w3c(time - 3600), end_date => w3c(time + 60));
    my @mine = grep { $_->{service_request_id} eq $id } items($obj->{request_update});
    for (@mine) {
        die "update $_->{update_id}: status '$_->{status}' is not one FixMyStreet knows\n"
            unless $known{ $_->{status} };
        die "update $_->{update_id}: no updated_datetime\n" unless $_->{updated_datetime};
    }
    return @mine;
}

sub post_comment {
    my ($id, $comment_id, $status, $text) = @_;
    my ($res, $obj) = post_xml('servicerequestupdates.xml',
        updated_datetime => w3c(time), service_request_id => $id, status => $status,
        email => 'li.ming@example.org', description => $text, last_name => '李',
        first_name => '明', update_id => $comment_id);
    die "posting comment $comment_id failed: " . $res->status_line . "\n" . error_text($res) unless $obj;
    my $uid = $obj->{request_update}->{update_id};
    die "no update_id in the answer: " . $res->decoded_content . "\n" unless defined $uid && !ref $uid;
    return $uid;
}

if ($mode eq 'report') {
    my ($lat, $long) = @rest;
    my %out;

    my @services = items(get_xml('services.xml')->{service});
    die "no services\n" unless @services;
    my ($svc) = grep { $_->{metadata} eq 'true' } @services;
    die "no service with attributes\n" unless $svc;
    $out{service_code} = $svc->{service_code};
    my $def = get_xml("services/$svc->{service_code}.xml");
    my @attrs = items($def->{attributes}{attribute});
    my %send;
    for my $a (@attrs) {
        next unless $a->{required} eq 'true';
        my @values = items($a->{values}{value});
        die "required attribute $a->{code} has no values\n"
            unless @values || $a->{datatype} !~ /valuelist/;
        # <key> is forced to an array, as FixMyStreet parses it
        $send{"attribute[$a->{code}]"} = @values ? $values[0]{key}[0] : 'x';
    }
    $out{required} = [ sort keys %send ];

    # a report with the attributes FixMyStreet adds to every one it sends
    my ($res, $obj) = post_xml('requests.xml', email => 'li.ming@example.org',
        description => "井盖破损\n\n(FixMyStreet)", service_code => $svc->{service_code},
        lat => $lat, long => $long, first_name => '明', last_name => '李', %send,
        'attribute[title]' => '井盖破损', 'attribute[description]' => '人行道井盖破损',
        'attribute[external_id]' => 9001, 'attribute[fixmystreet_id]' => 9001,
        'attribute[report_url]' => 'https://fms.example.org/report/9001',
        'attribute[closest_address]' => '深南大道 1 号');
    die "report failed: " . $res->status_line . "\n" . error_text($res) unless $obj;
    my $id = $obj->{request}->{service_request_id};
    die "no service_request_id: " . $res->decoded_content . "\n" unless defined $id && !ref $id;
    $out{service_request_id} = $id;

    my $one = get_xml('requests.xml', service_request_id => $id)->{request};
    die "requests.xml?service_request_id=$id: not one request\n" unless ref $one eq 'HASH';
    die "a new request reads as $one->{status}\n" unless $one->{status} eq 'open';

    # a comment, and FixMyStreet's retry of it after a timeout
    my $uid = post_comment($id, 7001, 'OPEN', '井盖还是没有盖上');
    my $again = post_comment($id, 7001, 'OPEN', '井盖还是没有盖上');
    die "the retry got update_id $again, the first $uid\n" unless $again eq $uid;
    $out{update_id} = $uid;
    my @mine = grep { $_->{update_id} eq $uid } updates_of($id);
    die "comment $uid read back " . scalar(@mine) . " times\n" unless @mine == 1;

    # a refusal FixMyStreet can log: never "unknown error"
    ($res) = post_xml('servicerequestupdates.xml', service_request_id => 999999999,
        update_id => 7002, status => 'OPEN', description => 'x');
    die "a comment on no request was accepted\n" if $res->is_success;
    $out{refused} = error_text($res);
    die "the refusal did not parse: $out{refused}\n" if $out{refused} eq 'unknown error';
    print JSON::PP->new->utf8->canonical->encode(\%out), "\n";
} elsif ($mode eq 'reopen') {
    my ($id) = @rest;
    my @mine = updates_of($id);
    die "no updates for $id\n" unless @mine;
    die "the last update of a closed request reads as $mine[-1]{status}\n"
        unless $mine[-1]{status} eq 'fixed';
    my $uid = post_comment($id, 7003, 'OPEN', '又坏了');
    print JSON::PP->new->utf8->canonical->encode({ update_id => $uid }), "\n";
} else {
    die "unknown mode $mode\n";
}
