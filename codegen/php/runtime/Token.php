<?php
// socket-push PHP client runtime (copied next to the generated classes by generateApi.php).
// Uses only what php-cli has by default: hash_hmac and json.
declare(strict_types=1);

namespace SocketPush;

/**
 * Mints the HS256 JWTs a socket-push edge accepts when its config has tokens.secret (or tokens.secretEnv):
 *
 *   $jwt = Token::connection($secret, $userId, time() + 3600);                    // browser: auth {"token": $jwt}
 *   $jwt = Token::connection($secret, '1', time() + 3600, ['channels' => ['news'], 'info' => ['name' => 'Ann']]);
 *   $jwt = Token::subscription($secret, '1', 'room-7', time() + 300);            // send to socketpush.subscribe
 *
 * $exp is an absolute Unix time in seconds (the JWT exp claim). Keep the secret on the server: the browser gets
 * the token only. With tokens.audience / tokens.issuer set, pass them as claims ('aud', 'iss').
 */
final class Token
{
    /**
     * A connection token: sub = $userId, exp = $exp, plus optional claims such as 'channels' (subscribed at
     * connect), 'info' (presence info), 'aud', 'iss', 'nbf'.
     *
     * @param array<string, mixed> $claims
     */
    public static function connection(string $secret, string|int $userId, int $exp, array $claims = []): string
    {
        return self::sign($secret, ['sub' => (string) $userId, 'exp' => $exp, 'iat' => time()] + $claims);
    }

    /**
     * A subscription token: lets $userId join $channelId (as channel.subscribe would) by sending it to
     * socketpush.subscribe; $exp null: it does not expire.
     *
     * @param array<string, mixed> $claims
     */
    public static function subscription(string $secret, string|int $userId, string|int $channelId, ?int $exp = null,
        array $claims = []): string
    {
        $payload = ['sub' => (string) $userId, 'channel' => (string) $channelId, 'iat' => time()];
        if ($exp !== null) {
            $payload['exp'] = $exp;
        }
        return self::sign($secret, $payload + $claims);
    }

    /** Signs a claims set with HS256. */
    public static function sign(string $secret, array $claims): string
    {
        if (strlen($secret) < 32) {
            throw new \InvalidArgumentException('the HS256 secret must be at least 32 characters (as tokens.secret)');
        }
        $input = self::b64(json_encode(['alg' => 'HS256', 'typ' => 'JWT'], JSON_THROW_ON_ERROR)) . '.'
            . self::b64(json_encode($claims, JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE));
        return $input . '.' . self::b64(hash_hmac('sha256', $input, $secret, true));
    }

    private static function b64(string $bytes): string
    {
        return rtrim(strtr(base64_encode($bytes), '+/', '-_'), '=');
    }
}
