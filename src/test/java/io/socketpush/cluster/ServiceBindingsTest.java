package io.socketpush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.delivery.RegistryService;
import io.socketpush.testing.Await;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A role's shards: bound on the event bus and locally; released, neither answers any more. */
class ServiceBindingsTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() {
    Await.result(vertx.close());
  }

  @Test
  void bindsOnTheBusAndLocallyAndReleasesBoth() {
    Context ctx = vertx.getOrCreateContext();
    Membership membership = new Membership(vertx, new JsonObject().put("nodeId", "b1")
        .put("roles", new JsonArray().add("user")).put("startedAt", 1L), 1_000, 60_000, 16);
    RegistryService impl = new Fixed();
    ServiceBindings bindings = Await.on(ctx, () -> {
      ServiceBindings b = new ServiceBindings(vertx, ctx, membership, true).bind(Addresses.PRESENCE, RegistryService.class, impl);
      return b.ready().map(v -> b);
    });
    String address = Addresses.service(Addresses.PRESENCE, "b1");
    RegistryService local = LocalServices.lookup(vertx, address);
    assertNotNull(local, "bound locally");
    assertEquals(List.of("e1"), Await.result(local.edgesOf("u")));
    RegistryService remote = RegistryService.createProxy(vertx, address, 2_000);
    assertEquals(List.of("e1"), Await.result(remote.edgesOf("u")), "bound on the event bus");

    Await.on(ctx, bindings::release);
    assertNull(LocalServices.lookup(vertx, address), "local binding released");
    Throwable err = Await.failure(remote.edgesOf("u"));
    assertTrue(String.valueOf(err.getMessage()).contains("No handlers"), "consumer released: " + err);
  }

  /** Answers one edge for every key. */
  private static final class Fixed implements RegistryService {
    @Override
    public Future<Boolean> attach(String key, String nodeId) {
      return Future.succeededFuture(false);
    }

    @Override
    public Future<Void> ready(String key, String nodeId) {
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> detach(String key, String nodeId) {
      return Future.succeededFuture();
    }

    @Override
    public Future<JsonObject> announce(String nodeId, List<String> keys) {
      return Future.succeededFuture(new JsonObject());
    }

    @Override
    public Future<List<String>> edgesOf(String key) {
      return Future.succeededFuture(List.of("e1"));
    }
  }
}
