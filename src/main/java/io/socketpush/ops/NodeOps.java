package io.socketpush.ops;

import io.socketpush.cluster.Membership;
import io.socketpush.config.NodeConfig;
import io.socketpush.config.NodeConfig.Role;
import io.vertx.core.Vertx;

/**
 * The operations side of one running node: its meters, its health checks, its event-bus timings and its
 * label in the logs. {@code NodeVerticle} starts it before any role, hands it (or its meters) to the roles that
 * use it (the edge, the webhook dispatcher, the admin routes) and stops it last.
 */
public final class NodeOps {

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
    return new NodeOps(vertx, config, membership);
  }

  /** Every role is bound and the ports are open: readiness may pass. */
  public void started() {
    started = true;
  }

  /** Removes this node's meters, interceptors and log label. */
  public void stop() {
    started = false;
    timings.close();
    metrics.close();
    LogControl.nodeStopped(nodeId);
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
