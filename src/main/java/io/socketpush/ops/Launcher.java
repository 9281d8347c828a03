package io.socketpush.ops;

import io.vertx.core.json.JsonObject;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;

/**
 * Main class of the fat jar: Vert.x's own {@link VertxApplication} (same command line: {@code -cluster},
 * {@code -conf}, {@code -options}, ...) with Micrometer metrics and the Prometheus backend turned on.
 *
 * <p>{@code VertxApplication} builds the metrics options through the {@code VertxMetricsFactory} SPI from
 * the {@code metricsOptions} object of the {@code -options} JSON. This hook adds a default
 * {@code metricsOptions} when the operator gave none, so {@code java -jar socket-push.jar} serves
 * {@code vertx_*} and JVM metrics at {@code /metrics} out of the box. An explicit {@code metricsOptions}
 * is left untouched; {@code -Dsocketpush.metrics=false} (or {@code SOCKETPUSH_METRICS=false}) turns the
 * default off, and {@code /metrics} then serves socket-push's own meters only.
 */
public final class Launcher extends VertxApplication implements VertxApplicationHooks {

  /** Metrics options used when {@code -options} has no {@code metricsOptions}. */
  public static JsonObject defaultMetricsOptions() {
    return new JsonObject().put("enabled", true).put("jvmMetricsEnabled", true)
        .put("prometheusOptions", new JsonObject().put("enabled", true).put("publishQuantiles", false));
  }

  // VertxApplication uses an instance of a subclass implementing the hooks as its hooks, and finds the
  // Main-Verticle in the manifest whose Main-Class is this class: so subclass rather than pass hooks.
  private final boolean clustered;
  private JsonObject nodeConfig = new JsonObject();

  private Launcher(String[] args) {
    super(args);
    this.clustered = java.util.Arrays.asList(args).contains("-cluster");
  }

  public static void main(String[] args) {
    new Launcher(args).launch();
  }

  @Override
  public JsonObject afterConfigParsed(JsonObject config) {
    nodeConfig = config == null ? new JsonObject() : config;
    return config;
  }

  /**
   * Cluster security before the cluster manager starts: the secret (env or cluster.secretFile), the JGroups
   * key and the event bus's mutual TLS; an open cluster on a non-loopback address is refused.
   */
  @Override
  public void beforeStartingVertx(io.vertx.launcher.application.HookContext context) {
    if (!clustered) {
      return;
    }
    io.socketpush.config.ClusterConfig cluster = io.socketpush.config.NodeConfig.from(nodeConfig).cluster();
    io.socketpush.cluster.ClusterSecurity security = io.socketpush.cluster.ClusterSecurity.load(cluster.secretFile());
    io.vertx.core.VertxOptions options = context.vertxOptions();
    security.checkExposure(cluster.insecure(), System.getProperty("jgroups.bind_addr", "127.0.0.1"),
        options.getEventBusOptions().getHost());
    security.configureJGroups();
    security.configureEventBus(options, cluster.tlsCertPath(), cluster.tlsKeyPath(), cluster.tlsCaPath());
    org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Launcher.class);
    if (security.secured()) {
      log.info("cluster security on: secret from {}; JGroups SYM_ENCRYPT (AES-256), event bus TLS with mutual auth ({})",
          security.source(), cluster.tlsCertPath() != null ? "cluster CA " + cluster.tlsCaPath() : "key derived from the secret");
    } else {
      log.warn("cluster security OFF: no cluster secret (" + io.socketpush.cluster.ClusterSecurity.SECRET_ENV
          + " or cluster.secretFile); any process reaching the cluster ports can join. Loopback only"
          + (cluster.insecure() ? " unless cluster.insecure (set)" : "") + ".");
    }
  }

  @Override
  public JsonObject afterVertxOptionsParsed(JsonObject vertxOptions) {
    return withDefaultEventLoops(withDefaultMetrics(vertxOptions, metricsWanted()), Runtime.getRuntime().availableProcessors());
  }

  /**
   * The Vert.x options with one event loop per core this process may run on ({@code cores}: the JVM's count, which
   * follows the CPU affinity and the container's quota) when {@code -options} sets no {@code eventLoopPoolSize}.
   * Vert.x's default is two per core. A node runs one verticle per role, each on one event loop, and a publish or a
   * connect passes between them (management -> owner -> edge and back): loops beyond the cores only make the OS switch
   * between those threads on the same core. On one core, one loop for every role cut server CPU per user publish by
   * 27% and per connect by 16% (bench/results.md, "Experiment: ... one event loop"). Operators who want more set it.
   */
  static JsonObject withDefaultEventLoops(JsonObject vertxOptions, int cores) {
    JsonObject out = vertxOptions == null ? new JsonObject() : vertxOptions;
    if (!out.containsKey("eventLoopPoolSize")) {
      out.put("eventLoopPoolSize", Math.max(1, cores));
    }
    return out;
  }

  /** The Vert.x options with default metrics options added when wanted and none are given. */
  static JsonObject withDefaultMetrics(JsonObject vertxOptions, boolean wanted) {
    JsonObject out = vertxOptions == null ? new JsonObject() : vertxOptions;
    if (wanted && !out.containsKey("metricsOptions")) {
      out.put("metricsOptions", defaultMetricsOptions());
    }
    return out;
  }

  private static boolean metricsWanted() {
    String v = System.getProperty("socketpush.metrics", System.getenv("SOCKETPUSH_METRICS"));
    return v == null || !v.trim().equalsIgnoreCase("false");
  }
}
