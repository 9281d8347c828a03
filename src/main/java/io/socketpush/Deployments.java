package io.socketpush;

import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The verticles one node deployed, in order: undeployed newest first, all of them when the node stops, all but the
 * kept ones (the management port, which registers no event-bus consumer) when the roles are redeployed after a
 * rejoin. Used on the node verticle's context only.
 */
final class Deployments {
  private final Vertx vertx;
  private final List<String> ids = new ArrayList<>();
  private final Set<String> kept = new HashSet<>();

  Deployments(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Deploys {@code verticle}; {@code keep}: it stays deployed across {@link #undeployForRedeploy}. */
  Future<Void> deploy(Deployable verticle, boolean keep) {
    return vertx.deployVerticle(verticle).map(id -> {
      ids.add(id);
      if (keep) {
        kept.add(id);
      }
      return null;
    });
  }

  /** Undeploys (started newest first, concurrently) and forgets every deployment but the kept ones; never fails. */
  Future<Void> undeployForRedeploy() {
    List<Future<Void>> undeploys = new ArrayList<>();
    for (int i = ids.size() - 1; i >= 0; i--) {
      if (!kept.contains(ids.get(i))) {
        undeploys.add(vertx.undeploy(ids.remove(i)));
      }
    }
    return Future.join(undeploys).<Void>mapEmpty().recover(err -> Future.succeededFuture());
  }

  /** Undeploys every deployment (started newest first, concurrently); never fails. */
  Future<Void> undeployAll() {
    List<Future<Void>> undeploys = new ArrayList<>();
    for (int i = ids.size() - 1; i >= 0; i--) {
      undeploys.add(vertx.undeploy(ids.get(i)));
    }
    return Future.join(undeploys).<Void>mapEmpty().recover(err -> Future.succeededFuture());
  }

  /** Deployment ids, oldest first (tests). */
  List<String> ids() {
    return List.copyOf(ids);
  }
}
