package io.socketpush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.config.NodeConfig.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Rings and versions built by {@link Rings} from the members alone. */
class RingsTest {

  private static JsonObject node(String id, long startedAt, String... roles) {
    return new JsonObject().put("nodeId", id).put("startedAt", startedAt).put("roles", new JsonArray(List.of((Object[]) roles)));
  }

  private static Map<String, JsonObject> cluster() {
    Map<String, JsonObject> nodes = new LinkedHashMap<>();
    nodes.put("n1", node("n1", 1, "edge", "user"));
    nodes.put("n2", node("n2", 2, "edge", "channel"));
    nodes.put("n3", node("n3", 3));
    return nodes;
  }

  @Test
  void everyNodeThatSeesTheSameMembersHasTheSameVersions() {
    Rings a = Rings.of(cluster(), "n1", false, 16);
    Map<String, JsonObject> reversed = new LinkedHashMap<>();
    List.of("n3", "n2", "n1").forEach(id -> reversed.put(id, cluster().get(id)));
    Rings b = Rings.of(reversed, "n2", false, 16);
    assertEquals(a.version(), b.version());
    for (Role r : Role.values()) {
      assertEquals(a.byRole().get(r).version(), b.byRole().get(r).version(), r.id());
      assertEquals(a.byRole().get(r).members(), b.byRole().get(r).members(), r.id());
    }
    assertEquals(Set.of("n1", "n2"), a.byRole().get(Role.EDGE).members());
    assertEquals(Set.of("n1"), a.byRole().get(Role.USER).members());
    assertEquals(Set.of("n2"), a.byRole().get(Role.CHANNEL).members());
  }

  @Test
  void aRestartOrARoleChangeChangesTheVersion() {
    long v = Rings.of(cluster(), "n1", false, 16).version();
    Map<String, JsonObject> restarted = new HashMap<>(cluster());
    restarted.put("n3", node("n3", 4));
    assertNotEquals(v, Rings.of(restarted, "n1", false, 16).version());
    Map<String, JsonObject> roles = new HashMap<>(cluster());
    roles.put("n3", node("n3", 3, "auth"));
    assertNotEquals(v, Rings.of(roles, "n1", false, 16).version());
  }

  @Test
  void aFencedNodeHasNoRingsAndOthersLeaveAFencedPeerOut() {
    Rings own = Rings.of(cluster(), "n1", true, 16);
    for (Role r : Role.values()) {
      assertTrue(own.byRole().get(r).members().isEmpty(), r.id());
    }
    assertNotEquals(Rings.of(cluster(), "n1", false, 16).version(), own.version(), "never the cluster's version");
    Map<String, JsonObject> peerFenced = new HashMap<>(cluster());
    peerFenced.put("n2", node("n2", 2, "edge", "channel").put("fenced", true));
    Rings others = Rings.of(peerFenced, "n1", false, 16);
    assertEquals(Set.of("n1"), others.byRole().get(Role.EDGE).members());
    assertTrue(others.byRole().get(Role.CHANNEL).members().isEmpty());
    assertNotEquals(Rings.of(cluster(), "n1", false, 16).version(), others.version());
  }

  @Test
  void versionsArePositive53BitNumbersAndEmptyRingsAreVersionZero() {
    for (String s : List.of("", "a", "edge:n1,n2", "x".repeat(100))) {
      long v = Rings.versionOf(s);
      assertTrue(v >= 0 && v < (1L << 53), s);
    }
    Rings empty = Rings.empty(16);
    assertEquals(0, empty.version());
    for (Role r : Role.values()) {
      assertTrue(empty.byRole().get(r).members().isEmpty());
      assertEquals(0, empty.byRole().get(r).version());
    }
  }
}
