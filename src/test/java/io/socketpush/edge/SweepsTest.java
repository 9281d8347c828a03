package io.socketpush.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The timers that close sockets: armed, re-armed and cancelled; and which sockets the idle sweep picks. */
@ExtendWith(VertxExtension.class)
class SweepsTest {
  Vertx vertx;
  Sweeps sweeps;

  @BeforeEach
  void start(Vertx v) {
    vertx = v;
    sweeps = new Sweeps(v, "t");
  }

  @Test
  void aClosedSocketsTimersAreAllCancelled() {
    ClientSession s = FakeIo.session();
    sweeps.authTimeout(s, 3_600_000);
    sweeps.expireAt(s, System.currentTimeMillis() / 1_000 + 3_600, 0);
    long auth = s.authTimer;
    long expiry = s.expiryTimer;
    assertTrue(auth >= 0 && expiry >= 0);
    sweeps.cancel(s);
    assertEquals(-1, s.authTimer);
    assertEquals(-1, s.expiryTimer);
    assertFalse(vertx.cancelTimer(auth), "auth timer still armed");
    assertFalse(vertx.cancelTimer(expiry), "expiry timer still armed");
  }

  @Test
  void aNewExpiryReplacesTheOldAndNoExpiryArmsNone() {
    ClientSession s = FakeIo.session();
    long exp = System.currentTimeMillis() / 1_000 + 3_600;
    sweeps.expireAt(s, exp, 0);
    long first = s.expiryTimer;
    sweeps.expireAt(s, exp + 60, 5);
    assertTrue(s.expiryTimer >= 0 && s.expiryTimer != first);
    assertFalse(vertx.cancelTimer(first), "the old expiry still armed");
    long second = s.expiryTimer;
    sweeps.expireAt(s, 0, 0); // a session login: no token, no expiry
    assertEquals(-1, s.expiryTimer);
    assertFalse(vertx.cancelTimer(second));
  }

  @Test
  void anAuthenticatedSocketsAuthTimeoutIsCancelledOnce() {
    ClientSession s = FakeIo.session();
    sweeps.authTimeout(s, 3_600_000);
    long auth = s.authTimer;
    sweeps.cancelAuthTimeout(s);
    sweeps.cancelAuthTimeout(s);
    assertEquals(-1, s.authTimer);
    assertFalse(vertx.cancelTimer(auth));
  }

  @Test
  void theIdleSweepPicksSocketsWithoutAFrameForLongerThanTheTimeout() {
    ClientSession s = FakeIo.session();
    long last = s.lastFrameAt();
    assertEquals(List.of(), Sweeps.idle(List.of(s), last + 5_000, 5_000));
    assertEquals(List.of(s), Sweeps.idle(List.of(s), last + 5_001, 5_000));
  }
}
