<?php
// socket-push PHP client runtime (copied next to the generated classes by generateApi.php).
// Uses only what php-cli has by default: the http stream wrapper and json.
declare(strict_types=1);

namespace SocketPush;

/**
 * Calls POST /api/<service>/<method> of a socket-push node with named JSON parameters. Answers
 * {"result": ...} are returned decoded (JSON objects as associative arrays); {"error": {"code", "message"}}
 * answers and transport failures throw ApiException.
 */
final class Client
{
    private string $baseUrl;
    private ?string $apiKey;
    private float $timeout;

    /**
     * @param string      $baseUrl admin URL of a node, e.g. "http://127.0.0.1:8181"
     * @param string|null $apiKey  sent as "Authorization: Bearer <key>" when the node has management.apiKeys
     * @param float       $timeout seconds
     */
    public function __construct(string $baseUrl, ?string $apiKey = null, float $timeout = 10.0)
    {
        $this->baseUrl = rtrim($baseUrl, '/');
        $this->apiKey = ($apiKey === null || $apiKey === '') ? null : $apiKey;
        $this->timeout = $timeout;
    }

    /** A client for http://$host:$port. */
    public static function create(string $host = '127.0.0.1', int $port = 8181, ?string $apiKey = null): self
    {
        return new self('http://' . $host . ':' . $port, $apiKey);
    }

    /**
     * Calls one method.
     *
     * @param array<string, mixed> $params named parameters
     * @return mixed the result
     * @throws ApiException
     */
    public function call(string $service, string $method, array $params)
    {
        try {
            $body = json_encode((object) $params,
                JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION | JSON_THROW_ON_ERROR);
        } catch (\JsonException $e) {
            throw new ApiException('BAD_REQUEST', "$service.$method: parameters are not JSON-encodable: " . $e->getMessage(), 0, $e);
        }
        $headers = ['Content-Type: application/json', 'Accept: application/json', 'Content-Length: ' . strlen($body)];
        if ($this->apiKey !== null) {
            $headers[] = 'Authorization: Bearer ' . $this->apiKey;
        }
        $context = stream_context_create(['http' => [
            'method' => 'POST',
            'header' => implode("\r\n", $headers),
            'content' => $body,
            'timeout' => $this->timeout,
            'ignore_errors' => true, // read error bodies too: they carry the failure code
        ]]);
        $url = $this->baseUrl . '/api/' . rawurlencode($service) . '/' . rawurlencode($method);
        $raw = @file_get_contents($url, false, $context);
        if ($raw === false) {
            $err = error_get_last();
            throw new ApiException('UNAVAILABLE', "$service.$method: cannot reach {$this->baseUrl}: "
                . ($err['message'] ?? 'unknown error'));
        }
        $status = 0;
        foreach ($http_response_header ?? [] as $line) {
            if (preg_match('#^HTTP/\S+\s+(\d{3})#', $line, $m)) {
                $status = (int) $m[1]; // the last status line wins (after redirects)
            }
        }
        $answer = json_decode($raw, true, 512, JSON_BIGINT_AS_STRING);
        if (!is_array($answer)) {
            throw new ApiException('INTERNAL', "$service.$method: unexpected answer (HTTP $status, not JSON)", $status);
        }
        if (isset($answer['error']) && is_array($answer['error'])) {
            $code = is_string($answer['error']['code'] ?? null) ? $answer['error']['code'] : 'INTERNAL';
            $message = is_string($answer['error']['message'] ?? null) ? $answer['error']['message'] : strtolower($code);
            throw new ApiException($code, $message, $status);
        }
        if ($status !== 200 || !array_key_exists('result', $answer)) {
            throw new ApiException('INTERNAL', "$service.$method: unexpected answer (HTTP $status)", $status);
        }
        return $answer['result'];
    }
}
