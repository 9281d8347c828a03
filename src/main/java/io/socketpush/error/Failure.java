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
          // a service proxy answers an exception that is not a ServiceException with code -1 and its message
          return isGridMessage(re.getMessage()) ? UNAVAILABLE : INTERNAL;
      }
    }
    if (isGridFailure(t)) {
      return UNAVAILABLE;
    }
    // anything that is not a catalogue failure is a bug of ours (an IllegalArgumentException or a helpful
    // NullPointerException message is not the caller's fault): INTERNAL, logged where it is answered, and
    // messageOf never shows its Java message. Bad input is always rejected with an explicit BAD_REQUEST.
    return INTERNAL;
  }

  /**
   * Whether {@code t} (or a cause) is the data grid's or its transport's: Infinispan or JGroups (a timeout waiting for
   * the owners, a partition that denies reads and writes, a topology change). The grid could not serve the call; the
   * call may be retried: {@link #UNAVAILABLE}, never INTERNAL (PartitionIT, split: getSubscribers answered HTTP 500
   * with "ISPN000476: Timed out waiting for responses"). Matched by name, so this package imports no grid class.
   */
  static boolean isGridFailure(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      String n = c.getClass().getName();
      if (n.startsWith("org.infinispan.") || n.startsWith("org.jgroups.") || isGridMessage(c.getMessage())) {
        return true;
      }
    }
    return false;
  }

  /** Infinispan's messages start with their code, {@code ISPN} and six digits. */
  static boolean isGridMessage(String m) {
    return m != null && m.length() > 10 && m.startsWith("ISPN") && Character.isDigit(m.charAt(4)) && Character.isDigit(m.charAt(9));
  }

  /** A message safe to show to a caller: the exception's own for catalogue failures, generic otherwise. */
  public static String messageOf(Throwable t) {
    Failure f = of(t);
    if (f == UNAVAILABLE && (isGridFailure(t) || t instanceof ReplyException re
        && re.failureType() == io.vertx.core.eventbus.ReplyFailure.RECIPIENT_FAILURE && re.failureCode() == -1)) {
      return "the cluster's data grid could not serve the call (a partition or a timeout); try again";
    }
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

  /** JSON error of the management API: {@code {"code":..,"message":..}}, the value of the envelope's "error". */
  public static JsonObject toJson(Throwable t) {
    return of(t).json(messageOf(t));
  }

  /** The HTTP error envelope, the body of every HTTP error answer: {@code {"error":{"code":..,"message":..}}}. */
  public static JsonObject envelope(Throwable t) {
    return new JsonObject().put("error", toJson(t));
  }

  /** The HTTP error envelope of this kind with a message of the caller's (not replaced by a generic one). */
  public JsonObject envelope(String message) {
    return new JsonObject().put("error", json(message));
  }

  private JsonObject json(String message) {
    return new JsonObject().put("code", name()).put("message", message);
  }

  /** The client err frame of this kind: {@link #clientFrame(String, int, String, String)} with its code and body. */
  public JsonObject clientFrame(String address, String description) {
    return clientFrame(address, code, clientError, description);
  }

  /**
   * The client {@code err} frame, the one shape of every error a socket is sent (docs/errors.md):
   * {@code {"type":"err","address":..,"failureCode":n,"failureType":"RECIPIENT_FAILURE","body":reason,
   * "message":reason,"description":text}}. {@code address}: the request's replyAddress or the refused address,
   * left out when null; {@code failureCode}: the catalogue code, or the close code (4001-4007) when the frame
   * announces a close; {@code body} and {@code message}: the reason (the stock bridge client passes
   * failureCode, failureType and message to a reply handler); {@code description}: for people.
   */
  public static JsonObject clientFrame(String address, int failureCode, String reason, String description) {
    JsonObject err = new JsonObject().put("type", "err");
    if (address != null) {
      err.put("address", address);
    }
    return err.put("failureCode", failureCode).put("failureType", "RECIPIENT_FAILURE").put("body", reason)
        .put("message", reason).put("description", description);
  }
}
