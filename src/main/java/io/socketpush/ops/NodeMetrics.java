package io.socketpush.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.socketpush.cluster.Membership;
import io.socketpush.config.NodeConfig.Role;
import io.socketpush.error.Failure;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.metrics.MetricsProvider;
import io.vertx.micrometer.backends.BackendRegistries;
import io.vertx.micrometer.impl.MicrometerMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * socket-push's own meters for one node, the small facade the roles call ({@code frameIn()},
 * {@code delivered(kind, n, stamp)}, ...). Every meter carries a {@code node} tag.
 *
 * <p>Meters live in the Vert.x Micrometer registry when Vert.x metrics are enabled with the Prometheus
 * backend, so one scrape gives {@code vertx_*}, JVM and {@code socketpush_*} series. Otherwise the node
 * keeps a Prometheus registry of its own (socket-push and JVM meters only) and {@code /metrics} says so.
 * All methods are thread-safe; the gauges of the edge's sockets are set from the edge's own stats
 * ({@link #refresh(JsonObject)}), read on the edge's event loop, never by iterating its maps from here.
 */
public final class NodeMetrics {
  /** Delivery kinds. */
  public static final String USER = "user";
  public static final String CHANNEL = "channel";

  /** Latency buckets (seconds) for the delivery and event-bus timers: sub-millisecond to 10 s. */
  private static final Duration[] BUCKETS = {
      Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2),
      Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
      Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
      Duration.ofMillis(2_500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

  /** Identifies this JVM in send stamps, so same-JVM deliveries use the monotonic clock. */
  private static final String JVM = UUID.randomUUID().toString().substring(0, 8);

  private final String nodeId;
  private final MeterRegistry registry;
  private final PrometheusMeterRegistry prometheus;
  private final boolean vertxMetrics;
  private final String backend;
  private final PrometheusMeterRegistry own;
  private final JvmGcMetrics gc;
  private final List<Meter> meters = new CopyOnWriteArrayList<>();
  private final Map<String, Counter> lazyCounters = new ConcurrentHashMap<>();
  private final Map<String, Timer> lazyTimers = new ConcurrentHashMap<>();

  private final AtomicLong socketsOpen = new AtomicLong();
  private final AtomicLong socketsAuthenticated = new AtomicLong();
  private final AtomicLong localUsers = new AtomicLong();
  private final AtomicLong localChannels = new AtomicLong();
  private final Counter framesIn;
  private final Counter framesOut;
  private final Counter slowConsumerCloses;

  private NodeMetrics(String nodeId, MeterRegistry vertxRegistry, String backend) {
    this.nodeId = nodeId;
    this.backend = backend;
    PrometheusMeterRegistry p = prometheusOf(vertxRegistry);
    if (p != null) {
      registry = vertxRegistry;
      prometheus = p;
      vertxMetrics = true;
      own = null;
      gc = null;
    } else {
      // no Vert.x Prometheus registry: our meters and the JVM's, in a registry of this node's own
      own = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      registry = own;
      prometheus = own;
      vertxMetrics = false;
      new ClassLoaderMetrics().bindTo(own);
      new JvmMemoryMetrics().bindTo(own);
      new JvmThreadMetrics().bindTo(own);
      new ProcessorMetrics().bindTo(own);
      new UptimeMetrics().bindTo(own);
      gc = new JvmGcMetrics();
      gc.bindTo(own);
    }
    gauge("socketpush.sockets.open", "Client sockets open on this node.", socketsOpen);
    gauge("socketpush.sockets.authenticated", "Authenticated client sockets on this node.", socketsAuthenticated);
    gauge("socketpush.users.local", "Users with at least one socket on this node.", localUsers);
    gauge("socketpush.channels.local", "Channels with local subscribers on this node.", localChannels);
    framesIn = counter("socketpush.frames.in", "Frames received from clients.", Tags.empty());
    framesOut = counter("socketpush.frames.out", "Frames written to clients (deliveries, replies, errors).", Tags.empty());
    slowConsumerCloses = counter("socketpush.slow.consumer.closes", "Sockets closed because their write queue was full.", Tags.empty());
    for (String kind : List.of(USER, CHANNEL)) {
      delivered(kind);
      deliveryTimer(kind);
    }
    for (Failure f : List.of(Failure.AUTH_FAILED, Failure.UNAVAILABLE, Failure.TIMEOUT)) {
      authFailures(f);
    }
  }

  /** Meters of a node on the Vert.x instance's Micrometer registry when there is one. */
  static NodeMetrics create(Vertx vertx, String nodeId) {
    MeterRegistry r = vertxRegistry(vertx);
    String backend = r == null ? "none" : prometheusOf(r) != null ? "prometheus" : r.getClass().getSimpleName();
    return new NodeMetrics(nodeId, r, backend);
  }

  /** Meters of their own registry, for a role's class used without a node (tests). */
  public static NodeMetrics detached(String nodeId) {
    return new NodeMetrics(nodeId, null, "none");
  }

  /** The registry Vert.x metrics write to, or null when Vert.x metrics are disabled. */
  static MeterRegistry vertxRegistry(Vertx vertx) {
    if (vertx == null || !vertx.isMetricsEnabled()) {
      return null;
    }
    // MicrometerMetrics is the one way from a Vertx instance to its registry; the registry name is not public
    if (vertx instanceof MetricsProvider p && p.getMetrics() instanceof MicrometerMetrics m) {
      return m.registry();
    }
    return BackendRegistries.getDefaultNow();
  }

  private static PrometheusMeterRegistry prometheusOf(MeterRegistry r) {
    if (r instanceof PrometheusMeterRegistry p) {
      return p;
    }
    if (r instanceof CompositeMeterRegistry c) {
      for (MeterRegistry m : c.getRegistries()) {
        if (m instanceof PrometheusMeterRegistry p) {
          return p;
        }
      }
    }
    return null;
  }

  /** Adds gauges of the rings this node sees: version and the share of the hash space it owns. */
  void bindRings(Membership membership) {
    for (Role role : List.of(Role.AUTH, Role.USER, Role.CHANNEL)) {
      Tags t = Tags.of("node", nodeId, "service", role.id());
      meters.add(Gauge.builder("socketpush.ring.version", membership, m -> m.ring(role).version())
          .description("Version of the hash ring of a service as this node sees it.").tags(t).register(registry));
      meters.add(Gauge.builder("socketpush.ring.owned.share", membership,
              m -> m.ring(role).shares().getOrDefault(nodeId, 0.0))
          .description("Share (0..1) of a service's hash space this node owns.").tags(t).register(registry));
      meters.add(Gauge.builder("socketpush.ring.members", membership, m -> m.ring(role).members().size())
          .description("Nodes on the hash ring of a service.").tags(t).register(registry));
    }
    meters.add(Gauge.builder("socketpush.node.draining", membership, m -> m.leaving() ? 1 : 0)
        .description("1 while this node is leaving the cluster.").tags("node", nodeId).register(registry));
  }

  // ---- the facade the roles call ----

  /** A frame arrived from a client. */
  public void frameIn() {
    framesIn.increment();
  }

  /** A frame was written to a client. */
  public void frameOut() {
    framesOut.increment();
  }

  /** A socket was closed as a slow consumer. */
  public void slowConsumerClosed() {
    slowConsumerCloses.increment();
  }

  /** A socket's authentication failed; {@code reason} is the catalogue code the client saw. */
  public void authFailed(Failure reason) {
    authFailures(reason).increment();
  }

  /** Webhook events: {@code outcome} delivered (acknowledged by a 2xx), expired (dropped at events.maxAge), or failed (POST attempts that failed). */
  public void webhookEvents(String outcome, int n) {
    lazyCounter("socketpush.webhook.events", "Webhook events delivered or expired, and failed POSTs (outcome).",
        Tags.of("outcome", outcome)).increment(n);
  }

  /** A client error frame was sent (any kind, including auth failures). */
  public void clientError(Failure reason) {
    lazyCounter("socketpush.client.errors", "Error frames sent to clients, by code.", Tags.of("reason", reason.name()))
        .increment();
  }

  /**
   * An owner's delivery was written to {@code n} local sockets; records the count and, when the message
   * carries a send stamp ({@link #stamp()}), the owner-send-to-edge-write latency. Returns {@code n}.
   */
  public int delivered(String kind, int n, String sentStamp) {
    delivered(kind).increment(n);
    long nanos = elapsedNanos(sentStamp);
    if (nanos >= 0) {
      deliveryTimer(kind).record(nanos, TimeUnit.NANOSECONDS);
    }
    return n;
  }

  /** Sets the socket gauges from the edge's stats ({@code EdgeNode.stats()}). */
  public void refresh(JsonObject edgeStats) {
    socketsOpen.set(edgeStats.getLong("sockets", 0L));
    socketsAuthenticated.set(edgeStats.getLong("authenticated", 0L));
    localUsers.set(edgeStats.getLong("users", 0L));
    localChannels.set(edgeStats.getLong("channels", 0L));
  }

  /** Records one event-bus request of this node (see {@link EventBusTimings}). */
  void request(String service, String op, boolean remote, String outcome, long nanos) {
    Tags t = Tags.of("service", service, "op", op, "remote", String.valueOf(remote), "outcome", outcome);
    lazyTimers.computeIfAbsent("eb" + t, k -> register(Timer.builder("socketpush.eventbus.request")
        .description("Event-bus request latency from this node to a service or edge inbox, until the reply.")
        .tags(t).tags("node", nodeId).serviceLevelObjectives(BUCKETS))).record(nanos, TimeUnit.NANOSECONDS);
  }

  // ---- send stamps ----

  /** A stamp an owner puts on a delivery when it sends it. */
  public static String stamp() {
    return JVM + ":" + System.nanoTime() + ":" + System.currentTimeMillis();
  }

  /**
   * Nanoseconds since a {@link #stamp()}: monotonic in the same JVM, wall clock (millisecond precision,
   * subject to clock skew) between JVMs; -1 for a missing or malformed stamp.
   */
  static long elapsedNanos(String stamp) {
    if (stamp == null) {
      return -1;
    }
    String[] p = stamp.split(":");
    if (p.length != 3) {
      return -1;
    }
    try {
      long d = p[0].equals(JVM) ? System.nanoTime() - Long.parseLong(p[1])
          : TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis() - Long.parseLong(p[2]));
      return Math.max(0, d);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  // ---- scraping ----

  /** Whether Vert.x's own metrics ({@code vertx_*}) are in this registry. */
  public boolean vertxMetrics() {
    return vertxMetrics;
  }

  /** The Vert.x metrics backend: prometheus, none, or the registry type. */
  public String backend() {
    return backend;
  }

  /** The Prometheus text exposition of everything in this node's registry. CPU only, no I/O. */
  public String scrape() {
    return prometheus.scrape();
  }

  /** The registry our meters are in (for tests and binders). */
  public MeterRegistry registry() {
    return registry;
  }

  /** Removes this node's meters (the registry may outlive the node when Vert.x owns it). */
  void close() {
    meters.forEach(registry::remove);
    meters.clear();
    if (gc != null) {
      gc.close();
    }
    if (own != null) {
      own.close();
    }
  }

  // ---- helpers ----

  private Counter delivered(String kind) {
    return lazyCounter("socketpush.messages.delivered", "Messages written to local sockets, by kind (user or channel).",
        Tags.of("kind", kind));
  }

  private Timer deliveryTimer(String kind) {
    return lazyTimers.computeIfAbsent("delivery." + kind, k -> register(Timer.builder("socketpush.delivery.latency")
        .description("From the owner sending a publish to this edge writing it to its sockets.")
        .tags("node", nodeId, "kind", kind).serviceLevelObjectives(BUCKETS)));
  }

  private Counter authFailures(Failure reason) {
    return lazyCounter("socketpush.auth.failures", "Failed socket authentications, by reason.", Tags.of("reason", reason.name()));
  }

  private Counter lazyCounter(String name, String description, Tags tags) {
    return lazyCounters.computeIfAbsent(name + tags, k -> counter(name, description, tags));
  }

  private Counter counter(String name, String description, Tags tags) {
    Counter c = Counter.builder(name).description(description).tags(tags).tag("node", nodeId).register(registry);
    meters.add(c);
    return c;
  }

  private Timer register(Timer.Builder b) {
    Timer t = b.register(registry);
    meters.add(t);
    return t;
  }

  private void gauge(String name, String description, AtomicLong value) {
    meters.add(Gauge.builder(name, value, AtomicLong::get).description(description).tag("node", nodeId).register(registry));
  }
}
