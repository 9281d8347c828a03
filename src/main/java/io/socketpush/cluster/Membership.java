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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one class that knows who is in the cluster. Three sources, one truth:
 * <ul>
 *   <li>heartbeats: every node publishes its descriptor (nodeId, roles, client URL, admin URL, started-at,
 *   cluster-manager id) on a cluster-wide address; a node missing them for {@code cluster.nodeTimeout}
 *   leaves the rings, a node leaving gracefully says so;</li>
 *   <li>the cluster manager's view ({@link ClusterView}): a node whose JGroups member left the view leaves
 *   the rings at once, and a heartbeat from a member outside the view is held back until it is in it;</li>
 *   <li>a registry of descriptors in the distributed data ({@value #REGISTRY}), read at start so a joining
 *   node sees the whole cluster before it serves.</li>
 * </ul>
 * Every change rebuilds the per-role {@link HashRing}s and notifies listeners on their own context. Ring
 * versions are derived from the membership itself (a hash of the members), so every node that sees the
 * same members reports the same versions.
 *
 * <p>Rings are immutable and published through a volatile field, so any thread may read them.
 *
 * <p><b>Partitions (minority fencing).</b> A server node serves only while it sees a majority of the
 * <em>last-known cluster</em> (the server nodes in its rings the last time it had a majority: the baseline).
 * A peer counts towards that majority only while its heartbeats keep saying that it hears this node
 * ({@code hears}, heard within {@link #hearWindow}): so a node whose outgoing traffic is lost learns it too.
 * A node without a majority for {@link #fenceAfter} (less than {@code nodeTimeout}, after which the majority
 * drops it) is <em>fenced</em>: its rings are empty (it owns no shard, every call it would route fails
 * UNAVAILABLE), its services refuse calls ({@link #fenceInterceptor}), its edge closes its sockets with
 * "partitioned" so clients reconnect to another edge, and other nodes leave it out of their rings. It
 * serves again once a majority has confirmed it without a break for {@code nodeTimeout}. A node that
 * stood still longer than {@link #fenceAfter} (SIGSTOP, GC pause) fences itself when it wakes. Graceful
 * leaves and nodes dropped while this node had a majority shrink the baseline; see README "Partitions".
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
  /** A peer lists in its heartbeats ("hears") the nodes it heard within this many ms. */
  private final long hearWindow;
  /** Without a majority confirming this node for this many ms, it fences itself (less than nodeTimeout). */
  private final long fenceAfter;
  /** A fenced node serves again after a majority confirmed it without a break for this many ms. */
  private final long holdDown;
  /** Whether this node runs a role (client-only members are never fenced). */
  private final boolean server;

  // confined to the context that called start()
  private final Map<String, JsonObject> nodes = new HashMap<>();
  private final Map<String, JsonObject> pending = new HashMap<>();
  private final Map<String, Long> lastSeen = new HashMap<>();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final List<Listener> rejoinListeners = new CopyOnWriteArrayList<>();
  private final List<Runnable> ringWatchers = new CopyOnWriteArrayList<>();
  private Context context;
  private ClusterView view;
  private Set<String> viewMembers;
  private AsyncMap<String, String> registry;
  private MessageConsumer<JsonObject> consumer;
  private long heartbeatTimer = -1;
  private long ticks;
  private volatile long lastTick;
  private boolean rejoining;
  /** When this node last found itself paused or merged back into the view (it may have become deaf then). */
  private long wokeAt;
  /** When this node last tried to register again (0: never). */
  private long lastRejoin;
  /** Since when this node hears no peer although the cluster view has other members (0: it hears some). */
  private long aloneSince;
  /**
   * Whether this node lost its peers in a way that can mean it is deaf: it dropped peers for silence, or it
   * merged back into the view. Until then a node alone in a bigger view is only early: the other members
   * joined the view and are still deploying their roles (seen: 5.7 s on the loaded CI machine), and
   * re-registering would redeploy this node's roles under them.
   */
  private boolean peersLost;
  /** Server node ids of the last cluster this node saw a majority of (null: not decided yet). */
  private Set<String> baseline;
  /** Per peer: when its heartbeat last said that it hears this node (or when it was admitted). */
  private final Map<String, Long> confirmedAt = new HashMap<>();
  /** Peers whose own heartbeats reached this node (not only their registry entry). */
  private final Set<String> heardFrom = new java.util.HashSet<>();
  /** While fenced: since when a majority confirms this node without a break (0: it does not). */
  private long quorumSince;
  private long fenceTimer = -1;
  private long startedMs;
  private long fencedAt;
  private long viewChangedAt;
  private volatile boolean fenced;
  private volatile String fenceReason = "";
  private volatile Map<Role, HashRing> rings = new EnumMap<>(Role.class);
  private volatile Map<String, JsonObject> snapshot = Map.of();
  private volatile long version;
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
    this.hearWindow = heartbeatInterval + heartbeatInterval / 2;
    this.fenceAfter = Math.max(heartbeatInterval, Math.min(nodeTimeout - 2 * heartbeatInterval, 2 * heartbeatInterval));
    this.holdDown = nodeTimeout;
    this.server = !self.getJsonArray("roles", new JsonArray()).isEmpty();
    for (Role r : Role.values()) {
      rings.put(r, HashRing.of(0, virtualNodes, List.of()));
    }
  }

  /**
   * Joins: listens to the cluster view, reads the registry, starts heartbeats. Completes once this node
   * sees itself and every registered live member in the rings.
   */
  public Future<Void> start() {
    context = vertx.getOrCreateContext();
    startedMs = System.currentTimeMillis();
    view = ClusterView.attach(vertx, change -> context.runOnContext(v -> onView(change)));
    if (view != null) {
      self.put("clusterNodeId", view.localId());
      viewMembers = view.members();
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
                onHeartbeat(d, false);
              }
            }
            return null;
          });
    }
    return known.compose(v -> {
      onHeartbeat(self.copy(), true);
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
    return rings.get(role);
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
    return version;
  }

  /**
   * Whether this node is fenced: it cannot see a majority of the last-known cluster (or it just woke from
   * a pause), so it owns no shard, its services answer UNAVAILABLE and its edge sends clients elsewhere.
   */
  public boolean fenced() {
    return fenced || stoodStill(System.currentTimeMillis());
  }

  /**
   * Whether this node's heartbeat tick is overdue by more than a fence period: it was frozen and has not run
   * its tick yet. Requests that queued up while it stood still run before that tick, so they must see the
   * fence already (seen: a woken owner serving queued publishes from its stale stream positions).
   */
  private boolean stoodStill(long now) {
    return !leaving && server && overdue(lastTick, now, fenceAfter + heartbeatInterval);
  }

  /** Whether a tick last run at {@code lastTick} (0: never) is overdue by more than {@code limit} at {@code now}. */
  static boolean overdue(long lastTick, long now, long limit) {
    return lastTick > 0 && now - lastTick > limit;
  }

  /** Why this node is fenced (empty when it is not). */
  public String fenceReason() {
    return fenceReason;
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
    String why = fenceReason.isEmpty() ? "it stood still and has not checked the cluster since" : fenceReason;
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
        onHeartbeat(self.copy(), false);
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

  /** Epoch millis since which each live node is up (its own start time), by node id. */
  public Map<String, Long> upSince() {
    Map<String, Long> out = new TreeMap<>();
    snapshot.forEach((id, d) -> out.put(id, d.getLong("startedAt", 0L)));
    return out;
  }

  private void tick() {
    long started = System.currentTimeMillis();
    if (lastTick > 0 && started - lastTick > nodeTimeout) {
      // this node itself stood still (frozen JVM, long GC pause, starved CPU): the silence was ours, so
      // give every member a fresh period to be heard again instead of dropping them all
      LOG.warn("[{}] no heartbeat tick for {} ms (this node was paused): re-arming heartbeat timeouts", nodeId, started - lastTick);
      lastSeen.replaceAll((id, seen) -> started);
      wokeAt = started;
    }
    if (lastTick > 0 && started - lastTick > fenceAfter + heartbeatInterval) {
      // the majority may have dropped us and acknowledged publishes our sockets never got: fence now, serve
      // again only once a majority confirmed us afresh
      confirmedAt.clear();
      fence("this node stood still for " + (started - lastTick) + " ms");
    }
    lastTick = started;
    publish("hb");
    ticks++;
    if (view != null && !pending.isEmpty()) {
      // a view event can name a newcomer by its UUID before JGroups learnt its logical name (seen: a restarted
      // node2 held back for 105 s, until the next view change); the cluster manager's current list has the name
      Set<String> current = view.members();
      if (!current.equals(viewMembers)) {
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
    List<String> gone = new ArrayList<>();
    lastSeen.forEach((id, seen) -> {
      if (!id.equals(nodeId) && now - seen > nodeTimeout) {
        gone.add(id);
      }
    });
    if (mayRejoin() && aloneTooLong(now)) {
      LOG.warn("[{}] no peer heard for {} ms although the cluster view has {} members", nodeId, now - aloneSince, viewMembers.size());
      aloneSince = now;
      rejoin();
    }
    if (!gone.isEmpty()) {
      boolean deaf = deaf(gone, now);
      gone.forEach(id -> LOG.warn("[{}] node {} missed heartbeats for {} ms: removed from rings", nodeId, id, nodeTimeout));
      gone.forEach(this::forget);
      peersLost = true;
      rebuild();
      if (deaf && mayRejoin()) {
        wokeAt = 0; // one rejoin per wake-up; a still-deaf node retries only when every peer is silent again
        rejoin();
      }
    }
    lastSeen.put(nodeId, now);
    evaluateQuorum(now);
  }

  /**
   * A fenced node re-registers only after the cluster view changed since it was fenced (a merge): before,
   * it is cut off and re-registering (which redeploys the roles) cannot succeed.
   */
  private boolean mayRejoin() {
    return !fenced || viewChangedAt > fencedAt;
  }

  private boolean isServer(JsonObject d) {
    return d != null && !d.getJsonArray("roles", new JsonArray()).isEmpty();
  }

  /** Server node ids in the rings now (fenced ones included: they are members, just not serving). */
  private Set<String> serverIds() {
    Set<String> ids = new TreeSet<>();
    nodes.forEach((id, d) -> {
      if (isServer(d)) {
        ids.add(id);
      }
    });
    return ids;
  }

  /**
   * Decides whether this node may serve: fences it when a majority of the baseline stopped confirming it,
   * lifts the fence after {@link #holdDown} of uninterrupted majority, and moves the baseline to the current
   * members while it has a majority.
   */
  private void evaluateQuorum(long now) {
    if (leaving || !isServer(self) || context == null) {
      return;
    }
    if (now - startedMs < nodeTimeout + fenceAfter) {
      // starting: the baseline grows with every server node heard (registry entries of dead nodes, never
      // heard, stay out of it); fencing starts once the start is over
      if (baseline == null) {
        baseline = new TreeSet<>(Set.of(nodeId));
      }
      for (String id : serverIds()) {
        if (heardFrom.contains(id)) {
          baseline.add(id);
        }
      }
      return;
    }
    if (baseline == null) {
      baseline = new TreeSet<>(Set.of(nodeId));
    }
    Set<String> voters = baseline;
    boolean majority = hasMajority(voters, nodeId, id -> {
      Long c = confirmedAt.get(id);
      return nodes.containsKey(id) && c != null && now - c <= fenceAfter;
    });
    if (!majority) {
      quorumSince = 0;
      if (!fenced) {
        long confirming = voters.stream().filter(id -> !id.equals(nodeId) && confirmedAt.containsKey(id)
            && now - confirmedAt.get(id) <= fenceAfter).count();
        fence("it sees " + (confirming + 1) + " of the last-known " + voters.size() + " nodes " + voters + ", no majority");
      }
      return;
    }
    if (fenced) {
      if (quorumSince == 0) {
        quorumSince = now;
      }
      if (now - quorumSince < holdDown) {
        return;
      }
      fenced = false;
      fenceReason = "";
      LOG.warn("[{}] a majority of {} confirmed this node for {} ms: serving again", nodeId, voters, now - quorumSince);
      baseline = serverIds();
      rebuild();
      publish("hb");
      return;
    }
    Set<String> current = serverIds();
    if (!current.equals(baseline)) {
      if (baseline != null) {
        LOG.info("[{}] last-known cluster (the majority base) is now {}", nodeId, current);
      }
      baseline = current;
    }
  }

  /**
   * Whether this node and the voters that confirm it are a strict majority of {@code voters} (this node counts
   * itself even when it is not among them, e.g. while it joins).
   */
  static boolean hasMajority(Set<String> voters, String self, java.util.function.Predicate<String> confirms) {
    Set<String> all = new TreeSet<>(voters);
    all.add(self);
    long yes = all.stream().filter(id -> id.equals(self) || confirms.test(id)).count();
    return 2 * yes > all.size();
  }

  private void fence(String why) {
    if (fenced || leaving || !isServer(self)) {
      return;
    }
    fenced = true;
    fencedAt = System.currentTimeMillis();
    fenceReason = why;
    quorumSince = 0;
    LOG.warn("[{}] fenced: {}; this node owns no shard, refuses calls and sends its clients elsewhere until a"
        + " majority confirms it for {} ms", nodeId, why, holdDown);
    rebuild();
    publish("hb"); // peers that still hear us leave us out of their rings at once
  }

  /**
   * A node that hears nobody while the view lists other members (it dropped every peer for silence, or never
   * heard one after a merge) is deaf: it tries to register again every two node timeouts.
   */
  private boolean aloneTooLong(long now) {
    boolean alone = view != null && !leaving && viewMembers != null
        && aloneAndDeaf(viewMembers.size(), nodes.size(), peersLost);
    if (nodes.size() > 1) {
      peersLost = false;
    }
    if (!alone) {
      aloneSince = 0;
      return false;
    }
    if (aloneSince == 0) {
      aloneSince = now;
    }
    return !rejoining && now - aloneSince > nodeTimeout && now - lastRejoin > 2 * nodeTimeout;
  }

  /**
   * The decision of {@link #aloneTooLong} without the clock: this node is the only one in its rings
   * ({@code inRings} counts itself) while the cluster view has {@code viewSize} members, and that may be
   * deafness only if it lost peers before ({@code peersLost}: dropped for silence, or merged back); a node
   * that just started and has not heard the members still deploying is not deaf.
   */
  static boolean aloneAndDeaf(int viewSize, int inRings, boolean peersLost) {
    return viewSize > 1 && inRings <= 1 && peersLost;
  }

  /**
   * Whether the silence of {@code gone} says more about this node than about them: they are still members
   * of the cluster view, yet their heartbeats stopped reaching us, either every one of them at once (two
   * or more) or any of them shortly after this node was paused or merged back. That is a node whose
   * event-bus registrations the others dropped while it was excluded (vertx-infinispan does not restore
   * them on a merge, and this node's own copy of the registry may still list them, so
   * {@link #checkRegistered} cannot see it): nothing reaches it until it registers again.
   */
  private boolean deaf(List<String> gone, long now) {
    if (view == null || leaving || rejoining || viewMembers == null) {
      return false;
    }
    List<String> silentInView = gone.stream().filter(id -> nodes.get(id).getString("clusterNodeId") != null && inView(nodes.get(id))).toList();
    long othersInView = nodes.entrySet().stream()
        .filter(e -> !e.getKey().equals(nodeId) && e.getValue().getString("clusterNodeId") != null && inView(e.getValue())).count();
    return deafVerdict(silentInView.size(), othersInView, wokeAt, now, nodeTimeout);
  }

  /**
   * The decision of {@link #deaf}: {@code silent} of the {@code othersInView} peers in the view went quiet;
   * deaf if every one of them (two or more), or any of them within three node timeouts of this node's
   * last pause or merge ({@code wokeAt}, 0 if none).
   */
  static boolean deafVerdict(int silent, long othersInView, long wokeAt, long now, long nodeTimeout) {
    if (silent == 0) {
      return false;
    }
    boolean allSilent = silent >= 2 && silent == othersInView;
    boolean afterWake = wokeAt > 0 && now - wokeAt < 3 * nodeTimeout;
    return allSilent || afterWake;
  }

  private void publish(String kind) {
    JsonObject d = self.copy();
    if (context != null) {
      // which nodes we hear: lets a peer whose outgoing traffic is lost learn that we do not hear it
      long now = System.currentTimeMillis();
      JsonArray hears = new JsonArray();
      lastSeen.forEach((id, seen) -> {
        if (now - seen <= hearWindow) {
          hears.add(id);
        }
      });
      d.put("hears", hears).put("fenced", fenced);
    }
    vertx.eventBus().publish(Addresses.MEMBERSHIP, d, new DeliveryOptions().addHeader(KIND, kind));
  }

  /**
   * A new cluster view: drop nodes whose member left it, admit held-back nodes that are now in it. After a
   * merge, a node that comes back from a smaller partition (it was frozen, or cut off) rejoins: the
   * majority dropped its event-bus registrations while it was away, and vertx-infinispan does not restore
   * them.
   */
  private void onView(ClusterView.Change change) {
    if (leaving) {
      return;
    }
    Set<String> members = change.members();
    viewChangedAt = System.currentTimeMillis();
    if (change.mergedPartitions() != null) {
      wokeAt = System.currentTimeMillis();
      peersLost = true;
      vertx.setTimer(1_000, t -> checkRegistered()); // once the merged registry settled
    }
    boolean grew = viewMembers == null || !viewMembers.containsAll(members);
    LOG.info("[{}] cluster view: {} members {}", nodeId, members.size(), members);
    viewMembers = members;
    List<String> gone = new ArrayList<>();
    nodes.forEach((id, d) -> {
      if (!id.equals(nodeId) && !inView(d)) {
        gone.add(id);
      }
    });
    boolean changed = false;
    for (String id : gone) {
      LOG.warn("[{}] node {} left the cluster view: removed from rings", nodeId, id);
      forget(id);
      changed = true;
    }
    for (JsonObject d : new ArrayList<>(pending.values())) {
      if (inView(d)) {
        pending.remove(d.getString("nodeId"));
        changed |= admit(d);
      }
    }
    if (changed) {
      rebuild();
    }
    if (grew) {
      publish("hb"); // newcomers learn about us now rather than at our next tick
    }
    evaluateQuorum(System.currentTimeMillis());
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
    wokeAt = 0;
    long now = System.currentTimeMillis();
    lastRejoin = now;
    lastSeen.replaceAll((id, seen) -> now); // the peers get a fresh period to be heard once we can hear again
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
            wokeAt = System.currentTimeMillis();
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

  private boolean inView(JsonObject d) {
    String member = d.getString("clusterNodeId");
    return viewMembers == null || member == null || viewMembers.contains(member);
  }

  private void onMessage(Message<JsonObject> msg) {
    JsonObject d = msg.body();
    String kind = msg.headers().get(KIND);
    if (d == null || d.getString("nodeId") == null) {
      return;
    }
    String id = d.getString("nodeId");
    if ("leave".equals(kind)) {
      pending.remove(id);
      JsonObject known = nodes.get(id);
      if (!id.equals(nodeId) && known != null && known.getLong("startedAt", 0L).equals(d.getLong("startedAt", 0L))) {
        LOG.info("[{}] node {} left", nodeId, id);
        forget(id);
        if (baseline != null && !fenced) {
          baseline.remove(id); // a graceful leave (rolling restart) shrinks the cluster the majority counts from
        }
        rebuild();
      }
      return;
    }
    if (id.equals(nodeId)) {
      return;
    }
    boolean isNew = !nodes.containsKey(id);
    boolean admitted = onHeartbeat(d, false);
    JsonArray hears = d.getJsonArray("hears");
    if (admitted) {
      heardFrom.add(id);
    }
    if (admitted && (hears == null || hears.contains(nodeId))) {
      confirmedAt.put(id, System.currentTimeMillis());
    }
    if (admitted && isNew && "hello".equals(kind) && !leaving) {
      publish("hb"); // let the newcomer learn about us now rather than at our next tick
    }
    evaluateQuorum(System.currentTimeMillis());
  }

  /** Takes a descriptor in; true if the node is (now) in the rings. */
  private boolean onHeartbeat(JsonObject d, boolean force) {
    String id = d.getString("nodeId");
    if (!id.equals(nodeId) && !inView(d)) {
      pending.put(id, d); // a member the cluster view does not (yet) contain: wait for the view
      return false;
    }
    if (admit(d) || force) {
      rebuild();
    } else {
      snapshot = Map.copyOf(nodes);
    }
    return true;
  }

  /** Records a descriptor; true if the rings must change. */
  private boolean admit(JsonObject d) {
    String id = d.getString("nodeId");
    JsonObject old = nodes.get(id);
    long started = d.getLong("startedAt", 0L);
    if (old != null && old.getLong("startedAt", 0L) > started) {
      return false; // a late heartbeat of an earlier incarnation of a restarted node
    }
    lastSeen.put(id, System.currentTimeMillis());
    nodes.put(id, d);
    if (old == null || old.getLong("startedAt", 0L) != started) {
      confirmedAt.put(id, System.currentTimeMillis()); // a newcomer gets one fence period to learn of us
    }
    if (old == null) {
      if (!id.equals(nodeId)) {
        LOG.info("[{}] node {} joined with roles {}", nodeId, id, d.getJsonArray("roles"));
      }
      return true;
    }
    if (old.getLong("startedAt", 0L) != started) {
      LOG.info("[{}] node {} restarted", nodeId, id);
      return true;
    }
    return !old.getJsonArray("roles", new JsonArray()).equals(d.getJsonArray("roles"))
        || old.getBoolean("fenced", false) != d.getBoolean("fenced", false);
  }

  private void forget(String id) {
    nodes.remove(id);
    lastSeen.remove(id);
    confirmedAt.remove(id);
  }

  private void rebuild() {
    Map<Role, HashRing> next = new EnumMap<>(Role.class);
    StringBuilder all = new StringBuilder();
    new TreeMap<>(nodes).forEach((id, d) -> all.append(id).append('@').append(d.getLong("startedAt", 0L))
        .append(d.getJsonArray("roles", new JsonArray()).encode()).append(d.getBoolean("fenced", false) ? "!" : "").append(';'));
    if (fenced) {
      all.append("fenced:").append(nodeId); // a fenced node's (empty) rings never share a version with the cluster's
    }
    for (Role r : Role.values()) {
      Set<String> members = new TreeSet<>();
      nodes.forEach((id, d) -> {
        // a fenced node owns nothing: it has no rings, and the others leave it out of theirs
        if (!fenced && !d.getBoolean("fenced", false) && d.getJsonArray("roles", new JsonArray()).contains(r.id())) {
          members.add(id);
        }
      });
      next.put(r, HashRing.of(versionOf(r.id() + ":" + String.join(",", members)), virtualNodes, members));
    }
    version = versionOf(all.toString());
    rings = next;
    snapshot = Map.copyOf(nodes);
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

  /** A positive 53-bit hash (exact in JSON numbers everywhere) of the ring's hash function. */
  static long versionOf(String s) {
    return HashRing.hash(s) & 0x1F_FFFF_FFFF_FFFFL;
  }

  /** Context the membership runs on (for tests and diagnostics). */
  Context context() {
    return context;
  }
}
