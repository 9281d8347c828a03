package io.socketpush.cluster;

import io.socketpush.config.NodeConfig.Role;
import io.socketpush.shard.HashRing;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one class that knows who is in the cluster. Nodes publish their descriptor (nodeId, roles, client
 * URL, admin URL, started-at) as a heartbeat on a cluster-wide address; a node missing heartbeats for
 * {@code cluster.nodeTimeout} leaves, a node leaving gracefully says so. Every join and leave rebuilds the
 * per-role {@link HashRing}s with a new version and notifies listeners on their own context.
 *
 * <p>It does not use the cluster manager's single node-listener slot (Vert.x's HA manager owns it).
 * Rings are immutable and published through a volatile field, so any thread may read them.
 */
public final class Membership {
  private static final Logger LOG = LoggerFactory.getLogger(Membership.class);
  private static final String KIND = "kind";

  private final Vertx vertx;
  private final JsonObject self;
  private final String nodeId;
  private final long heartbeatInterval;
  private final long nodeTimeout;
  private final int virtualNodes;

  // confined to the context that called start()
  private final Map<String, JsonObject> nodes = new HashMap<>();
  private final Map<String, Long> lastSeen = new HashMap<>();
  private final Map<String, Long> upSince = new HashMap<>();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private Context context;
  private MessageConsumer<JsonObject> consumer;
  private long heartbeatTimer = -1;
  private long version;
  private volatile Map<Role, HashRing> rings = new EnumMap<>(Role.class);
  private volatile Map<String, JsonObject> snapshot = Map.of();
  private volatile boolean leaving;

  private record Listener(Context context, Runnable action) {
  }

  /**
   * @param self descriptor of this node: nodeId, roles (array of role ids), clientUrl, adminUrl, startedAt
   */
  public Membership(Vertx vertx, JsonObject self, long heartbeatInterval, long nodeTimeout, int virtualNodes) {
    this.vertx = vertx;
    this.self = self.copy();
    this.nodeId = self.getString("nodeId");
    this.heartbeatInterval = heartbeatInterval;
    this.nodeTimeout = nodeTimeout;
    this.virtualNodes = virtualNodes;
    for (Role r : Role.values()) {
      rings.put(r, HashRing.of(0, virtualNodes, List.of()));
    }
  }

  /** Starts heartbeats; completes once this node sees itself (and whoever answered) in the rings. */
  public Future<Void> start() {
    context = vertx.getOrCreateContext();
    consumer = vertx.eventBus().consumer(Addresses.MEMBERSHIP, this::onMessage);
    return consumer.completion()
        .compose(v -> {
          onHeartbeat(self, true);
          publish("hello");
          heartbeatTimer = vertx.setPeriodic(heartbeatInterval, t -> tick());
          if (!vertx.isClustered()) {
            return Future.succeededFuture();
          }
          // give the members one round to answer our hello, so the first rings are complete
          Promise<Void> settled = Promise.promise();
          vertx.setTimer(Math.min(heartbeatInterval, 500), t -> settled.complete());
          return settled.future();
        });
  }

  /** Says goodbye: other nodes drop this one from their rings at once. */
  public Future<Void> leave() {
    leaving = true;
    if (heartbeatTimer >= 0) {
      vertx.cancelTimer(heartbeatTimer);
    }
    publish("leave");
    // the consumer goes with the deploying verticle; unregistering here would drop our own leave notice
    return Future.succeededFuture();
  }

  /** This node's id. */
  public String nodeId() {
    return nodeId;
  }

  /** Current ring of a role (immutable). */
  public HashRing ring(Role role) {
    return rings.get(role);
  }

  /** Current descriptors of live nodes by node id (immutable snapshot). */
  public Map<String, JsonObject> nodes() {
    return snapshot;
  }

  /** Whether this node is leaving the cluster. */
  public boolean leaving() {
    return leaving;
  }

  /** Updates a field of this node's own descriptor (e.g. a bound URL), published with the next heartbeat. */
  public void describeSelf(String key, Object value) {
    self.put(key, value);
    if (context != null) {
      context.runOnContext(v -> {
        onHeartbeat(self.copy(), false);
        publish("hb");
      });
    }
  }

  /** Runs {@code action} on the caller's context after every ring change. */
  public void onChange(Runnable action) {
    listeners.add(new Listener(vertx.getOrCreateContext(), action));
  }

  /** Epoch millis since which a node is in the rings, by node id. */
  public Map<String, Long> upSince() {
    return Map.copyOf(upSince);
  }

  private void tick() {
    publish("hb");
    long now = System.currentTimeMillis();
    List<String> gone = new ArrayList<>();
    lastSeen.forEach((id, seen) -> {
      if (!id.equals(nodeId) && now - seen > nodeTimeout) {
        gone.add(id);
      }
    });
    if (!gone.isEmpty()) {
      gone.forEach(id -> LOG.warn("[{}] node {} missed heartbeats for {} ms: removed from rings", nodeId, id, nodeTimeout));
      gone.forEach(this::forget);
      rebuild();
    }
    lastSeen.put(nodeId, now);
  }

  private void publish(String kind) {
    vertx.eventBus().publish(Addresses.MEMBERSHIP, self.copy(), new DeliveryOptions().addHeader(KIND, kind));
  }

  private void onMessage(Message<JsonObject> msg) {
    JsonObject d = msg.body();
    String kind = msg.headers().get(KIND);
    if (d == null || d.getString("nodeId") == null) {
      return;
    }
    if ("leave".equals(kind)) {
      if (!d.getString("nodeId").equals(nodeId) && nodes.containsKey(d.getString("nodeId"))) {
        LOG.info("[{}] node {} left", nodeId, d.getString("nodeId"));
        forget(d.getString("nodeId"));
        rebuild();
      }
      return;
    }
    boolean isNew = !nodes.containsKey(d.getString("nodeId"));
    onHeartbeat(d, false);
    if (isNew && "hello".equals(kind) && !d.getString("nodeId").equals(nodeId) && !leaving) {
      publish("hb"); // let the newcomer learn about us now rather than at our next tick
    }
  }

  private void onHeartbeat(JsonObject d, boolean force) {
    String id = d.getString("nodeId");
    lastSeen.put(id, System.currentTimeMillis());
    JsonObject old = nodes.put(id, d);
    boolean changed = force || old == null || !old.getJsonArray("roles", new JsonArray()).equals(d.getJsonArray("roles"))
        || !old.getLong("startedAt", 0L).equals(d.getLong("startedAt", 0L));
    if (old == null) {
      upSince.put(id, System.currentTimeMillis());
      if (!id.equals(nodeId)) {
        LOG.info("[{}] node {} joined with roles {}", nodeId, id, d.getJsonArray("roles"));
      }
    } else if (!old.getLong("startedAt", 0L).equals(d.getLong("startedAt", 0L))) {
      LOG.info("[{}] node {} restarted", nodeId, id);
      upSince.put(id, System.currentTimeMillis());
    }
    if (changed) {
      rebuild();
    } else {
      snapshot = Map.copyOf(nodes);
    }
  }

  private void forget(String id) {
    nodes.remove(id);
    lastSeen.remove(id);
    upSince.remove(id);
  }

  private void rebuild() {
    version++;
    Map<Role, HashRing> next = new EnumMap<>(Role.class);
    for (Role r : Role.values()) {
      Set<String> members = new TreeSet<>();
      nodes.forEach((id, d) -> {
        if (d.getJsonArray("roles", new JsonArray()).contains(r.id())) {
          members.add(id);
        }
      });
      next.put(r, HashRing.of(version, virtualNodes, members));
    }
    rings = next;
    snapshot = Map.copyOf(nodes);
    for (Listener l : listeners) {
      l.context().runOnContext(v -> l.action().run());
    }
  }

  /** Context the membership runs on (for tests and diagnostics). */
  Context context() {
    return context;
  }
}
