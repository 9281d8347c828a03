package io.socketpush.ops;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.cluster.Membership;
import io.socketpush.config.NodeConfig.Role;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Readiness before and after the node joined, bound its roles, and while it drains. */
@ExtendWith(VertxExtension.class)
class NodeHealthTest {

  @Test
  void readinessTransitions(Vertx vertx, VertxTestContext t) {
    JsonObject self = new JsonObject().put("nodeId", "r1").put("roles", new JsonArray().add("auth").add("user").add("channel"))
        .put("startedAt", 1L);
    Membership m = new Membership(vertx, self, 1_000, 5_000, 16);
    AtomicBoolean started = new AtomicBoolean();
    NodeHealth h = new NodeHealth(vertx, "r1", EnumSet.of(Role.AUTH, Role.USER, Role.CHANNEL), m, started::get);
    // before joining: no ring, not a member, roles not bound
    t.verify(() -> {
      assertFalse(h.ring().isOk());
      assertFalse(h.cluster().isOk());
      assertFalse(h.roles().isOk());
      assertTrue(h.draining().isOk());
    });
    vertx.getOrCreateContext().runOnContext(x -> m.start().onComplete(t.succeeding(v -> t.verify(() -> {
      assertTrue(h.ring().isOk(), h.ring().toJson().encode());
      assertTrue(h.cluster().isOk());
      assertFalse(h.roles().isOk(), "joined but roles not yet bound");
      started.set(true);
      assertTrue(h.roles().isOk());
      m.leave().onComplete(t.succeeding(w -> t.verify(() -> {
        assertFalse(h.draining().isOk());
        t.completeNow();
      })));
    }))));
  }

  @Test
  void theGridMustSettleOnceAfterTheJoinThenLaterRebalancesDoNotMatter(Vertx vertx) {
    NodeHealth h = new NodeHealth(vertx, "g1", EnumSet.of(Role.EDGE), null, () -> true);
    assertFalse(h.grid("HEALTHY_REBALANCING").isOk(), "the rebalance this node's join caused is still running");
    assertTrue(h.grid("HEALTHY").isOk());
    assertTrue(h.grid("HEALTHY_REBALANCING").isOk(), "another node's join or leave: this node stays ready");
    assertFalse(h.grid("DEGRADED").isOk());
    assertFalse(h.grid("FAILED").isOk());
    assertTrue(new NodeHealth(vertx, "g2", EnumSet.of(Role.EDGE), null, () -> true).grid("LOCAL").isOk(), "not clustered");
  }
}
