package io.socketpush.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Which stream (Infinispan group) each history key belongs to. */
class StreamGrouperTest {
  final StreamGrouper g = new StreamGrouper();

  @Test
  void everyKeyOfAStreamIsInTheStreamsGroup() {
    String s = "channel.news";
    assertEquals(s, g.computeGroup(StreamStore.metaKey(s), (Object) null));
    assertEquals(s, g.computeGroup(StreamStore.entryKey(s, "k3x9", 17), (Object) null));
    assertEquals(s, g.computeGroup(StreamStore.keyKey(s, "order-17"), (Object) null));
    assertEquals("user.a|b", g.computeGroup(StreamStore.entryKey("user.a|b", "k3x9", 3), (Object) null), "a stream id with '|' in an entry key");
  }

  @Test
  void bothOverloadsAgree() {
    assertEquals("channel.x", g.computeGroup("m|channel.x", (String) null));
    assertNull(g.computeGroup("p|u", (String) null));
  }

  @Test
  void otherKeysHaveNoGroup() {
    assertNull(g.computeGroup("a|user1", (Object) null), "away marks are placed by their own hash");
    assertNull(g.computeGroup("p|user1", (Object) null));
    assertNull(g.computeGroup("x", (Object) null));
    assertNull(g.computeGroup("e|", (Object) null));
  }
}
