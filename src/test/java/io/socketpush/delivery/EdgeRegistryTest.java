package io.socketpush.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The key -> edges registry shared by user presence and channel interest. */
class EdgeRegistryTest {

  /** An unordered registry holding the given key, edge pairs. */
  static EdgeRegistry holding(String... keyEdge) {
    EdgeRegistry r = EdgeRegistry.unordered();
    for (int i = 0; i < keyEdge.length; i += 2) {
      r.add(keyEdge[i], keyEdge[i + 1]);
    }
    return r;
  }

  @Test
  void addAndRemoveSayWhenAKeyGetsItsFirstAndLosesItsLastEdge() {
    EdgeRegistry r = EdgeRegistry.unordered();
    assertTrue(r.add("u1", "e1"));
    assertFalse(r.add("u1", "e2"));
    assertFalse(r.add("u1", "e2"));
    assertEquals(Set.of("e1", "e2"), r.edgesOf("u1"));
    assertFalse(r.remove("u1", "e1"));
    assertFalse(r.remove("u1", "e1"), "an edge that is not there");
    assertFalse(r.remove("nobody", "e1"));
    assertTrue(r.remove("u1", "e2"));
    assertFalse(r.has("u1"));
    assertEquals(Set.of(), r.edgesOf("u1"));
    assertEquals(0, r.size());
    assertTrue(r.add("u1", "e3"), "first again after the key was gone");
  }

  @Test
  void edgesOfIsAReadOnlyView() {
    EdgeRegistry r = EdgeRegistry.unordered();
    r.add("c", "e1");
    Set<String> view = r.edgesOf("c");
    r.add("c", "e2");
    assertEquals(Set.of("e1", "e2"), view);
    assertThrows(UnsupportedOperationException.class, () -> view.add("e3"));
  }

  @Test
  void anAnnouncementIsTheEdgesCompleteList() {
    EdgeRegistry r = holding("a", "e1", "b", "e1", "b", "e2", "c", "e2");
    List<String> gone = r.announce("e1", List.of("c", "d", "d"));
    // a: only e1 held it, not listed -> gone; b: e2 still holds it; c, d: e1 added
    assertEquals(List.of("a"), gone);
    assertFalse(r.has("a"));
    assertEquals(Set.of("e2"), r.edgesOf("b"));
    assertEquals(Set.of("e1", "e2"), r.edgesOf("c"));
    assertEquals(Set.of("e1"), r.edgesOf("d"));
    // e2 now lists only c: b loses its last edge, d was never e2's
    assertEquals(List.of("b"), r.announce("e2", List.of("c")));
    assertEquals(Set.of("e1", "e2"), r.edgesOf("c"));
    assertEquals(List.of("d"), r.announce("e1", List.of()));
    assertEquals(Set.of("e2"), r.edgesOf("c"));
    assertFalse(r.has("d"));
    assertEquals(List.of("c"), r.announce("e2", Set.of()));
    assertEquals(0, r.size());
  }

  @Test
  void purgeDropsDeadEdgesAndKeysNotOwnedAndAnswersOwnedKeysLeftWithoutEdges() {
    EdgeRegistry r = holding("mine-live", "e1", "mine-live", "dead", "mine-dead", "dead", "theirs-live", "e1",
        "theirs-dead", "dead");
    List<String> emptied = r.purge(Set.of("e1"), k -> k.startsWith("mine"));
    assertEquals(List.of("mine-dead"), emptied, "a key that is not ours is dropped without an answer");
    assertEquals(Set.of("e1"), r.edgesOf("mine-live"));
    assertFalse(r.has("mine-dead"));
    assertFalse(r.has("theirs-live"));
    assertFalse(r.has("theirs-dead"));
    assertEquals(1, r.size());
  }

  @Test
  void aSortedRegistryPagesItsKeysFromACursor() {
    EdgeRegistry r = EdgeRegistry.sorted();
    for (String k : List.of("c", "a", "d", "b")) {
      r.add(k, "e1");
    }
    assertEquals(List.of("a", "b", "c", "d"), List.copyOf(r.keysAfter(null)));
    assertEquals(List.of("a", "b", "c", "d"), List.copyOf(r.keysAfter("")));
    assertEquals(List.of("c", "d"), List.copyOf(r.keysAfter("b")));
    assertEquals(List.of("c", "d"), List.copyOf(r.keysAfter("bb")));
    assertThrows(IllegalStateException.class, () -> EdgeRegistry.unordered().keysAfter(null));
  }
}
