<?php
// Exercises the generated PHP client against a live node; run by PhpClientIT.
//   php client_test.php OUTDIR HOST PORT ADMINKEY READONLYKEY USERID SESSIONID CHANNELID
// Prints "OK <service.method> <result>" per call; "WAIT connect" when it needs a connected browser socket for
// USERID (then reads one line from stdin); "DONE" at the end. Exits 1 on the first unexpected result.
declare(strict_types=1);

[$self, $outDir, $host, $port, $adminKey, $readOnlyKey, $user, $session, $channel] = $argv + array_fill(0, 9, null);
if ($channel === null) {
    fwrite(STDERR, "usage: php client_test.php OUTDIR HOST PORT ADMINKEY READONLYKEY USERID SESSIONID CHANNELID\n");
    exit(2);
}
require $outDir . '/autoload.php';

use SocketPush\Api;
use SocketPush\ApiException;
use SocketPush\Auth;
use SocketPush\Client;

function check(bool $ok, string $what): void
{
    if (!$ok) {
        fwrite(STDOUT, "FAIL $what\n");
        exit(1);
    }
}

function ok(string $method, mixed $result): void
{
    fwrite(STDOUT, "OK $method " . json_encode($result, JSON_UNESCAPED_SLASHES) . "\n");
    fflush(STDOUT);
}

/** Runs $call, which must throw ApiException with $code; returns the exception. */
/** Every item of a paged list: $fetch(cursor) returns one page {items, nextCursor}. */
function allPages(callable $fetch): array
{
    $items = [];
    $cursor = null;
    for ($i = 0; $i < 1000; $i++) {
        $page = $fetch($cursor);
        $items = array_merge($items, $page['items']);
        $cursor = $page['nextCursor'];
        if ($cursor === null) {
            return $items;
        }
    }
    check(false, 'paging ends');
    return $items;
}

function expectError(string $code, string $what, callable $call): ApiException
{
    try {
        $r = $call();
    } catch (ApiException $e) {
        check($e->getErrorCode() === $code, "$what: expected $code, got " . $e->getErrorCode() . ': ' . $e->getMessage());
        fwrite(STDOUT, "ERR $what $code " . $e->getHttpStatus() . "\n");
        return $e;
    }
    check(false, "$what: expected $code, got result " . json_encode($r));
    throw new LogicException('unreachable');
}

$api = new Api(Client::create($host, (int) $port, $adminKey));

// auth
$r = $api->auth->set($user, $session);
ok('auth.set', $r);
$r = $api->auth->check($user, $session);
check($r === $user, 'auth.check returns the user');
ok('auth.check', $r);
expectError('AUTH_FAILED', 'auth.check wrong session', fn() => $api->auth->check($user, 'wrong'));
$bad = expectError('BAD_REQUEST', 'auth.set empty userId', fn() => $api->auth->set('', $session));
check($bad instanceof RuntimeException && $bad->getHttpStatus() === 400 && str_contains($bad->getMessage(), 'userId'),
    'typed error carries status and message');

// channel subscription before the socket connects: takes effect when it does
$api->channel->subscribe($user, $channel);
ok('channel.subscribe', null);
check($api->channel->getSubscriptions($user) === ['items' => [$channel], 'nextCursor' => null], 'channel.getSubscriptions');
ok('channel.getSubscriptions', [$channel]);
check($api->channel->getSubscribers($channel) === ['items' => [$user], 'nextCursor' => null], 'channel.getSubscribers');
ok('channel.getSubscribers', [$user]);
check(in_array($channel, allPages(fn($cursor) => $api->channel->listAll(1, $cursor)), true), 'channel.listAll');
ok('channel.listAll', 'contains ' . $channel);
// paging: limit and cursor, every subscriber exactly once
foreach (['p1', 'p2', 'p3'] as $other) {
    $api->channel->subscribe($user . '-' . $other, $channel);
}
$pages = 0;
$seen = allPages(function ($cursor) use ($api, $channel, &$pages) {
    $pages++;
    $page = $api->channel->getSubscribers($channel, 1, $cursor);
    check(count($page['items']) <= 1, 'a page respects the limit');
    return $page;
});
$expected = [$user, $user . '-p1', $user . '-p2', $user . '-p3'];
check(count($seen) === 4 && count(array_unique($seen)) === 4 && array_diff($expected, $seen) === [] && $pages >= 4,
    'channel.getSubscribers pages with limit and cursor');
ok('channel.getSubscribers paged', $seen);
foreach (['p1', 'p2', 'p3'] as $other) {
    $api->channel->unsubscribe($user . '-' . $other, $channel);
}

// user, offline
expectError('NOT_CONNECTED', 'user.publish offline', fn() => $api->user->publish($user, ['text' => 'nobody']));

// a browser socket connects for $user (the Java test does it)
fwrite(STDOUT, "WAIT connect\n");
fflush(STDOUT);
$line = fgets(STDIN);
check($line !== false && trim($line) === 'GO', 'the test connected a client');

$servers = $api->user->getFrontendServer($user);
check(count($servers) === 1 && str_starts_with($servers[0], 'http://'), 'user.getFrontendServer');
ok('user.getFrontendServer', $servers);
check(in_array($user, allPages(fn($cursor) => $api->user->listAll(null, $cursor)), true), 'user.listAll');
ok('user.listAll', 'contains ' . $user);
// presence: the connected socket's user is present in the channel it is subscribed to (session auth: no info)
$p = $api->channel->presence($channel);
check(count($p['items']) === 1 && $p['items'][0]['userId'] === $user && $p['items'][0]['sockets'] === 1
    && $p['items'][0]['info'] === null && $p['nextCursor'] === null, 'channel.presence');
ok('channel.presence', $p);
$ps = $api->channel->presenceStats($channel);
check($ps === ['users' => 1, 'sockets' => 1], 'channel.presenceStats');
ok('channel.presenceStats', $ps);
check($api->channel->presence($channel, $user, 10)['items'] === [], 'channel.presence after the last user: empty page');
$r = $api->user->publish($user, ['text' => 'hello from php', 'n' => 1]);
check($r['sockets'] === 1 && is_string($r['epoch']) && $r['epoch'] !== '' && ctype_digit($r['offset']),
    'user.publish reaches one socket, with its position in the user\'s stream');
ok('user.publish', $r);
$r2 = $api->user->publish($user, ['text' => 'again from php', 'n' => 2]);
check($r2['offset'] === (string) ((int) $r['offset'] + 1) && $r2['epoch'] === $r['epoch'],
    'user.publish: the next offset in the same epoch');
$ru = $r;
$r = $api->channel->publish($channel, 'breaking from php');
check($r['sockets'] === 1 && is_string($r['epoch']) && $r['offset'] === '1', 'channel.publish reaches one socket at offset 1');
ok('channel.publish', $r);

// history of both streams
$h = $api->user->history($user, $ru['offset']);
check($h['epoch'] === $r2['epoch'] && $h['top'] === $r2['offset'] && count($h['messages']) === 1
    && $h['messages'][0]['offset'] === $r2['offset'] && $h['messages'][0]['message'] === ['text' => 'again from php', 'n' => 2],
    'user.history after offset 1');
ok('user.history', $h);
$h = $api->channel->history($channel, null, 10);
check($h['top'] === '1' && $h['messages'] === [['offset' => '1', 'message' => 'breaking from php']], 'channel.history');
ok('channel.history', $h);
expectError('BAD_REQUEST', 'channel.history bad since', fn() => $api->channel->history($channel, 'x'));

// an idempotent retry: the first attempt's position, nothing delivered again
$k1 = $api->channel->publish($channel, 'once from php', 'php-key-1');
$k2 = $api->channel->publish($channel, 'once from php', 'php-key-1');
check($k1['offset'] === '2' && $k2['offset'] === '2' && $k2['epoch'] === $k1['epoch'] && $k2['sockets'] === 0,
    'channel.publish with an idempotency key');
ok('channel.publish idempotent', $k2);

// keys: none, wrong, read-only
expectError('UNAUTHORIZED', 'no key', fn() => (new Auth(Client::create($host, (int) $port)))->set($user, $session));
expectError('FORBIDDEN', 'wrong key', fn() => (new Auth(Client::create($host, (int) $port, 'wrong-key')))->set($user, $session));
$ro = new Api(Client::create($host, (int) $port, $readOnlyKey));
check(in_array($user, $ro->user->listAll()['items'], true), 'read-only key may list');
expectError('FORBIDDEN', 'read-only key may not publish', fn() => $ro->user->publish($user, 'x'));
check($ro->channel->history($channel, null, 0)['top'] === '2', 'read-only key may read a stream\'s history (limit 0: all)');

// unsubscribing
$api->channel->unsubscribe($user, $channel);
check($api->channel->getSubscribers($channel)['items'] === [], 'channel.unsubscribe');
ok('channel.unsubscribe', null);
$api->channel->subscribe($user, $channel . '-a');
$api->channel->subscribe($user, $channel . '-b');
$api->channel->unsubscribeAll($user);
check($api->channel->getSubscriptions($user)['items'] === [], 'channel.unsubscribeAll');
ok('channel.unsubscribeAll', null);

// user.remove closes the socket
$n = $api->user->remove($user);
check($n === 1, 'user.remove closes one socket');
ok('user.remove', $n);

// auth.remove
$api->auth->remove($user);
expectError('AUTH_FAILED', 'auth.check after auth.remove', fn() => $api->auth->check($user, $session));
ok('auth.remove', null);

// cluster
$status = $api->cluster->status();
check(is_array($status['nodes'] ?? null) && count($status['nodes']) === 1, 'cluster.status lists the node');
ok('cluster.status', $status['nodeId']);
$config = $api->cluster->getConfig();
check(($config['nodeId'] ?? null) === $status['nodeId'], 'cluster.getConfig of the node answering');
check(($config['management']['apiKeys'] ?? null) === ['***'], 'API keys are redacted');
ok('cluster.getConfig', $config['nodeId']);
expectError('NOT_FOUND', 'cluster.getConfig unknown node', fn() => $api->cluster->getConfig('no-such-node'));
$stored = $api->cluster->setConfig(['edge' => ['authTimeout' => 6000]]);
check($stored === ['edge' => ['authTimeout' => 6000]], 'cluster.setConfig returns the stored options');
ok('cluster.setConfig', $stored);
expectError('BAD_REQUEST', 'cluster.setConfig bad option', fn() => $api->cluster->setConfig(['edge' => ['port' => 1]]));
$d = $api->cluster->distributeConfig();
check(($d['nodes'] ?? null) === [$status['nodeId']], 'cluster.distributeConfig tells the node');
ok('cluster.distributeConfig', $d['nodes']);
$api->cluster->setConfig(['edge' => null]); // null removes the runtime options again

// an unreachable node is a typed error too (port 1: nothing listens there)
expectError('UNAVAILABLE', 'unreachable node', fn() => (new Auth(new Client('http://127.0.0.1:1')))->check($user, $session));

fwrite(STDOUT, "DONE\n");
