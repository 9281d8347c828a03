package io.socketpush.edge;

import io.socketpush.error.Failure;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A history read for a resume, read again while the data grid cannot serve it: during a partition or a node's
 * death a read routed to an owner that is about to leave the topology times out (Infinispan's remote timeout), and
 * the same read a moment later, on the new topology, succeeds. Without this the resume answered
 * {@code recovered:false} for a stream whose history was whole (PartitionIT, split: "history of channel.p1
 * unreadable ... Timed out waiting for responses", a client told to reload). Only grid failures are read again
 * ({@link Failure#UNAVAILABLE}, {@link Failure#TIMEOUT}), at most {@code reads} times in all, {@code delayMs} x
 * the attempt apart, and not once the socket is gone.
 */
final class Reread {
  private Reread() {
  }

  static <T> Future<T> withRetries(Supplier<Future<T>> read, int reads, long delayMs, StreamGaps.Scheduler scheduler,
      BooleanSupplier gone) {
    return attempt(read, 1, reads, delayMs, scheduler, gone);
  }

  private static <T> Future<T> attempt(Supplier<Future<T>> read, int n, int reads, long delayMs, StreamGaps.Scheduler scheduler,
      BooleanSupplier gone) {
    return read.get().recover(err -> {
      Failure f = Failure.of(err);
      if (n >= reads || gone.getAsBoolean() || (f != Failure.UNAVAILABLE && f != Failure.TIMEOUT)) {
        return Future.failedFuture(err);
      }
      Promise<Void> later = Promise.promise();
      scheduler.later(delayMs * n, later::complete);
      return later.future().compose(v -> attempt(read, n + 1, reads, delayMs, scheduler, gone));
    });
  }
}
