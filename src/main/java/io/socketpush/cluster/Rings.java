package io.socketpush.cluster;

import io.socketpush.config.NodeConfig.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The per-role {@link HashRing}s of a membership and its version. Versions are derived from the members
 * themselves (a hash of every member's id, start time, roles and fenced flag), so every node that sees the
 * same members reports the same versions. A fenced node owns nothing: its rings are empty, and the others
 * leave a fenced node out of theirs. Immutable.
 */
record Rings(Map<Role, HashRing> byRole, long version) {

  /** Empty rings of version 0 (before the membership started). */
  static Rings empty(int virtualNodes) {
    Map<Role, HashRing> rings = new EnumMap<>(Role.class);
    for (Role r : Role.values()) {
      rings.put(r, HashRing.of(0, virtualNodes, List.of()));
    }
    return new Rings(Collections.unmodifiableMap(rings), 0);
  }

  /**
   * The rings of {@code nodes} (descriptors by node id) as seen by node {@code self}, which is
   * {@code fenced} or not.
   */
  static Rings of(Map<String, JsonObject> nodes, String self, boolean fenced, int virtualNodes) {
    StringBuilder all = new StringBuilder();
    new TreeMap<>(nodes).forEach((id, d) -> all.append(id).append('@').append(d.getLong("startedAt", 0L))
        .append(d.getJsonArray("roles", new JsonArray()).encode()).append(d.getBoolean("fenced", false) ? "!" : "").append(';'));
    if (fenced) {
      all.append("fenced:").append(self); // a fenced node's (empty) rings never share a version with the cluster's
    }
    Map<Role, HashRing> next = new EnumMap<>(Role.class);
    for (Role r : Role.values()) {
      Set<String> members = new TreeSet<>();
      nodes.forEach((id, d) -> {
        if (!fenced && !d.getBoolean("fenced", false) && d.getJsonArray("roles", new JsonArray()).contains(r.id())) {
          members.add(id);
        }
      });
      next.put(r, HashRing.of(versionOf(r.id() + ":" + String.join(",", members)), virtualNodes, members));
    }
    return new Rings(Collections.unmodifiableMap(next), versionOf(all.toString()));
  }

  /** A positive 53-bit hash (exact in JSON numbers everywhere) of the ring's hash function. */
  static long versionOf(String s) {
    return HashRing.hash(s) & 0x1F_FFFF_FFFF_FFFFL;
  }
}
