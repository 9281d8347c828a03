package io.socketpush.edge;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The client port's path check (the HTTP answers are tested end to end in SockJsXhrTest and EdgeProtocolTest). */
class EdgeRequestsTest {

  @Test
  void aPercentNotFollowedByTwoHexDigitsIsBroken() {
    for (String bad : new String[] {"/%zz", "/a%", "/a%4", "/%4g/x", "/ok%20then%2", "/%%41"}) {
      assertTrue(EdgeRequests.brokenEscape(bad), bad);
    }
    for (String ok : new String[] {"/", "/eventbus/info", "/a%20b", "/%41%42", "/%aF", null}) {
      assertFalse(EdgeRequests.brokenEscape(ok), String.valueOf(ok));
    }
  }
}
