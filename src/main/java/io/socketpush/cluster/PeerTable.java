package io.socketpush.cluster;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The nodes this one knows, by node id, with their descriptors (nodeId, roles, clientUrl, adminUrl, startedAt,
 * clusterNodeId, fenced, hears) and when each was last heard. A descriptor whose cluster-manager member is
 * not (yet) in the cluster view is held back until it is ({@link #holdBack}, {@link #view}); a peer not heard
 * for {@code nodeTimeout} is {@link #silent}; this node lists in its own heartbeats ({@link #hears}) the peers
 * it heard within {@code hearWindow}, so a peer whose outgoing traffic is lost learns that we do not hear it.
 *
 * <p>Pure bookkeeping: the caller passes the clock; confined to the membership's context.
 */
final class PeerTable {
  /** What {@link #admit} did with a descriptor. */
  enum Admission {
    /** A late heartbeat of an earlier incarnation of a restarted node: ignored. */
    STALE,
    /** Nothing the rings depend on changed. */
    SAME,
    /** Its roles or its fenced flag changed. */
    CHANGED,
    /** A node not known before. */
    JOINED,
    /** A known node with a new start time. */
    RESTARTED;

    /** Whether the rings must change. */
    boolean changesRings() {
      return this == CHANGED || this == JOINED || this == RESTARTED;
    }

    /** Whether this is a new incarnation (it gets one fence period to learn of us). */
    boolean isNew() {
      return this == JOINED || this == RESTARTED;
    }
  }

  private final String self;
  private final long nodeTimeout;
  private final long hearWindow;
  private final Map<String, JsonObject> nodes = new HashMap<>();
  private final Map<String, JsonObject> pending = new HashMap<>();
  private final Map<String, Long> lastSeen = new HashMap<>();
  /** Peers whose own heartbeats reached this node (not only their registry entry). */
  private final Set<String> heardFrom = new HashSet<>();
  /** Cluster-manager ids of the current view (null: no view, as on a local Vert.x, or none yet). */
  private Set<String> viewMembers;

  PeerTable(String self, long nodeTimeout, long hearWindow) {
    this.self = self;
    this.nodeTimeout = nodeTimeout;
    this.hearWindow = hearWindow;
  }

  /** The current cluster view's members (null: none). */
  Set<String> view() {
    return viewMembers;
  }

  /** A new cluster view; true if it has members the previous one had not (or there was none). */
  boolean view(Set<String> members) {
    boolean grew = viewMembers == null || !viewMembers.containsAll(members);
    viewMembers = members;
    return grew;
  }

  /** Whether the member of {@code d} is in the view (true without a view or a member id). */
  boolean inView(JsonObject d) {
    String member = d.getString("clusterNodeId");
    return viewMembers == null || member == null || viewMembers.contains(member);
  }

  /** Holds back a peer's descriptor whose member the view does not (yet) contain; true if it did. */
  boolean holdBack(JsonObject d) {
    String id = d.getString("nodeId");
    if (id.equals(self) || inView(d)) {
      return false;
    }
    pending.put(id, d);
    return true;
  }

  boolean hasPending() {
    return !pending.isEmpty();
  }

  void dropPending(String id) {
    pending.remove(id);
  }

  /** Takes the held-back descriptors whose members are now in the view out of the waiting list. */
  List<JsonObject> releaseInView() {
    List<JsonObject> out = new ArrayList<>();
    for (JsonObject d : new ArrayList<>(pending.values())) {
      if (inView(d)) {
        pending.remove(d.getString("nodeId"));
        out.add(d);
      }
    }
    return out;
  }

  /** Known peers whose member left the view. */
  List<String> outsideView() {
    List<String> gone = new ArrayList<>();
    nodes.forEach((id, d) -> {
      if (!id.equals(self) && !inView(d)) {
        gone.add(id);
      }
    });
    return gone;
  }

  /** Records a descriptor heard at {@code now}. */
  Admission admit(JsonObject d, long now) {
    String id = d.getString("nodeId");
    JsonObject old = nodes.get(id);
    long started = d.getLong("startedAt", 0L);
    if (old != null && old.getLong("startedAt", 0L) > started) {
      return Admission.STALE;
    }
    lastSeen.put(id, now);
    nodes.put(id, d);
    if (old == null) {
      return Admission.JOINED;
    }
    if (old.getLong("startedAt", 0L) != started) {
      return Admission.RESTARTED;
    }
    boolean changed = !old.getJsonArray("roles", new JsonArray()).equals(d.getJsonArray("roles"))
        || old.getBoolean("fenced", false) != d.getBoolean("fenced", false);
    return changed ? Admission.CHANGED : Admission.SAME;
  }

  /** {@code id}'s own heartbeat reached this node. */
  void heard(String id) {
    heardFrom.add(id);
  }

  void forget(String id) {
    nodes.remove(id);
    lastSeen.remove(id);
  }

  /** Whether {@code d} (a leave notice) is from the incarnation this table knows. */
  boolean sameIncarnation(JsonObject d) {
    JsonObject known = nodes.get(d.getString("nodeId"));
    return known != null && known.getLong("startedAt", 0L).equals(d.getLong("startedAt", 0L));
  }

  /** This node heard {@code id} (itself, each tick) at {@code now}. */
  void seen(String id, long now) {
    lastSeen.put(id, now);
  }

  /** Gives every known node a fresh period to be heard, from {@code now}: the silence was ours. */
  void rearm(long now) {
    lastSeen.replaceAll((id, seen) -> now);
  }

  /** Peers not heard for more than {@code nodeTimeout} at {@code now}. */
  List<String> silent(long now) {
    List<String> gone = new ArrayList<>();
    lastSeen.forEach((id, seen) -> {
      if (!id.equals(self) && now - seen > nodeTimeout) {
        gone.add(id);
      }
    });
    return gone;
  }

  /** The nodes heard within {@code hearWindow} at {@code now}: the {@code hears} of this node's heartbeat. */
  JsonArray hears(long now) {
    JsonArray hears = new JsonArray();
    lastSeen.forEach((id, seen) -> {
      if (now - seen <= hearWindow) {
        hears.add(id);
      }
    });
    return hears;
  }

  /**
   * How many of {@code ids} have a cluster-manager member in the current view (none without a view): the
   * peers whose silence cannot be explained by JGroups.
   */
  long countInView(Collection<String> ids) {
    return ids.stream().map(nodes::get).filter(d -> d != null && viewMembers != null
        && d.getString("clusterNodeId") != null && viewMembers.contains(d.getString("clusterNodeId"))).count();
  }

  /**
   * How many of {@code silentIds} (in the view) another peer still hears: a peer this node heard within
   * {@code hearWindow} at {@code now}, not silent itself, lists it in the {@code hears} of its last heartbeat. The
   * silence is then this node's own (it is deaf to them), not theirs (a frozen peer goes silent to everyone).
   */
  long heardByOthers(Collection<String> silentIds, long now) {
    List<JsonObject> witnesses = new ArrayList<>();
    lastSeen.forEach((id, seen) -> {
      if (!id.equals(self) && !silentIds.contains(id) && now - seen <= hearWindow && nodes.get(id) != null) {
        witnesses.add(nodes.get(id));
      }
    });
    return countInView(silentIds.stream().filter(id -> witnesses.stream()
        .anyMatch(w -> w.getJsonArray("hears", new JsonArray()).contains(id))).toList());
  }

  /** Peers (not this node) whose member is in the current view. */
  long othersInView() {
    return countInView(nodes.keySet().stream().filter(id -> !id.equals(self)).toList());
  }

  boolean contains(String id) {
    return nodes.containsKey(id);
  }

  /** Number of known nodes, this one included. */
  int size() {
    return nodes.size();
  }

  /** Known node ids (a read-only view). */
  Set<String> ids() {
    return Collections.unmodifiableSet(nodes.keySet());
  }

  /** Peers whose own heartbeats reached this node (a read-only view). */
  Set<String> heard() {
    return Collections.unmodifiableSet(heardFrom);
  }

  /** Server node ids known now (fenced ones included: they are members, just not serving). */
  Set<String> serverIds() {
    Set<String> ids = new TreeSet<>();
    nodes.forEach((id, d) -> {
      if (isServer(d)) {
        ids.add(id);
      }
    });
    return ids;
  }

  /** An immutable copy of the descriptors by node id. */
  Map<String, JsonObject> snapshot() {
    return Map.copyOf(nodes);
  }

  /** Whether a descriptor names a role (client-only members are never fenced and never vote). */
  static boolean isServer(JsonObject d) {
    return d != null && !d.getJsonArray("roles", new JsonArray()).isEmpty();
  }
}
