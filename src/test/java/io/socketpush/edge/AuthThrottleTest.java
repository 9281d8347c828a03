package io.socketpush.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The throttle's arithmetic on a fake clock: free failures, doubling backoff, cap, forgetting, success. */
class AuthThrottleTest {
  private static final AuthThrottle.Policy P = new AuthThrottle.Policy(3, 2, 1_000, 8_000, 60_000);

  @Test
  void perIpFreeFailuresThenDoublingBackoffUpToTheCap() {
    AuthThrottle t = new AuthThrottle();
    long now = 1_000_000;
    for (int i = 0; i < 3; i++) {
      assertEquals(0, t.blockedFor("1.2.3.4", "u" + i, now));
      t.failed("1.2.3.4", "u" + i, now, P);
    }
    assertEquals(0, t.blockedFor("1.2.3.4", "other", now), "3 failures are free");
    long[] expected = {1_000, 2_000, 4_000, 8_000, 8_000};
    for (long e : expected) {
      t.failed("1.2.3.4", "x" + e + now, now, P);
      assertEquals(e, t.blockedFor("1.2.3.4", "fresh", now), "backoff doubles up to the cap");
      assertEquals(0, t.blockedFor("5.6.7.8", "fresh", now), "other IPs are not affected");
      now += e; // the attacker waits the backoff out
    }
  }

  @Test
  void perUserAcrossIpsAndSuccessClearsIt() {
    AuthThrottle t = new AuthThrottle();
    long now = 5_000;
    t.failed("10.0.0.1", "victim", now, P);
    t.failed("10.0.0.2", "victim", now, P);
    t.failed("10.0.0.3", "victim", now, P);
    assertEquals(1_000, t.blockedFor("10.0.0.9", "victim", now), "the user is blocked whatever the IP");
    assertEquals(0, t.blockedFor("10.0.0.9", "someone", now));
    t.succeeded("victim");
    assertEquals(0, t.blockedFor("10.0.0.9", "victim", now));
  }

  @Test
  void countsAreForgottenAfterQuietTime() {
    AuthThrottle t = new AuthThrottle();
    for (int i = 0; i < 4; i++) {
      t.failed("ip", "u" + i, 0, P);
    }
    assertTrue(t.blockedFor("ip", "u", 0) > 0);
    t.failed("ip", "u", 60_001 + 8_000, P);
    assertEquals(0, t.blockedFor("ip", "v", 60_001 + 8_000), "one failure after the quiet time is free again");
  }
}
