package io.socketpush.cluster;

import io.socketpush.config.NodeConfig;
import io.socketpush.config.NodeConfig.Role;
import io.socketpush.config.RuntimeConfig;
import io.socketpush.edge.EdgeOps;
import io.socketpush.error.Failure;
import io.socketpush.shard.HashRing;
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
  static final String CONFIG_MAP = "socketpush.config";
  static final String RUNTIME_KEY = "runtime";

  private final Vertx vertx;
  private final Services services;
  private final RuntimeConfig config;
  private final AsyncMap<String, String> stored;

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
          .put("ringVersion", m.ring(Role.AUTH).version()));
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

  @Override
  public Future<JsonObject> setConfig(JsonObject options) {
    JsonObject valid;
    try {
      valid = RuntimeConfig.validate(options, config.get());
    } catch (IllegalArgumentException e) {
      return Failure.BAD_REQUEST.fail(e.getMessage());
    }
    return stored.put(RUNTIME_KEY, valid.encode()).compose(v -> distributeConfig()).map(v -> valid);
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
      if (runtime.containsKey("logging")) {
        io.socketpush.ops.LogControl.setLevel("io.socketpush", config.get().logging().string("level"));
      }
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
