package io.socketpush.testing;

import io.vertx.core.Future;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/** Waits for futures on the test thread (never on an event loop), with a bound. */
public final class Await {
  private Await() {
  }

  /** The future's result; rethrows its failure; fails after 15 s. */
  public static <T> T result(Future<T> f) {
    return result(f, 15_000);
  }

  public static <T> T result(Future<T> f, long timeoutMs) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException re) {
        throw re;
      }
      throw new AssertionError(c);
    } catch (TimeoutException e) {
      throw new AssertionError("no answer within " + timeoutMs + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Runs {@code call} on {@code ctx} (for code confined to one context) and waits for its result. */
  public static <T> T on(io.vertx.core.Context ctx, java.util.function.Supplier<Future<T>> call) {
    io.vertx.core.Promise<T> p = io.vertx.core.Promise.promise();
    ctx.runOnContext(v -> call.get().onComplete(p));
    return result(p.future());
  }

  /** The failure of a future that must fail. */
  public static Throwable failure(Future<?> f) {
    try {
      Object r = result(f);
      throw new AssertionError("expected a failure, got " + r);
    } catch (AssertionError e) {
      if (e.getMessage() != null && e.getMessage().startsWith("expected a failure")) {
        throw e;
      }
      if (e.getMessage() != null && e.getMessage().startsWith("no answer")) {
        throw e;
      }
      return e.getCause() != null ? e.getCause() : e;
    } catch (RuntimeException e) {
      return e;
    }
  }

  /** Polls a condition every 50 ms until it holds; fails after {@code timeoutMs}. */
  public static void until(BooleanSupplier condition, long timeoutMs, String what) {
    long end = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < end) {
      if (condition.getAsBoolean()) {
        return;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
  }
}
