package io.socketpush.client;

import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Future;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waits for futures on the JUnit thread (never on an event loop), with a timeout, for sequential tests. */
public final class Await {
  public static final long TIMEOUT_S = 20;

  private Await() {
  }

  /** The result; fails the test when the future fails or times out. */
  public static <T> T result(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("expected success but failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("no result within " + TIMEOUT_S + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted");
    }
  }

  /** The failure; fails the test when the future succeeds or times out. */
  public static Throwable failure(Future<?> f) {
    try {
      Object r = f.toCompletionStage().toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
      return fail("expected a failure but succeeded with " + r);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (TimeoutException e) {
      throw new AssertionError("no result within " + TIMEOUT_S + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted");
    }
  }

  /** Polls {@code check} until it yields true, within the timeout. */
  public static void until(String what, java.util.function.Supplier<Future<Boolean>> check) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
    while (System.nanoTime() < deadline) {
      if (Boolean.TRUE.equals(result(check.get()))) {
        return;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted");
      }
    }
    fail("timed out waiting until " + what);
  }
}
