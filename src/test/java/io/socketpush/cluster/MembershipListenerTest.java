package io.socketpush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.socketpush.config.NodeConfig.Role;
import io.socketpush.testing.Await;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A ring-change listener stops hearing of changes once its remover ran (what a verticle's stop() does). */
class MembershipListenerTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() {
    Await.result(vertx.close());
  }

  @Test
  void aRemovedListenerHearsOfNoFurtherRingChange() {
    Context ctx = vertx.getOrCreateContext();
    Membership membership = new Membership(vertx, new JsonObject().put("nodeId", "m1")
        .put("roles", new JsonArray().add("channel")).put("startedAt", 1L), 1_000, 60_000, 16);
    Await.on(ctx, membership::start);
    AtomicInteger removed = new AtomicInteger();
    AtomicInteger kept = new AtomicInteger();
    // both on one context, the removed one first: when the kept one heard of a change, the other would have too
    Runnable remover = Await.on(ctx, () -> {
      Runnable r = membership.onChange(removed::incrementAndGet);
      membership.onChange(kept::incrementAndGet);
      return Future.succeededFuture(r);
    });
    join(ctx, "e1", 2L);
    Await.until(() -> membership.ring(Role.EDGE).members().contains("e1") && kept.get() >= 1, 5_000, "e1 joined");
    int before = removed.get();
    assertEquals(kept.get(), before, "both heard of the same changes");

    Await.on(ctx, () -> {
      remover.run();
      return Future.succeededFuture();
    });
    int keptBefore = kept.get();
    join(ctx, "e2", 3L);
    Await.until(() -> membership.ring(Role.EDGE).members().contains("e2") && kept.get() > keptBefore, 5_000, "e2 joined");
    assertEquals(before, removed.get(), "the removed listener ran again");
  }

  private void join(Context ctx, String nodeId, long startedAt) {
    ctx.runOnContext(v -> vertx.eventBus().publish(Addresses.MEMBERSHIP, new JsonObject().put("nodeId", nodeId)
        .put("roles", new JsonArray().add("edge")).put("startedAt", startedAt), new DeliveryOptions().addHeader("kind", "hb")));
  }
}
