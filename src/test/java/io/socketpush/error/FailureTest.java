package io.socketpush.error;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.eventbus.ReplyFailure;
import org.junit.jupiter.api.Test;

/** A bug of ours is INTERNAL (HTTP 500, "internal error"), never a BAD_REQUEST carrying a Java message. */
class FailureTest {

  @Test
  void javaExceptionsAreInternalAndTheirMessagesStayInside() {
    NullPointerException npe = new NullPointerException("Cannot invoke \"String.length()\" because \"id\" is null");
    assertEquals(Failure.INTERNAL, Failure.of(npe));
    assertEquals("internal error", Failure.messageOf(npe));
    assertEquals(500, Failure.of(npe).httpStatus);
    IllegalArgumentException iae = new IllegalArgumentException("Illegal character in path at index 3");
    assertEquals(Failure.INTERNAL, Failure.of(iae));
    assertEquals("internal error", Failure.messageOf(iae));
    assertEquals(Failure.INTERNAL, Failure.of(new io.vertx.core.json.DecodeException("Failed to decode: Unexpected character")));
    // a service that threw (not a catalogue failure) answers the proxy's generic -1 code
    assertEquals(Failure.INTERNAL, Failure.of(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, -1, "java.lang.IllegalStateException")));
  }

  @Test
  void theDataGridNotServingIsUnavailableNotInternal() {
    // PartitionIT, split: Infinispan's timeout on a local call answered HTTP 500
    Exception timeout = new org.infinispan.util.concurrent.TimeoutException("ISPN000476: Timed out waiting for responses for request 1234 from node3");
    assertEquals(Failure.UNAVAILABLE, Failure.of(timeout));
    assertEquals(503, Failure.of(timeout).httpStatus);
    assertEquals(Failure.UNAVAILABLE, Failure.of(new java.util.concurrent.CompletionException(
        new org.infinispan.partitionhandling.AvailabilityException())), "a cause counts");
    // the same thrown in an owner behind the event bus: the proxy's code -1 with the message
    ReplyException remote = new ReplyException(ReplyFailure.RECIPIENT_FAILURE, -1,
        "ISPN000306: Key 'hc:p1' is not available. Not all owners are in this partition");
    assertEquals(Failure.UNAVAILABLE, Failure.of(remote));
    assertEquals(false, Failure.messageOf(remote).contains("ISPN"), "the grid's internals stay inside");
    assertEquals(Failure.INTERNAL, Failure.of(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, -1, "ISPN is great")));
    // no handler (code -1 too) keeps its own message: it is no grid failure
    assertEquals("no instance of the service is reachable", Failure.messageOf(new ReplyException(ReplyFailure.NO_HANDLERS, "no handlers")));
  }

  @Test
  void catalogueFailuresKeepTheirCodeAndMessage() {
    assertEquals(Failure.BAD_REQUEST, Failure.of(Failure.BAD_REQUEST.exception("missing parameter sessionId")));
    assertEquals("missing parameter sessionId", Failure.messageOf(Failure.BAD_REQUEST.exception("missing parameter sessionId")));
    assertEquals(Failure.TIMEOUT, Failure.of(new ReplyException(ReplyFailure.TIMEOUT, "timed out")));
    assertEquals(Failure.UNAVAILABLE, Failure.of(new ReplyException(ReplyFailure.NO_HANDLERS, "no handlers")));
  }

  @Test
  void everyHttpErrorBodyIsTheOneEnvelope() {
    assertEquals(new JsonObject("{\"error\":{\"code\":\"FORBIDDEN\",\"message\":\"origin not allowed\"}}"),
        Failure.FORBIDDEN.envelope("origin not allowed"));
    assertEquals(new JsonObject("{\"error\":{\"code\":\"NOT_FOUND\",\"message\":\"unknown method a.b\"}}"),
        Failure.envelope(Failure.NOT_FOUND.exception("unknown method a.b")));
    // a bug of ours: the same envelope, the generic message
    assertEquals(new JsonObject("{\"error\":{\"code\":\"INTERNAL\",\"message\":\"internal error\"}}"),
        Failure.envelope(new IllegalStateException("java detail")));
  }

  @Test
  void everyClientErrFrameHasTheOneShape() {
    // a refused request (its replyAddress) and a refused address: the same fields
    assertEquals(new JsonObject("{\"type\":\"err\",\"address\":\"r1\",\"failureCode\":401,\"failureType\":\"RECIPIENT_FAILURE\","
        + "\"body\":\"auth_failed\",\"message\":\"auth_failed\",\"description\":\"unknown session\"}"),
        Failure.AUTH_FAILED.clientFrame("r1", "unknown session"));
    assertEquals(new JsonObject("{\"type\":\"err\",\"address\":\"user.3\",\"failureCode\":404,\"failureType\":\"RECIPIENT_FAILURE\","
        + "\"body\":\"access_denied\",\"message\":\"access_denied\",\"description\":\"not your address\"}"),
        Failure.ACCESS_DENIED.clientFrame("user.3", "not your address"));
    // a close announced before it happens: no address, the close code, the reason
    assertEquals(new JsonObject("{\"type\":\"err\",\"failureCode\":4003,\"failureType\":\"RECIPIENT_FAILURE\","
        + "\"body\":\"removed\",\"message\":\"removed\",\"description\":\"connection closed by server: removed\"}"),
        Failure.clientFrame(null, 4003, "removed", "connection closed by server: removed"));
  }
}
