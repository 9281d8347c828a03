package io.socketpush.testing;

import io.socketpush.NodeVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/** Starts one socket-push node in a given Vert.x instance, on free ports, for tests. */
public final class TestNode {
  public final Vertx vertx;
  public final NodeVerticle verticle;
  public final String deploymentId;

  private TestNode(Vertx vertx, NodeVerticle verticle, String deploymentId) {
    this.vertx = vertx;
    this.verticle = verticle;
    this.deploymentId = deploymentId;
  }

  /**
   * Deploys a node. Ports default to 0 (any free port); {@code overrides} is merged into a config with
   * short timeouts suited to tests.
   */
  public static Future<TestNode> start(Vertx vertx, String nodeId, JsonObject overrides) {
    JsonObject conf = new JsonObject().put("nodeId", nodeId)
        .put("edge", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("management", new JsonObject().put("port", 0));
    deepMerge(conf, overrides == null ? new JsonObject() : overrides);
    NodeVerticle v = new NodeVerticle();
    return vertx.deployVerticle(v, new DeploymentOptions().setConfig(conf)).map(id -> new TestNode(vertx, v, id));
  }

  public int edgePort() {
    return verticle.edgePort();
  }

  public int adminPort() {
    return verticle.adminPort();
  }

  public Future<Void> stop() {
    return vertx.undeploy(deploymentId);
  }

  private static void deepMerge(JsonObject base, JsonObject over) {
    for (String k : over.fieldNames()) {
      Object v = over.getValue(k);
      if (v instanceof JsonObject o && base.getValue(k) instanceof JsonObject b) {
        deepMerge(b, o);
      } else {
        base.put(k, v);
      }
    }
  }
}
