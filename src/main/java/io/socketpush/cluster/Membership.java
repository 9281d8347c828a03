package io.socketpush.cluster;

import io.socketpush.config.NodeConfig.Role;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one class that knows who is in the cluster. Three sources, one truth:
 * <ul>
 *   <li>heartbeats: every node publishes its descriptor (nodeId, roles, client URL, admin URL, started-at,
 *   cluster-manager id, whom it hears, whether it is fenced) on a cluster-wide address; a node missing them
 *   for {@code cluster.nodeTimeout} leaves the rings, a node leaving gracefully says so;</li>
 *   <li>the cluster manager's view ({@link ClusterView}): a node whose JGroups member left the view leaves
 *   the rings at once, and a heartbeat from a member outside the view is held back until it is in it;</li>
 *   <li>a registry of descriptors in the distributed data ({@link Addresses#NODES_MAP}), read at start so a
 *   joining node sees the whole cluster before it serves.</li>
 * </ul>
 * Every change rebuilds the per-role {@link Rings} and notifies listeners on their own context. Rings are
 * immutable and published through a volatile field, so any thread may read them.
 *
 * <p>The decisions are small pure classes; this one runs the timers, the event-bus consumer, the registry,
 * the view listener and the rejoin, and applies what they decide: {@link PeerTable} (who is known, held back
 * for the view, silent, heard), {@link Quorum} (minority fencing: a server node serves only while a majority
 * of the last-known cluster confirms that it hears it; a fenced node owns no shard, its services refuse calls
 * ({@link #fenceInterceptor}), its edge sends its clients elsewhere, the others leave it out of their rings;
 * see README "Partitions"), {@link Deafness} (a node the cluster stopped delivering to after a merge
 * re-registers). What JGroups already does and why the rest stays here: docs/ARCHITECTURE.md, "cluster".
 */
public final class Membership {
  private static final Logger LOG = LoggerFactory.getLogger(Membership.class);
  private static final String KIND = "kind";
  private static final long REGISTRY_TTL_MS = 120_000;

  private final Vertx vertx;
  private final JsonObject self;
  private final String nodeId;
  private final long heartbeatInterval;
  private final long nodeTimeout;
  private final int virtualNodes;
  /** Whether this node runs a role (client-only members are never fenced). */
  private final boolean server;
  // confined to the context that called start()
  private final PeerTable peers;
  private final Quorum quorum;
  private final Deafness deafness;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final List<Listener> rejoinListeners = new CopyOnWriteArrayList<>();
  private final List<Runnable> ringWatchers = new CopyOnWriteArrayList<>();
  private Context context;
  private ClusterView view;
  private AsyncMap<String, String> registry;
  private MessageConsumer<JsonObject> consumer;
  private long heartbeatTimer = -1;
  private long fenceTimer = -1;
  private long ticks;
  private volatile long lastTick;
  private boolean rejoining;
  private long viewChangedAt;
  private volatile Rings rings;
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
    this.server = PeerTable.isServer(self);
    this.peers = new PeerTable(nodeId, nodeTimeout, heartbeatInterval + heartbeatInterval / 2);
    this.quorum = new Quorum(nodeId, heartbeatInterval, nodeTimeout);
    this.deafness = new Deafness(nodeTimeout);
    this.rings = Rings.empty(virtualNodes);
  }

  /**
   * Joins: listens to the cluster view, reads the registry, starts heartbeats. Completes once this node
   * sees itself and every registered live member in the rings.
   */
  public Future<Void> start() {
    context = vertx.getOrCreateContext();
    quorum.start(System.currentTimeMillis());
    view = ClusterView.attach(vertx, change -> context.runOnContext(v -> onView(change)));
    if (view != null) {
      self.put("clusterNodeId", view.localId());
      peers.view(view.members());
    }
    consumer = vertx.eventBus().consumer(Addresses.MEMBERSHIP, this::onMessage);
    Future<Void> known = consumer.completion();
    if (vertx.isClustered()) {
      known = known.compose(v -> vertx.sharedData().<String, String>getAsyncMap(Addresses.NODES_MAP))
          .compose(map -> {
            registry = map;
            return map.put(nodeId, self.encode(), REGISTRY_TTL_MS).compose(v -> map.values());
          })
          .map(values -> {
            for (String s : values) {
              JsonObject d = new JsonObject(s);
              if (!nodeId.equals(d.getString("nodeId"))) {
                onHeartbeat(d, false, System.currentTimeMillis());
              }
            }
            return null;
          });
    }
    return known.compose(v -> {
      onHeartbeat(self.copy(), true, System.currentTimeMillis());
      publish("hello");
      heartbeatTimer = vertx.setPeriodic(heartbeatInterval, t -> tick());
      fenceTimer = vertx.setPeriodic(Math.max(50, heartbeatInterval / 4), t -> evaluateQuorum(System.currentTimeMillis()));
      if (!vertx.isClustered()) {
        return Future.succeededFuture();
      }
      // give members that were not yet in the registry one round to answer our hello
      return vertx.timer(Math.min(heartbeatInterval, 300));
    });
  }

  /** Says goodbye: other nodes drop this one from their rings at once. */
  public Future<Void> leave() {
    leaving = true;
    if (heartbeatTimer >= 0) {
      vertx.cancelTimer(heartbeatTimer);
    }
    if (fenceTimer >= 0) {
      vertx.cancelTimer(fenceTimer);
    }
    publish("leave");
    if (view != null) {
      view.detach();
    }
    // the consumer goes with the deploying verticle; unregistering here would drop our own leave notice
    return registry == null ? Future.succeededFuture()
        : registry.removeIfPresent(nodeId, self.encode()).<Void>mapEmpty().recover(err -> Future.succeededFuture());
  }

  /** This node's id. */
  public String nodeId() {
    return nodeId;
  }

  /** Current ring of a role (immutable). */
  public HashRing ring(Role role) {
    return rings.byRole().get(role);
  }

  /** Current descriptors of live nodes by node id (immutable snapshot). */
  public Map<String, JsonObject> nodes() {
    return snapshot;
  }

  /**
   * Version of the whole membership: a hash of every member's id, start time and roles. Equal on every
   * node that sees the same members; changes on every join, leave and restart. Not a counter.
   */
  public long version() {
    return rings.version();
  }

  /**
   * Whether this node is fenced: it cannot see a majority of the last-known cluster (or it just woke from
   * a pause), so it owns no shard, its services answer UNAVAILABLE and its edge sends clients elsewhere.
   * A tick overdue by more than a fence period counts already: requests that queued up while this node
   * stood still run before that tick (seen: a woken owner serving queued publishes from stale positions).
   */
  public boolean fenced() {
    return quorum.fenced() || (!leaving && server && quorum.overdue(lastTick, System.currentTimeMillis()));
  }

  /** Why this node is fenced (empty when it is not). */
  public String fenceReason() {
    return quorum.reason();
  }

  /**
   * A service-proxy interceptor that fails every call with UNAVAILABLE while this node is fenced, so a
   * minority never answers from its partial copy of the data (e.g. an empty subscriber list).
   */
  public io.vertx.serviceproxy.ServiceInterceptor fenceInterceptor() {
    return (vx, ctx, msg) -> fenced()
        ? io.socketpush.error.Failure.UNAVAILABLE.fail(partitionedMessage())
        : Future.succeededFuture(msg);
  }

  /** The message of calls a fenced node refuses. */
  public String partitionedMessage() {
    String why = quorum.reason().isEmpty() ? "it stood still and has not checked the cluster since" : quorum.reason();
    return "node " + nodeId + " is partitioned (" + why + "): it serves nothing until it sees a majority"
        + " of the cluster again; retry on another node";
  }

  /** Whether this node is leaving the cluster. */
  public boolean leaving() {
    return leaving;
  }

  /** Updates a field of this node's own descriptor (e.g. a bound URL) and publishes it at once. */
  public void describeSelf(String key, Object value) {
    self.put(key, value);
    if (context != null && !leaving) {
      context.runOnContext(v -> {
        onHeartbeat(self.copy(), false, System.currentTimeMillis());
        publish("hb");
        if (registry != null) {
          registry.put(nodeId, self.encode(), REGISTRY_TTL_MS);
        }
      });
    }
  }

  /**
   * Runs {@code action} on the caller's context after every ring change, until the returned remover runs
   * (a verticle's stop()).
   */
  public Runnable onChange(Runnable action) {
    Listener l = new Listener(vertx.getOrCreateContext(), action);
    listeners.add(l);
    return () -> listeners.remove(l);
  }

  /**
   * Runs {@code watcher} on the membership's own context right after every ring rebuild, before the
   * {@link #onChange} listeners hear of it; unlike those it is kept across a rejoin. For the shard layer,
   * which must move calls off a node the moment the rings drop it: the watcher must be quick and thread-safe.
   */
  public void watchRings(Runnable watcher) {
    ringWatchers.add(watcher);
  }

  /**
   * Runs {@code action} on the caller's context when this node must re-register its event-bus consumers
   * (the cluster dropped them while the node was excluded from the view): redeploy the roles. Listeners of {@link #onChange}
   * are dropped at that moment; the redeployed roles add theirs again. Until the returned remover runs (the node's stop()).
   */
  public Runnable onRejoin(Runnable action) {
    Listener l = new Listener(vertx.getOrCreateContext(), action);
    rejoinListeners.add(l);
    return () -> rejoinListeners.remove(l);
  }

  /** Epoch millis since which each live node is up (its own start time), by node id. */
  public Map<String, Long> upSince() {
    Map<String, Long> out = new TreeMap<>();
    snapshot.forEach((id, d) -> out.put(id, d.getLong("startedAt", 0L)));
    return out;
  }

  private void tick() {
    long started = System.currentTimeMillis();
    if (deafness.paused(lastTick, started)) {
      // the silence was ours: give every member a fresh period to be heard again instead of dropping them all
      LOG.warn("[{}] no heartbeat tick for {} ms (this node was paused): re-arming heartbeat timeouts", nodeId, started - lastTick);
      peers.rearm(started);
    }
    if (quorum.overdue(lastTick, started)) {
      quorum.forgetConfirmations(); // fence now, serve again only once a majority confirmed us afresh
      if (!leaving && PeerTable.isServer(self)) {
        apply(quorum.fence("this node stood still for " + (started - lastTick) + " ms", started));
      }
    }
    lastTick = started;
    publish("hb");
    ticks++;
    if (view != null && peers.hasPending()) {
      // a view event can name a newcomer by its UUID before JGroups learnt its logical name (seen: a restarted
      // node2 held back for 105 s, until the next view change); the cluster manager's current list has the name
      Set<String> current = view.members();
      if (!current.equals(peers.view())) {
        onView(new ClusterView.Change(current, null));
      }
    }
    if (ticks % 5 == 0) {
      checkRegistered(); // also catches a lost registration without a merge event
    }
    if (registry != null && ticks % Math.max(1, (REGISTRY_TTL_MS / 4) / heartbeatInterval) == 0) {
      registry.put(nodeId, self.encode(), REGISTRY_TTL_MS);
    }
    long now = System.currentTimeMillis();
    List<String> gone = peers.silent(now);
    int viewSize = view != null && !leaving && peers.view() != null ? peers.view().size() : 0;
    if (quorum.mayRejoin(viewChangedAt) && deafness.aloneTooLong(now, viewSize, peers.size(), rejoining)) {
      LOG.warn("[{}] no peer heard for {} ms although the cluster view has {} members", nodeId, deafness.aloneFor(now), viewSize);
      deafness.restartAlone(now);
      rejoin();
    }
    if (!gone.isEmpty()) {
      boolean deaf = view != null && !leaving && !rejoining && peers.view() != null
          && deafness.deaf((int) peers.countInView(gone), peers.othersInView(), peers.heardByOthers(gone, now), now);
      gone.forEach(id -> LOG.warn("[{}] node {} missed heartbeats for {} ms: removed from rings", nodeId, id, nodeTimeout));
      gone.forEach(this::forget);
      deafness.peersDropped();
      rebuild();
      if (deaf && quorum.mayRejoin(viewChangedAt)) {
        deafness.forgetWake(); // one rejoin per wake-up; a still-deaf node retries only when every peer is silent again
        rejoin();
      }
    }
    peers.seen(nodeId, now);
    evaluateQuorum(now);
  }

  private void evaluateQuorum(long now) {
    if (leaving || !PeerTable.isServer(self) || context == null) {
      return;
    }
    apply(quorum.evaluate(now, peers.ids(), peers.serverIds(), peers.heard()));
  }

  private void apply(Quorum.Outcome outcome) {
    switch (outcome.kind()) {
      case FENCED -> {
        LOG.warn("[{}] fenced: {}; this node owns no shard, refuses calls and sends its clients elsewhere until a"
            + " majority confirms it for {} ms", nodeId, outcome.detail(), quorum.holdDown());
        rebuild();
        publish("hb"); // peers that still hear us leave us out of their rings at once
      }
      case SERVING_AGAIN -> {
        LOG.warn("[{}] {}: serving again", nodeId, outcome.detail());
        rebuild();
        publish("hb");
      }
      case BASELINE_MOVED -> LOG.info("[{}] last-known cluster (the majority base) is now {}", nodeId, outcome.detail());
      default -> {
      }
    }
  }

  private void publish(String kind) {
    JsonObject d = self.copy();
    if (context != null) {
      // which nodes we hear: lets a peer whose outgoing traffic is lost learn that we do not hear it
      d.put("hears", peers.hears(System.currentTimeMillis())).put("fenced", quorum.fenced());
    }
    vertx.eventBus().publish(Addresses.MEMBERSHIP, d, new DeliveryOptions().addHeader(KIND, kind));
  }

  /**
   * A new cluster view: drop nodes whose member left it, admit held-back nodes that are now in it. After a
   * merge, a node that comes back from a smaller partition (it was frozen, or cut off) checks that it is
   * still registered: the majority dropped its event-bus registrations while it was away, and
   * vertx-infinispan does not restore them.
   */
  private void onView(ClusterView.Change change) {
    if (leaving) {
      return;
    }
    Set<String> members = change.members();
    long now = System.currentTimeMillis();
    viewChangedAt = now;
    if (change.mergedPartitions() != null) {
      deafness.merged(now);
      vertx.setTimer(1_000, t -> checkRegistered()); // once the merged registry settled
    }
    LOG.info("[{}] cluster view: {} members {}", nodeId, members.size(), members);
    boolean grew = peers.view(members);
    boolean changed = false;
    for (String id : peers.outsideView()) {
      LOG.warn("[{}] node {} left the cluster view: removed from rings", nodeId, id);
      forget(id);
      changed = true;
    }
    for (JsonObject d : peers.releaseInView()) {
      changed |= admit(d, now);
    }
    if (changed) {
      rebuild();
    }
    if (grew) {
      publish("hb"); // newcomers learn about us now rather than at our next tick
    }
    evaluateQuorum(now);
  }

  /** Rejoins if the cluster lost this node's registrations (see {@link ClusterView#registered}). */
  private void checkRegistered() {
    if (view == null || leaving || rejoining || consumer == null) {
      return;
    }
    view.registered(Addresses.MEMBERSHIP).onComplete(ar -> context.runOnContext(v -> {
      if (ar.succeeded() && !ar.result() && !leaving && !rejoining) {
        rejoin();
      }
    }));
  }

  /** Re-registers this node's consumers cluster-wide: our own here, the roles' through the rejoin listeners. */
  private void rejoin() {
    if (rejoining || leaving) {
      return;
    }
    LOG.warn("[{}] the cluster lost this node's event-bus registrations (it was excluded from the view, e.g. frozen):"
        + " re-registering this node's consumers", nodeId);
    rejoining = true;
    long now = System.currentTimeMillis();
    deafness.rejoining(now);
    peers.rearm(now); // the peers get a fresh period to be heard once we can hear again
    MessageConsumer<JsonObject> old = consumer;
    // every step is bounded: before the merge completes, the cluster-wide writes may not finish at all; a
    // failed attempt is retried by the deafness checks of later ticks
    view.restoreNodeInfo().timeout(nodeTimeout, TimeUnit.MILLISECONDS)
        .compose(v -> old.unregister().timeout(nodeTimeout, TimeUnit.MILLISECONDS))
        .compose(v -> {
          consumer = vertx.eventBus().consumer(Addresses.MEMBERSHIP, this::onMessage);
          return consumer.completion().timeout(nodeTimeout, TimeUnit.MILLISECONDS);
        })
        .onComplete(ar -> context.runOnContext(x -> {
          rejoining = false;
          if (ar.failed()) {
            LOG.warn("[{}] re-registering failed ({}): trying again while the peers stay silent", nodeId, ar.cause().getMessage());
            deafness.woke(System.currentTimeMillis());
            return;
          }
          listeners.clear(); // the roles re-register theirs when they are deployed again
          publish("hello");
          if (registry != null) {
            registry.put(nodeId, self.encode(), REGISTRY_TTL_MS);
          }
          for (Listener l : rejoinListeners) {
            l.context().runOnContext(v -> l.action().run());
          }
        }));
  }

  private void onMessage(Message<JsonObject> msg) {
    JsonObject d = msg.body();
    String kind = msg.headers().get(KIND);
    if (d == null || d.getString("nodeId") == null) {
      return;
    }
    String id = d.getString("nodeId");
    if ("leave".equals(kind)) {
      peers.dropPending(id);
      if (!id.equals(nodeId) && peers.sameIncarnation(d)) {
        LOG.info("[{}] node {} left", nodeId, id);
        forget(id);
        quorum.left(id); // a graceful leave (rolling restart) shrinks the cluster the majority counts from
        rebuild();
      }
      return;
    }
    if (id.equals(nodeId)) {
      return;
    }
    boolean isNew = !peers.contains(id);
    long now = System.currentTimeMillis();
    if (onHeartbeat(d, false, now)) {
      peers.heard(id);
      JsonArray hears = d.getJsonArray("hears");
      if (hears == null || hears.contains(nodeId)) {
        quorum.confirmed(id, now);
      }
      if (isNew && "hello".equals(kind) && !leaving) {
        publish("hb"); // let the newcomer learn about us now rather than at our next tick
      }
    }
    evaluateQuorum(now);
  }

  /** Takes a descriptor in; true if the node is (now) in the rings. */
  private boolean onHeartbeat(JsonObject d, boolean force, long now) {
    if (peers.holdBack(d)) {
      return false; // a member the cluster view does not (yet) contain: wait for the view
    }
    if (admit(d, now) || force) {
      rebuild();
    } else {
      snapshot = peers.snapshot();
    }
    return true;
  }

  /** Records a descriptor; true if the rings must change. */
  private boolean admit(JsonObject d, long now) {
    String id = d.getString("nodeId");
    PeerTable.Admission a = peers.admit(d, now);
    if (a.isNew()) {
      quorum.confirmed(id, now); // a newcomer gets one fence period to learn of us
    }
    if (a == PeerTable.Admission.JOINED && !id.equals(nodeId)) {
      LOG.info("[{}] node {} joined with roles {}", nodeId, id, d.getJsonArray("roles"));
    } else if (a == PeerTable.Admission.RESTARTED) {
      LOG.info("[{}] node {} restarted", nodeId, id);
    }
    return a.changesRings();
  }

  private void forget(String id) {
    peers.forget(id);
    quorum.forget(id);
  }

  private void rebuild() {
    Map<String, JsonObject> nodes = peers.snapshot();
    rings = Rings.of(nodes, nodeId, quorum.fenced(), virtualNodes);
    snapshot = nodes;
    for (Runnable w : ringWatchers) {
      try {
        w.run();
      } catch (RuntimeException e) {
        LOG.warn("[{}] ring watcher failed: {}", nodeId, e.toString(), e);
      }
    }
    for (Listener l : listeners) {
      l.context().runOnContext(v -> l.action().run());
    }
  }

  /** Context the membership runs on (for tests and diagnostics). */
  Context context() {
    return context;
  }
}
