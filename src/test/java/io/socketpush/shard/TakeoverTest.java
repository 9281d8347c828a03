package io.socketpush.shard;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TakeoverTest {

  @Test
  void theWindowOpensOnARingChangeAndClosesAfterItsLength() {
    AtomicLong now = new AtomicLong(1_000);
    Takeover t = new Takeover(() -> 500, now::get);
    assertFalse(t.active(), "closed before any ring change");
    t.ringChanged();
    assertTrue(t.active());
    now.set(1_499);
    assertTrue(t.active());
    now.set(1_500);
    assertFalse(t.active());
    t.ringChanged();
    assertTrue(t.active(), "a later change opens it again");
  }
}
