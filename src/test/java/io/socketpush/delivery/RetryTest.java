package io.socketpush.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The one retry loop of calls that were not applied (Shard's and EdgeOps' "no handler" retries). */
class RetryTest {
  final Vertx vertx = Vertx.vertx();
  final AtomicInteger attempts = new AtomicInteger();

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  static ReplyException noHandler() {
    return new ReplyException(ReplyFailure.NO_HANDLERS, "no handler");
  }

  /** Fails with {@code err} the first {@code failures} times, then answers the attempt's number. */
  Future<Integer> flaky(int failures, Throwable err) {
    int n = attempts.incrementAndGet();
    return n <= failures ? Future.failedFuture(err) : Future.succeededFuture(n);
  }

  @Test
  void aRetryableFailureIsTriedAgainUntilItSucceeds() {
    assertEquals(3, Await.result(Retry.retry(vertx, () -> flaky(2, noHandler()), Retry::noHandler, 3, 1)));
    assertEquals(3, attempts.get());
  }

  @Test
  void afterMaxRetriesTheLastErrorIsTheAnswer() {
    ReplyException err = noHandler();
    assertSame(err, Await.failure(Retry.retry(vertx, () -> flaky(10, err), Retry::noHandler, 3, 1)));
    assertEquals(4, attempts.get(), "one attempt and three retries");
  }

  @Test
  void aFailureThatIsNotRetryableIsTheAnswerAtOnce() {
    ReplyException timeout = new ReplyException(ReplyFailure.TIMEOUT, "timed out");
    assertSame(timeout, Await.failure(Retry.retry(vertx, () -> flaky(10, timeout), Retry::noHandler, 3, 1)));
    assertEquals(1, attempts.get(), "a timed-out request may have been applied: never sent again");
  }

  @Test
  void noRetriesMeansOneAttempt() {
    Await.failure(Retry.retry(vertx, () -> flaky(10, noHandler()), Retry::noHandler, 0, 1));
    assertEquals(1, attempts.get());
  }

  @Test
  void theCallersPredicateDecides() {
    IllegalStateException wrongShard = new IllegalStateException("wrong shard");
    assertEquals(2, Await.result(Retry.retry(vertx, () -> flaky(1, wrongShard), e -> e == wrongShard, 4, 1)));
  }

  @Test
  void onlyNoHandlersCountsAsNoHandler() {
    assertTrue(Retry.noHandler(noHandler()));
    assertFalse(Retry.noHandler(new ReplyException(ReplyFailure.TIMEOUT, "t")));
    assertFalse(Retry.noHandler(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, "r")));
    assertFalse(Retry.noHandler(new RuntimeException("x")));
  }
}
