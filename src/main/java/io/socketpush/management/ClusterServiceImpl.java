package io.socketpush.management;

import io.socketpush.cluster.Addresses;
import io.socketpush.cluster.ClusterService;
import io.socketpush.cluster.HashRing;
import io.socketpush.cluster.Membership;
import io.socketpush.config.NodeConfig;
import io.socketpush.config.NodeConfig.Role;
import io.socketpush.config.RuntimeConfig;
import io.socketpush.delivery.EdgeOps;
import io.socketpush.error.Failure;
import io.socketpush.shard.Services;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** This node's ClusterService: status of the cluster as this node sees it, and the runtime config. */
final class ClusterServiceImpl implements ClusterService {
  static final String RUNTIME_KEY = "runtime";

  private final Vertx vertx;
  private final Services services;
  private final RuntimeConfig config;
  private final AsyncMap<String, String> stored;
  private boolean loggingFromRuntime;

  ClusterServiceImpl(Vertx vertx, Services services, RuntimeConfig config, AsyncMap<String, String> stored) {
    this.vertx = vertx;
    this.services = services;
    this.config = config;
    this.stored = stored;
  }

  @Override
  public Future<JsonObject> status() {
    Membership m = services.membership();
    Map<String, JsonObject> nodes = new TreeMap<>(m.nodes());
    Map<String, Long> up = m.upSince();
    List<Future<JsonObject>> stats = new ArrayList<>();
    List<String> ids = new ArrayList<>(nodes.keySet());
    for (String id : ids) {
      boolean edge = nodes.get(id).getJsonArray("roles", new JsonArray()).contains(Role.EDGE.id());
      stats.add(edge ? EdgeOps.<JsonObject>control(vertx, id, EdgeOps.STATS, new JsonObject(), 2_000)
          .recover(err -> Future.succeededFuture(new JsonObject().put("error", Failure.messageOf(err))))
          : Future.succeededFuture(null));
    }
    return Future.join(stats).transform(ar -> {
      JsonArray out = new JsonArray();
      for (int i = 0; i < ids.size(); i++) {
        JsonObject d = nodes.get(ids.get(i)).copy();
        d.put("upSince", up.get(ids.get(i)));
        JsonObject s = stats.get(i).result();
        if (s != null) {
          d.put("connections", s.getValue("sockets")).put("edge", s);
        }
        out.add(d);
      }
      JsonObject rings = new JsonObject();
      for (Role r : List.of(Role.AUTH, Role.USER, Role.CHANNEL)) {
        HashRing ring = m.ring(r);
        JsonObject shares = new JsonObject();
        new TreeMap<>(ring.shares()).forEach((k, v) -> shares.put(k, Math.round(v * 10_000) / 10_000.0));
        rings.put(r.id(), new JsonObject().put("version", ring.version()).put("members", new JsonArray(new ArrayList<>(ring.members())))
            .put("shares", shares));
      }
      return Future.succeededFuture(new JsonObject().put("nodeId", m.nodeId()).put("nodes", out).put("rings", rings)
          .put("ringVersion", m.version()));
    });
  }

  @Override
  public Future<JsonObject> getConfig(String nodeId) {
    if (nodeId == null || nodeId.isEmpty() || nodeId.equals(services.membership().nodeId())) {
      return Future.succeededFuture(config.get().toJson().put("runtime", config.runtime()));
    }
    if (!services.membership().nodes().containsKey(nodeId)) {
      return Failure.NOT_FOUND.fail("no node " + nodeId + " in the cluster");
    }
    return services.cluster(nodeId).getConfig(nodeId);
  }

  /** How often a setConfig re-reads and merges again when another node changed the stored config meanwhile. */
  static final int MERGE_ATTEMPTS = 5;

  @Override
  public Future<JsonObject> setConfig(JsonObject options) {
    try {
      RuntimeConfig.validate(options, config.get()); // names a bad option before anything is read
    } catch (IllegalArgumentException e) {
      return Failure.BAD_REQUEST.fail(e.getMessage());
    }
    return mergeInto(options, MERGE_ATTEMPTS).compose(merged -> distributeConfig().map(v -> merged));
  }

  /**
   * Merges the options into the stored runtime config (option by option; null removes one) with a
   * compare-and-set, so that two setConfig calls on different nodes do not lose one another's options.
   */
  private Future<JsonObject> mergeInto(JsonObject options, int attempts) {
    return stored.get(RUNTIME_KEY).compose(old -> {
      JsonObject merged;
      try {
        merged = RuntimeConfig.validate(RuntimeConfig.mergeOptions(old == null ? new JsonObject() : new JsonObject(old),
            options), config.get());
      } catch (IllegalArgumentException e) {
        return Failure.BAD_REQUEST.fail(e.getMessage());
      }
      String encoded = merged.encode();
      Future<Boolean> written = old == null ? stored.putIfAbsent(RUNTIME_KEY, encoded).map(prev -> prev == null)
          : stored.replaceIfPresent(RUNTIME_KEY, old, encoded);
      return written.compose(ok -> {
        if (ok) {
          return Future.succeededFuture(merged);
        }
        return attempts > 1 ? mergeInto(options, attempts - 1)
            : Failure.UNAVAILABLE.fail("the runtime config kept changing concurrently; try again");
      });
    });
  }

  @Override
  public Future<JsonObject> distributeConfig() {
    return stored.get(RUNTIME_KEY).map(s -> {
      JsonObject runtime = s == null ? new JsonObject() : new JsonObject(s);
      vertx.eventBus().publish(Addresses.CONFIG_CHANGED, runtime);
      return new JsonObject().put("config", runtime)
          .put("nodes", new JsonArray(new ArrayList<>(new TreeMap<>(services.membership().nodes()).keySet())));
    });
  }

  /** Applies the stored runtime config at startup. */
  Future<Void> loadStored() {
    return stored.get(RUNTIME_KEY).map(s -> {
      if (s != null) {
        apply(new JsonObject(s));
      }
      return null;
    });
  }

  void apply(JsonObject runtime) {
    try {
      RuntimeConfig.validate(runtime, config.get());
      config.apply(runtime);
      // a runtime log level, or the startup one again once the runtime one was removed
      if (runtime.containsKey("logging") || loggingFromRuntime) {
        io.socketpush.ops.LogControl.setLevel("io.socketpush", config.get().logging().level());
      }
      loggingFromRuntime = runtime.containsKey("logging");
    } catch (IllegalArgumentException e) {
      // validated before it was stored; a node with a different startup config may still disagree
      org.slf4j.LoggerFactory.getLogger(ClusterServiceImpl.class)
          .warn("[{}] runtime config not applied: {}", services.membership().nodeId(), e.getMessage());
    }
  }

  /** For status: the effective config. */
  NodeConfig current() {
    return config.get();
  }
}
