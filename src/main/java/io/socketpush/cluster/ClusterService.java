package io.socketpush.cluster;

import io.vertx.codegen.annotations.GenIgnore;
import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

/**
 * The cluster itself (the original's manager/worker): who is in it, which node owns what, and the
 * runtime config every node applies. Every node binds one instance.
 */
@ProxyGen
@VertxGen
public interface ClusterService {

  /** Nodes, roles, ring versions, shard ownership, connection counts, up since. */
  Future<JsonObject> status();

  /**
   * The effective config of one node (API keys redacted).
   *
   * @param nodeId the node; empty for the node answering
   */
  Future<JsonObject> getConfig(String nodeId);

  /**
   * Merges runtime options into the cluster-wide runtime config (the {@code edge}, {@code cluster} and
   * {@code logging} sections' runtime keys; options not given keep their values, a null option or section
   * removes it so the startup value applies again) and applies it on every node; returns the whole stored
   * runtime config. Bad options are rejected naming them.
   *
   * @param config runtime options, e.g. {"edge":{"authTimeout":5000}}
   */
  Future<JsonObject> setConfig(JsonObject config);

  /** Makes every node apply the stored runtime config again; returns the nodes told. */
  Future<JsonObject> distributeConfig();

  /** A proxy to the instance bound at {@code address}. */
  @GenIgnore
  static ClusterService createProxy(Vertx vertx, String address, long timeoutMs) {
    return new ClusterServiceVertxEBProxy(vertx, address, new DeliveryOptions().setSendTimeout(timeoutMs));
  }
}
