package io.socketpush;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.socketpush.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The node's deployments: all undeployed on stop, even when one's stop fails; a redeploy keeps the kept ones (the
 * management port). The undeploys start newest first but run concurrently, so the order of the stops is not asserted.
 */
class DeploymentsTest {
  final Vertx vertx = Vertx.vertx();
  final List<String> events = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  /** Records its start and stop. */
  final class Role extends VerticleBase {
    final String name;
    final boolean failStop;

    Role(String name, boolean failStop) {
      this.name = name;
      this.failStop = failStop;
    }

    @Override
    public Future<?> start() {
      events.add("start " + name);
      return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
      events.add("stop " + name);
      return failStop ? Future.failedFuture("stop failed") : Future.succeededFuture();
    }
  }

  Deployments deployThree() {
    Deployments d = new Deployments(vertx);
    Await.result(d.deploy(new Role("cluster", false), false)
        .compose(v -> d.deploy(new Role("management", false), true))
        .compose(v -> d.deploy(new Role("edge", true), false)));
    return d;
  }

  @Test
  void stoppingUndeploysEverythingNewestFirstAndNeverFails() {
    Deployments d = deployThree();
    assertEquals(3, d.ids().size());
    events.clear();
    Await.result(d.undeployAll()); // the edge's stop fails: the node still stops
    assertEquals(java.util.Set.of("stop edge", "stop management", "stop cluster"), java.util.Set.copyOf(events));
    assertEquals(0, vertx.deploymentIDs().size());
  }

  @Test
  void aRedeployKeepsTheKeptOnesAndForgetsTheOthers() {
    Deployments d = deployThree();
    String management = d.ids().get(1);
    events.clear();
    Await.result(d.undeployForRedeploy());
    assertEquals(java.util.Set.of("stop edge", "stop cluster"), java.util.Set.copyOf(events));
    assertEquals(List.of(management), d.ids());
    assertEquals(java.util.Set.of(management), vertx.deploymentIDs());
    Await.result(d.deploy(new Role("cluster2", false), false));
    assertEquals(2, d.ids().size());
    events.clear();
    Await.result(d.undeployAll());
    assertEquals(java.util.Set.of("stop cluster2", "stop management"), java.util.Set.copyOf(events));
  }
}
