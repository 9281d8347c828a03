package io.socketpush.error;

import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;

/**
 * The one failure catalogue of socket-push. Every error a caller can see, over the event bus, over HTTP or
 * as a client {@code err} frame, is one of these codes; each maps to an HTTP status and a client frame body
 * here and nowhere else.
 */
public enum Failure {
  BAD_REQUEST(400, 400, "bad_request"),
  AUTH_FAILED(401, 401, "auth_failed"),
  UNAUTHORIZED(402, 401, "unauthorized"),
  FORBIDDEN(403, 403, "forbidden"),
  ACCESS_DENIED(404, 403, "access_denied"),
  NOT_FOUND(405, 404, "not_found"),
  NOT_CONNECTED(406, 404, "not_connected"),
  LIMIT_EXCEEDED(429, 429, "limit_exceeded"),
  /** Too many failed attempts from this IP or for this user: wait (backoff) before trying again. */
  RATE_LIMITED(430, 429, "rate_limited"),
  WRONG_SHARD(421, 503, "wrong_shard"),
  UNAVAILABLE(503, 503, "unavailable"),
  TIMEOUT(504, 504, "timeout"),
  INTERNAL(500, 500, "internal_error");

  /** Failure code carried by {@link ServiceException} over the event bus. */
  public final int code;
  /** HTTP status for the management API. */
  public final int httpStatus;
  /** Body of the client {@code err} frame. */
  public final String clientError;

  Failure(int code, int httpStatus, String clientError) {
    this.code = code;
    this.httpStatus = httpStatus;
    this.clientError = clientError;
  }

  /** A service exception of this kind, ready to travel over the event bus. */
  public ServiceException exception(String message) {
    return new ServiceException(code, message, new JsonObject().put("code", name()));
  }

  /** A failed future of this kind. */
  public <T> Future<T> fail(String message) {
    return Future.failedFuture(exception(message));
  }

  /** Whether {@code t} is a failure of this kind. */
  public boolean is(Throwable t) {
    return of(t) == this;
  }

  /** Maps any throwable to the catalogue: codes travel as ServiceException failure codes. */
  public static Failure of(Throwable t) {
    if (t instanceof ReplyException re) {
      switch (re.failureType()) {
        case TIMEOUT:
          return TIMEOUT;
        case NO_HANDLERS:
          return UNAVAILABLE;
        default:
          for (Failure f : values()) {
            if (f.code == re.failureCode()) {
              return f;
            }
          }
          return INTERNAL;
      }
    }
    // anything that is not a catalogue failure is a bug of ours (an IllegalArgumentException or a helpful
    // NullPointerException message is not the caller's fault): INTERNAL, logged where it is answered, and
    // messageOf never shows its Java message. Bad input is always rejected with an explicit BAD_REQUEST.
    return INTERNAL;
  }

  /** A message safe to show to a caller: the exception's own for catalogue failures, generic otherwise. */
  public static String messageOf(Throwable t) {
    Failure f = of(t);
    if (f == INTERNAL && !(t instanceof ServiceException)) {
      return "internal error";
    }
    if (f == TIMEOUT) {
      return "the service did not answer in time";
    }
    if (f == UNAVAILABLE && t instanceof ReplyException re && re.failureType() != null
        && re.failureType() != io.vertx.core.eventbus.ReplyFailure.RECIPIENT_FAILURE) {
      return "no instance of the service is reachable";
    }
    return t.getMessage() == null ? f.name().toLowerCase() : t.getMessage();
  }

  /** JSON error body used by the management API: {@code {"code":..,"message":..}}. */
  public static JsonObject toJson(Throwable t) {
    return new JsonObject().put("code", of(t).name()).put("message", messageOf(t));
  }
}
