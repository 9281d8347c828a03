<?php
// Checks SocketPush\Webhook against a signature made by the Java side; run by WebhookSignatureTest.
//   php webhook_test.php SECRET TIMESTAMP SIGNATURE BODYFILE NOW
// Prints "OK <check>" per check and "DONE"; exits 1 on the first failed check.
declare(strict_types=1);

require __DIR__ . '/../runtime/Webhook.php';

use SocketPush\Webhook;

[$self, $secret, $ts, $sig, $bodyFile, $now] = $argv + array_fill(0, 6, null);
if ($now === null) {
    fwrite(STDERR, "usage: php webhook_test.php SECRET TIMESTAMP SIGNATURE BODYFILE NOW\n");
    exit(2);
}
$body = file_get_contents($bodyFile);
$now = (int) $now;

function check(bool $ok, string $what): void
{
    if (!$ok) {
        fwrite(STDOUT, "FAIL $what\n");
        exit(1);
    }
    fwrite(STDOUT, "OK $what\n");
}

check(Webhook::sign($secret, (int) $ts, $body) === $sig, 'same signature as Java');
check(Webhook::verify($secret, $body, $ts, $sig, $now), 'Java signature verifies');
check(!Webhook::verify($secret, $body . ' ', $ts, $sig, $now), 'tampered body fails');
check(!Webhook::verify($secret, str_replace('user.online', 'user.offline', $body), $ts, $sig, $now), 'changed event fails');
check(!Webhook::verify($secret, $body, $ts, $sig, $now + 301), 'stale timestamp fails');
check(!Webhook::verify($secret, $body, (string) ((int) $ts + 1), $sig, $now), 'other timestamp fails');
check(!Webhook::verify($secret . 'x', $body, $ts, $sig, $now), 'other secret fails');
check(!Webhook::verify($secret, $body, null, $sig, $now) && !Webhook::verify($secret, $body, 'abc', $sig, $now), 'bad timestamp header fails');
check(Webhook::events($secret, $body, $ts, $sig, $now)[0]['type'] === 'user.online', 'events() decodes a verified body');
try {
    Webhook::events($secret, $body . 'x', $ts, $sig, $now);
    check(false, 'events() throws on a tampered body');
} catch (\UnexpectedValueException $e) {
    check(true, 'events() throws on a tampered body');
}
fwrite(STDOUT, "DONE\n");
