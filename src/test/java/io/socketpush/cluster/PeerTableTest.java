package io.socketpush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.cluster.PeerTable.Admission;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The known nodes of {@link PeerTable}: node timeout 5 s, hear window 1.5 s, this node is "a". */
class PeerTableTest {

  private static JsonObject node(String id, long startedAt, String member, String... roles) {
    JsonObject d = new JsonObject().put("nodeId", id).put("startedAt", startedAt).put("roles", new JsonArray(List.of((Object[]) roles)));
    return member == null ? d : d.put("clusterNodeId", member);
  }

  private static PeerTable table() {
    return new PeerTable("a", 5_000, 1_500);
  }

  @Test
  void admissionsSayWhatChanged() {
    PeerTable t = table();
    assertEquals(Admission.JOINED, t.admit(node("b", 10, null, "edge"), 0));
    assertEquals(Admission.SAME, t.admit(node("b", 10, null, "edge").put("clientUrl", "x"), 100));
    assertEquals(Admission.CHANGED, t.admit(node("b", 10, null, "edge", "user"), 200));
    assertEquals(Admission.CHANGED, t.admit(node("b", 10, null, "edge", "user").put("fenced", true), 300));
    assertEquals(Admission.RESTARTED, t.admit(node("b", 20, null, "edge"), 400));
    assertEquals(Admission.STALE, t.admit(node("b", 10, null, "edge"), 10_000), "the earlier incarnation");
    assertEquals(List.of("b"), t.silent(5_401), "a stale heartbeat does not count as heard");
    assertTrue(Admission.JOINED.isNew() && Admission.RESTARTED.isNew() && !Admission.CHANGED.isNew());
    assertTrue(Admission.CHANGED.changesRings() && !Admission.SAME.changesRings() && !Admission.STALE.changesRings());
  }

  @Test
  void aSilentPeerAnotherPeerStillHearsIsCountedAndAFrozenOneIsNot() {
    PeerTable t = table();
    t.view(Set.of("ma", "mb", "mc"));
    t.admit(node("b", 1, "mb", "auth"), 0); // b goes silent to this node from 0
    t.admit(node("c", 1, "mc", "edge").put("hears", new JsonArray().add("a").add("b")), 5_500);
    List<String> silent = t.silent(5_600);
    assertEquals(List.of("b"), silent);
    assertEquals(1, t.heardByOthers(silent, 5_600), "c heard b within its hear window: this node is deaf to b");
    assertEquals(0, t.heardByOthers(silent, 7_100), "c's heartbeat is older than the hear window: no witness");
    t.admit(node("c", 1, "mc", "edge").put("hears", new JsonArray().add("a")), 5_700);
    assertEquals(0, t.heardByOthers(silent, 5_800), "c does not hear b either: b froze");
    t.admit(node("c", 1, "mc", "edge").put("hears", new JsonArray().add("a").add("b")), 5_900);
    t.view(Set.of("ma", "mc"));
    assertEquals(0, t.heardByOthers(silent, 6_000), "b left the view: JGroups explains its silence");
  }

  @Test
  void aMemberOutsideTheViewIsHeldBackUntilTheViewHasIt() {
    PeerTable t = table();
    assertFalse(t.holdBack(node("b", 1, "m2", "edge")), "no view yet: everyone is in it");
    assertTrue(t.view(Set.of("m1")), "the first view");
    assertFalse(t.holdBack(node("a", 1, "m9", "edge")), "this node is never held back");
    assertTrue(t.holdBack(node("c", 1, "m3", "edge")));
    assertFalse(t.holdBack(node("d", 1, null, "edge")), "no member id: not held back");
    assertTrue(t.hasPending());
    assertEquals(List.of(), t.releaseInView());
    assertTrue(t.view(Set.of("m1", "m3")), "m3 is new");
    List<JsonObject> released = t.releaseInView();
    assertEquals(1, released.size());
    assertEquals("c", released.get(0).getString("nodeId"));
    assertFalse(t.hasPending());
    t.holdBack(node("e", 1, "m5", "edge"));
    t.dropPending("e");
    assertFalse(t.hasPending());
  }

  @Test
  void peersWhoseMemberLeftTheViewAreOutsideIt() {
    PeerTable t = table();
    t.admit(node("a", 1, "m1", "edge"), 0);
    t.admit(node("b", 1, "m2", "edge"), 0);
    t.admit(node("c", 1, "m3", "edge"), 0);
    t.admit(node("k", 1, null), 0);
    assertEquals(0, t.othersInView(), "no view");
    t.view(Set.of("m2", "m3"));
    assertEquals(List.of(), t.outsideView());
    assertEquals(2, t.othersInView(), "k has no member id");
    assertEquals(1, t.countInView(List.of("b", "k")));
    assertFalse(t.view(Set.of("m3")), "the view only shrank");
    assertEquals(List.of("b"), t.outsideView(), "this node is never outside");
    t.forget("b");
    assertFalse(t.contains("b"));
    assertEquals(Set.of("a", "c", "k"), t.ids());
    assertEquals(Set.of("a", "c"), t.serverIds(), "k runs no role");
  }

  @Test
  void silenceHearsAndRearming() {
    PeerTable t = table();
    t.admit(node("a", 1, null, "edge"), 0);
    t.admit(node("b", 1, null, "edge"), 0);
    t.admit(node("c", 1, null, "edge"), 4_000);
    assertEquals(List.of(), t.silent(5_000));
    assertEquals(List.of("b"), t.silent(5_001), "this node is never silent");
    assertEquals(new JsonArray().add("c"), t.hears(5_500));
    assertEquals(new JsonArray(), t.hears(5_501));
    t.seen("a", 5_501);
    assertEquals(new JsonArray().add("a"), t.hears(5_501));
    t.rearm(6_000);
    assertEquals(List.of(), t.silent(11_000));
    assertEquals(3, t.hears(7_000).size());
  }

  @Test
  void aLeaveCountsOnlyForTheKnownIncarnation() {
    PeerTable t = table();
    t.admit(node("b", 10, null, "edge"), 0);
    assertTrue(t.sameIncarnation(node("b", 10, null)));
    assertFalse(t.sameIncarnation(node("b", 9, null)));
    assertFalse(t.sameIncarnation(node("z", 10, null)));
    t.heard("b");
    assertEquals(Set.of("b"), t.heard());
    assertEquals(1, t.snapshot().size());
    assertTrue(PeerTable.isServer(node("b", 1, null, "edge")));
    assertFalse(PeerTable.isServer(node("b", 1, null)));
    assertFalse(PeerTable.isServer(null));
  }
}
