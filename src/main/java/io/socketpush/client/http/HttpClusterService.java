package io.socketpush.client.http;

import io.socketpush.cluster.ClusterService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * {@link ClusterService} over the management API ({@code POST /api/cluster/<method>}); answered by the node
 * the client talks to.
 */
public final class HttpClusterService implements ClusterService {
  private static final String SERVICE = "cluster";
  private final HttpApiClient api;

  public HttpClusterService(HttpApiClient api) {
    this.api = api;
  }

  @Override
  public Future<JsonObject> status() {
    return api.callObject(SERVICE, "status", new JsonObject());
  }

  @Override
  public Future<JsonObject> getConfig(String nodeId) {
    JsonObject params = new JsonObject();
    if (nodeId != null) {
      params.put("nodeId", nodeId);
    }
    return api.callObject(SERVICE, "getConfig", params);
  }

  @Override
  public Future<JsonObject> setConfig(JsonObject config) {
    return api.callObject(SERVICE, "setConfig", new JsonObject().put("config", config));
  }

  @Override
  public Future<JsonObject> distributeConfig() {
    return api.callObject(SERVICE, "distributeConfig", new JsonObject());
  }
}
