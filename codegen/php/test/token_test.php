<?php
// Mints tokens with the generated runtime's SocketPush\Token; run by PhpTokenIT, which connects with them.
//   php token_test.php OUTDIR SECRET USERID CHANNELID
// Prints "CONNECT <jwt>" (expires in an hour, info claim set) and "SUBSCRIBE <jwt>" (for CHANNELID), then
// checks that a short secret is refused ("SHORT refused").
declare(strict_types=1);

[$self, $outDir, $secret, $user, $channel] = $argv + array_fill(0, 5, null);
if ($channel === null) {
    fwrite(STDERR, "usage: php token_test.php OUTDIR SECRET USERID CHANNELID\n");
    exit(2);
}
require $outDir . '/autoload.php';

use SocketPush\Token;

echo 'CONNECT ', Token::connection($secret, $user, time() + 3600, ['info' => ['name' => 'from php']]), "\n";
echo 'SUBSCRIBE ', Token::subscription($secret, $user, $channel, time() + 300), "\n";
try {
    Token::connection('short', $user, time() + 60);
    echo "FAIL a short secret was accepted\n";
    exit(1);
} catch (InvalidArgumentException $e) {
    echo "SHORT refused\n";
}
