package io.socketpush.ops;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A node started with an unknown key or a bad value refuses to start, naming the option. */
@ExtendWith(VertxExtension.class)
class BadConfigTest {

  private record Case(JsonObject overrides, String named) {
  }

  @Test
  void rejectedNamingTheOption(Vertx vertx, VertxTestContext t) {
    List<Case> cases = List.of(
        new Case(new JsonObject().put("edge", new JsonObject().put("port", 70_000)), "edge.port"),
        new Case(new JsonObject().put("edge", new JsonObject().put("authTimeout", "soon")), "edge.authTimeout"),
        new Case(new JsonObject().put("edge", new JsonObject().put("bogus", 1)), "edge.bogus"),
        new Case(new JsonObject().put("management", new JsonObject().put("apiKeys", "secret")), "management.apiKeys"),
        new Case(new JsonObject().put("cluster", new JsonObject().put("virtualNodes", 0)), "cluster.virtualNodes"),
        new Case(new JsonObject().put("roles", "x"), "roles"),
        new Case(new JsonObject().put("metrics", true), "metrics"));
    Future<Void> chain = Future.succeededFuture();
    for (Case c : cases) {
      chain = chain.compose(v -> TestNode.start(vertx, "bad", c.overrides()).transform(ar -> {
        t.verify(() -> {
          assertTrue(ar.failed(), "started with " + c.overrides().encode());
          String msg = ar.cause().getMessage();
          assertTrue(msg.contains(c.named()), "message '" + msg + "' names " + c.named());
          assertTrue(vertx.deploymentIDs().isEmpty(), "nothing left deployed by a failed start: " + vertx.deploymentIDs());
        });
        return Future.<Void>succeededFuture();
      }));
    }
    chain.onComplete(t.succeedingThenComplete());
  }
}
