package io.socketpush.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.error.Failure;
import io.socketpush.ops.NodeMetrics;
import org.junit.jupiter.api.Test;

/** The edge's counters, and a client error logged once per kind per interval however many clients make it. */
class EdgeStatsTest {
  @Test
  void clientErrorsAreAllCountedAndLoggedOncePerKindPerInterval() {
    EdgeStats stats = new EdgeStats("t", NodeMetrics.detached("t"));
    ClientSession s = FakeIo.session();
    long t = 1_000_000;
    assertTrue(stats.clientError(s, Failure.BAD_REQUEST, "a", t));
    assertFalse(stats.clientError(s, Failure.BAD_REQUEST, "b", t + EdgeStats.ERROR_LOG_INTERVAL_MS));
    assertTrue(stats.clientError(s, Failure.ACCESS_DENIED, "c", t + 1));
    assertTrue(stats.clientError(s, Failure.BAD_REQUEST, "d", t + EdgeStats.ERROR_LOG_INTERVAL_MS + 1));
    assertEquals(4L, stats.toJson().getLong("clientErrors"));
  }

  @Test
  void deliveriesAndSlowConsumersAreCounted() {
    EdgeStats stats = new EdgeStats("t", NodeMetrics.detached("t"));
    assertEquals(3, stats.delivered(3));
    assertEquals(0, stats.delivered(0));
    stats.slowConsumer(FakeIo.session());
    assertEquals(3L, stats.toJson().getLong("delivered"));
    assertEquals(1L, stats.toJson().getLong("slowConsumerCloses"));
    assertEquals(0L, stats.toJson().getLong("clientErrors"));
  }
}
