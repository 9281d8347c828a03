package io.socketpush.delivery;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The one retry loop for calls that were not applied (so sending them again cannot apply them twice): "no
 * handler" on the event bus (during a membership change the cluster's subscription table can briefly miss a
 * live consumer) and, for sharded calls, WRONG_SHARD. Waits with {@code vertx.timer}, never blocks.
 */
public final class Retry {
  private Retry() {
  }

  /**
   * Runs {@code attempt}; while it fails with an error {@code retryable} accepts, runs it again after
   * {@code delayMs}, at most {@code maxRetries} more times. Fails with the last error.
   */
  public static <T> Future<T> retry(Vertx vertx, Supplier<Future<T>> attempt, Predicate<Throwable> retryable, int maxRetries,
      long delayMs) {
    return attempt.get().recover(err -> {
      if (maxRetries <= 0 || !retryable.test(err)) {
        return Future.failedFuture(err);
      }
      return vertx.timer(delayMs).compose(v -> retry(vertx, attempt, retryable, maxRetries - 1, delayMs));
    });
  }

  /** Whether a request got no reply within its timeout (it may or may not have been applied). */
  public static boolean timedOut(Throwable err) {
    return err instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT;
  }

  /** Whether a request failed because no consumer was registered at its address: it was not delivered. */
  public static boolean noHandler(Throwable err) {
    return err instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS;
  }
}
