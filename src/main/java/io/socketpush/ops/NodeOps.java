package io.socketpush.ops;

import io.socketpush.cluster.Addresses;
import io.socketpush.cluster.Membership;
import io.socketpush.config.NodeConfig;
import io.socketpush.config.NodeConfig.Role;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;

/**
 * The operations side of one running node: its meters, its health checks, its event-bus timings and its
 * label in the logs. {@code NodeVerticle} starts it before any role and stops it last; roles and the admin
 * routes find it by Vert.x instance and node id, so no constructor of theirs has to change.
 */
public final class NodeOps implements Shareable {

  private final Vertx vertx;
  private final String nodeId;
  private final boolean edge;
  private final NodeMetrics metrics;
  private final NodeHealth health;
  private final EventBusTimings timings;
  private volatile boolean started;

  private NodeOps(Vertx vertx, NodeConfig config, Membership membership) {
    this.vertx = vertx;
    this.nodeId = config.nodeId();
    this.edge = config.has(Role.EDGE);
    this.metrics = NodeMetrics.create(vertx, nodeId);
    metrics.bindRings(membership);
    this.timings = new EventBusTimings(vertx, nodeId, metrics, config.cluster().requestTimeout());
    this.health = new NodeHealth(vertx, nodeId, config.roles(), membership, () -> started);
  }

  /** Starts the operations side of a node; call before deploying its roles. */
  public static NodeOps start(Vertx vertx, NodeConfig config, Membership membership) {
    LogControl.nodeStarted(config.nodeId());
    NodeOps ops = new NodeOps(vertx, config, membership);
    NodeOps old = map(vertx).put(config.nodeId(), ops);
    if (old != null) {
      old.close();
    }
    return ops;
  }

  /** The running node {@code nodeId} of this Vert.x instance, or null. */
  public static NodeOps of(Vertx vertx, String nodeId) {
    return vertx == null ? null : map(vertx).get(nodeId);
  }

  private static LocalMap<String, NodeOps> map(Vertx vertx) {
    return vertx.sharedData().getLocalMap(Addresses.OPS_LOCAL_MAP);
  }

  /** Every role is bound and the ports are open: readiness may pass. */
  public void started() {
    started = true;
  }

  /** Removes this node's meters, interceptors and log label. */
  public void stop() {
    started = false;
    map(vertx).remove(nodeId, this);
    close();
    LogControl.nodeStopped(nodeId);
  }

  private void close() {
    timings.close();
    metrics.close();
  }

  public String nodeId() {
    return nodeId;
  }

  /** Whether this node runs the edge role (has sockets to count). */
  public boolean edge() {
    return edge;
  }

  public NodeMetrics metrics() {
    return metrics;
  }

  public NodeHealth health() {
    return health;
  }
}
