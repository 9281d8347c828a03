package io.socketpush.error;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.eventbus.ReplyException;
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
  void catalogueFailuresKeepTheirCodeAndMessage() {
    assertEquals(Failure.BAD_REQUEST, Failure.of(Failure.BAD_REQUEST.exception("missing parameter sessionId")));
    assertEquals("missing parameter sessionId", Failure.messageOf(Failure.BAD_REQUEST.exception("missing parameter sessionId")));
    assertEquals(Failure.TIMEOUT, Failure.of(new ReplyException(ReplyFailure.TIMEOUT, "timed out")));
    assertEquals(Failure.UNAVAILABLE, Failure.of(new ReplyException(ReplyFailure.NO_HANDLERS, "no handlers")));
  }
}
