package io.socketpush.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.error.Failure;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A resume's history read is read again after a grid failure, bounded; other failures are final at once. */
class RereadTest {
  final List<Long> delays = new ArrayList<>();
  final StreamGaps.Scheduler now = (delayMs, task) -> {
    delays.add(delayMs);
    task.run();
  };

  @Test
  void aGridTimeoutIsReadAgainUntilItSucceeds() {
    int[] calls = {0};
    Future<String> f = Reread.withRetries(() -> ++calls[0] < 3
        ? Future.failedFuture(new org.infinispan.util.concurrent.TimeoutException("ISPN000476: Timed out waiting for responses"))
        : Future.succeededFuture("history"), 3, 1_000, now, () -> false);
    assertEquals("history", f.result());
    assertEquals(3, calls[0]);
    assertEquals(List.of(1_000L, 2_000L), delays, "backing off: the new topology needs a moment");
  }

  @Test
  void boundedInReads() {
    int[] calls = {0};
    Future<String> f = Reread.withRetries(() -> {
      calls[0]++;
      return Failure.UNAVAILABLE.fail("partition");
    }, 3, 10, now, () -> false);
    assertTrue(f.failed());
    assertEquals(3, calls[0]);
  }

  @Test
  void notAGridFailureOrTheSocketGoneIsFinalAtOnce() {
    int[] calls = {0};
    assertTrue(Reread.withRetries(() -> {
      calls[0]++;
      return Failure.BAD_REQUEST.<String>fail("bad position");
    }, 3, 10, now, () -> false).failed());
    assertEquals(1, calls[0]);
    assertTrue(Reread.withRetries(() -> {
      calls[0]++;
      return Failure.UNAVAILABLE.<String>fail("partition");
    }, 3, 10, now, () -> true).failed());
    assertEquals(2, calls[0]);
  }
}
