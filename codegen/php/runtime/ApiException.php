<?php
// socket-push PHP client runtime (copied next to the generated classes by generateApi.php).
declare(strict_types=1);

namespace SocketPush;

/**
 * A failed management API call. getErrorCode() is the code of socket-push's failure catalogue, e.g.
 * "BAD_REQUEST", "AUTH_FAILED", "NOT_CONNECTED", "UNAUTHORIZED", "FORBIDDEN", "UNAVAILABLE".
 */
class ApiException extends \RuntimeException
{
    private string $errorCode;
    private int $httpStatus;

    public function __construct(string $errorCode, string $message, int $httpStatus = 0, ?\Throwable $previous = null)
    {
        parent::__construct($message, 0, $previous);
        $this->errorCode = $errorCode;
        $this->httpStatus = $httpStatus;
    }

    /** The failure code, e.g. "BAD_REQUEST". */
    public function getErrorCode(): string
    {
        return $this->errorCode;
    }

    /** The HTTP status of the answer; 0 when the node could not be reached. */
    public function getHttpStatus(): int
    {
        return $this->httpStatus;
    }
}
