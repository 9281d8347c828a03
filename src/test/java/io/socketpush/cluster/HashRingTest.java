package io.socketpush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.cluster.HashRing;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HashRingTest {

  @Test
  void emptyRingOwnsNothing() {
    HashRing r = HashRing.empty();
    assertEquals(Optional.empty(), r.owner("x"));
    assertTrue(r.shares().isEmpty());
  }

  @Test
  void singleMemberOwnsEverything() {
    HashRing r = HashRing.of(1, 64, List.of("a"));
    for (int i = 0; i < 1000; i++) {
      assertEquals("a", r.owner("k" + i).orElseThrow());
    }
    assertEquals(1.0, r.shares().get("a"), 1e-9);
  }

  @Test
  void sameMembersGiveSameOwnersWhateverTheOrder() {
    HashRing r1 = HashRing.of(1, 128, List.of("a", "b", "c"));
    HashRing r2 = HashRing.of(7, 128, List.of("c", "a", "b"));
    for (int i = 0; i < 5000; i++) {
      assertEquals(r1.owner("user-" + i), r2.owner("user-" + i));
    }
  }

  @Test
  void keysSpreadEvenlyAndSharesSumToOne() {
    HashRing r = HashRing.of(1, 128, List.of("a", "b", "c"));
    Map<String, Integer> counts = new HashMap<>();
    int n = 30_000;
    for (int i = 0; i < n; i++) {
      counts.merge(r.owner(Integer.toString(i)).orElseThrow(), 1, Integer::sum);
    }
    for (String m : List.of("a", "b", "c")) {
      double share = counts.get(m) / (double) n;
      assertTrue(share > 0.25 && share < 0.42, m + " got " + share);
    }
    double sum = r.shares().values().stream().mapToDouble(Double::doubleValue).sum();
    assertEquals(1.0, sum, 1e-6);
  }

  @Test
  void addingAMemberMovesOnlyItsShareAndOnlyToIt() {
    HashRing three = HashRing.of(1, 128, List.of("a", "b", "c"));
    HashRing four = three.withMembers(List.of("a", "b", "c", "d"));
    assertEquals(2, four.version());
    int moved = 0;
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      String k = "k" + i;
      String before = three.owner(k).orElseThrow();
      String after = four.owner(k).orElseThrow();
      if (!before.equals(after)) {
        moved++;
        assertEquals("d", after, "a key moved between old members");
      }
    }
    double frac = moved / (double) n;
    assertTrue(frac > 0.15 && frac < 0.35, "moved " + frac);
  }

  @Test
  void unchangedMembershipKeepsTheRing() {
    HashRing r = HashRing.of(3, 16, List.of("a", "b"));
    assertSame(r, r.withMembers(List.of("b", "a")));
    assertTrue(r.owns(r.owner("z").orElseThrow(), "z"));
  }

  @Test
  void rejectsZeroVirtualNodes() {
    assertThrows(IllegalArgumentException.class, () -> HashRing.of(1, 0, List.of("a")));
  }
}
