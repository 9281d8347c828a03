package io.socketpush.shard;

import java.util.function.LongSupplier;

/**
 * The window after a ring change during which an owner's soft state (presence, channel interest) may be
 * incomplete: the edges re-announce what they hold, but only once their own ring changed. While the window
 * is open, owners deliver to every edge node (still O(nodes) per publish) instead of only the ones they know
 * of, so a publish acknowledged right after a failover reaches everyone.
 */
public final class Takeover {
  private final LongSupplier windowMs;
  private final LongSupplier clock;
  private volatile long openUntil;

  public Takeover(LongSupplier windowMs) {
    this(windowMs, System::currentTimeMillis);
  }

  Takeover(LongSupplier windowMs, LongSupplier clock) {
    this.windowMs = windowMs;
    this.clock = clock;
  }

  /** Opens the window: the ring just changed. */
  public void ringChanged() {
    openUntil = clock.getAsLong() + windowMs.getAsLong();
  }

  /** Whether soft state may still be incomplete. */
  public boolean active() {
    return clock.getAsLong() < openUntil;
  }
}
