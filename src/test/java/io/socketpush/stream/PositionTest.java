package io.socketpush.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class PositionTest {

  @Test
  void parsesEpochColonOffset() {
    assertEquals(new Position("abc", 42), Position.parse("abc:42"));
    assertEquals("abc:42", new Position("abc", 42).toString());
    assertEquals(new Position("a:b", 1), Position.parse("a:b:1"), "the offset follows the last colon");
  }

  @Test
  void rejectsMalformedPositions() {
    for (Object bad : new Object[] {null, 5, "", "abc", ":1", "abc:", "abc:-1", "abc:x", "abc:99999999999999999999"}) {
      assertNull(Position.parse(bad), String.valueOf(bad));
    }
  }
}
