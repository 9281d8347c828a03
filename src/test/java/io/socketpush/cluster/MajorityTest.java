package io.socketpush.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The majority rule of {@link Quorum#hasMajority}: who may serve during a partition. */
class MajorityTest {

  @Test
  void twoOfThreeHaveAMajorityOneOfThreeHasNot() {
    Set<String> three = Set.of("a", "b", "c");
    assertTrue(Quorum.hasMajority(three, "a", id -> id.equals("b")));
    assertFalse(Quorum.hasMajority(three, "c", id -> false));
  }

  @Test
  void halfIsNoMajority() {
    // two nodes left: neither side of a 1|1 split serves (no split brain), nor a survivor of a crash
    assertFalse(Quorum.hasMajority(Set.of("a", "b"), "a", id -> false));
    assertFalse(Quorum.hasMajority(Set.of("a", "b", "c", "d"), "a", id -> id.equals("b")));
    assertTrue(Quorum.hasMajority(Set.of("a", "b"), "a", id -> id.equals("b")));
  }

  @Test
  void aPeerThatDoesNotConfirmThisNodeDoesNotCount() {
    // one-way loss: b and c are heard, but their heartbeats no longer list this node
    assertFalse(Quorum.hasMajority(Set.of("a", "b", "c"), "a", id -> false));
  }

  @Test
  void aJoiningNodeCountsItselfEvenOutsideTheBaseline() {
    assertTrue(Quorum.hasMajority(Set.of("a", "b"), "n", id -> true));
    assertTrue(Quorum.hasMajority(Set.of("a", "b"), "n", id -> id.equals("a")));
    assertFalse(Quorum.hasMajority(Set.of("a", "b"), "n", id -> false));
    assertTrue(Quorum.hasMajority(Set.of(), "n", id -> false));
  }
}
