<?php
// socket-push PHP client runtime (copied next to the generated classes by generateApi.php).
declare(strict_types=1);

namespace SocketPush;

/**
 * Verifies socket-push webhooks. A POST carries X-SocketPush-Timestamp (unix seconds) and X-SocketPush-Signature:
 * "sha256=" . hex(HMAC-SHA256(secret, timestamp . "." . raw body)). Verify the raw body as received
 * (file_get_contents('php://input')) before decoding it; a timestamp outside the tolerance fails (replays).
 * Events carry an "id": de-duplicate by it (delivery is at least once).
 */
final class Webhook
{
    public const TIMESTAMP_HEADER = 'X-SocketPush-Timestamp';
    public const SIGNATURE_HEADER = 'X-SocketPush-Signature';
    public const DEFAULT_TOLERANCE_SECONDS = 300;

    /** The signature header value of $body sent at $timestamp (unix seconds). */
    public static function sign(string $secret, int $timestamp, string $body): string
    {
        return 'sha256=' . hash_hmac('sha256', $timestamp . '.' . $body, $secret);
    }

    /**
     * Whether the headers sign exactly $body with $secret and the timestamp is within $toleranceSeconds of $now
     * (default: time()). Missing or malformed headers fail.
     */
    public static function verify(string $secret, string $body, ?string $timestampHeader, ?string $signatureHeader,
        ?int $now = null, int $toleranceSeconds = self::DEFAULT_TOLERANCE_SECONDS): bool
    {
        if ($timestampHeader === null || $signatureHeader === null || !preg_match('/^\d{1,19}$/', trim($timestampHeader))) {
            return false;
        }
        $ts = (int) trim($timestampHeader);
        if (abs(($now ?? time()) - $ts) > $toleranceSeconds) {
            return false;
        }
        return hash_equals(self::sign($secret, $ts, $body), trim($signatureHeader));
    }

    /**
     * The events of a verified request: ['events' => [['id', 'type', 'key', 'at', 'data'], ...]]. Throws
     * \UnexpectedValueException when the signature or timestamp does not verify.
     */
    public static function events(string $secret, string $body, ?string $timestampHeader, ?string $signatureHeader,
        ?int $now = null, int $toleranceSeconds = self::DEFAULT_TOLERANCE_SECONDS): array
    {
        if (!self::verify($secret, $body, $timestampHeader, $signatureHeader, $now, $toleranceSeconds)) {
            throw new \UnexpectedValueException('webhook signature or timestamp does not verify');
        }
        return json_decode($body, true, 512, JSON_THROW_ON_ERROR)['events'];
    }
}
