package io.socketpush;

import io.socketpush.auth.AuthVerticle;
import io.socketpush.channel.ChannelVerticle;
import io.socketpush.management.ClusterVerticle;
import io.socketpush.cluster.Membership;
import io.socketpush.config.NodeConfig;
import io.socketpush.config.NodeConfig.Role;
import io.socketpush.config.RuntimeConfig;
import io.socketpush.edge.EdgeVerticle;
import io.socketpush.management.ManagementVerticle;
import io.socketpush.ops.NodeOps;
import io.socketpush.shard.Services;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One socket-push node: reads its config, joins the membership and deploys one verticle per configured
 * role. It only wires; the logic lives in the roles' classes.
 */
public final class NodeVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(NodeVerticle.class);
  /** How long a stopping node keeps serving requests already routed to it after it left the rings. */
  static final long DRAIN_MS = 1_000;

  private NodeConfig nodeConfig;
  private Membership membership;
  private Services services;
  private EdgeVerticle edge;
  private ManagementVerticle management;
  private NodeOps ops;
  private Deployments deployments;
  private Runnable rejoinListener = () -> { };

  @Override
  public Future<?> start() {
    try {
      nodeConfig = NodeConfig.from(config());
    } catch (IllegalArgumentException e) {
      LOG.error("{}", e.getMessage());
      return Future.failedFuture(e);
    }
    if (config().containsKey("logging")) {
      io.socketpush.ops.LogControl.setLevel("io.socketpush", nodeConfig.logging().level());
    }
    RuntimeConfig runtime = new RuntimeConfig(nodeConfig);
    services = Services.join(vertx, nodeConfig, false, () -> runtime.get().cluster().listLimit());
    membership = services.membership();
    List<String> roles = nodeConfig.roles().stream().map(Role::id).toList();
    ops = NodeOps.start(vertx, nodeConfig, membership); // metrics, health, node id in logs (see io.socketpush.ops)
    deployments = new Deployments(vertx);

    Future<Void> ready = deployRoles(runtime, true);
    // back from a minority partition (frozen, cut off): redeploy the roles so their consumers register again
    rejoinListener = membership.onRejoin(() -> redeploy(runtime));
    ready = ready.onSuccess(v -> ops.started()).onFailure(err -> ops.stop()); // readiness; no leftovers on failure
    return ready.onSuccess(v -> LOG.info("[{}] node started with roles {}{}{}", nodeConfig.nodeId(), roles,
            edge != null ? ", clients on " + nodeConfig.clientUrl(edge.port()) : "",
            management != null ? ", management on " + nodeConfig.adminUrl(management.port()) : ""))
        .onFailure(err -> LOG.error("[{}] node failed to start: {}", nodeConfig.nodeId(), err.getMessage(), err));
  }

  /** Binds the sharded services first, then (on first start) announces this node, then opens the ports. */
  private Future<Void> deployRoles(RuntimeConfig runtime, boolean first) {
    Future<Void> bound = deployments.deploy(new ClusterVerticle(services, runtime), false);
    io.socketpush.events.EventSink events = io.socketpush.events.EventSink.NONE;
    if (!nodeConfig.events().webhooks().isEmpty()) {
      io.socketpush.events.EventsVerticle ev = new io.socketpush.events.EventsVerticle(nodeConfig.events(), membership, ops.metrics());
      events = ev.sink();
      bound = bound.compose(v -> deployments.deploy(ev, false));
    }
    io.socketpush.events.EventSink sink = events;
    if (nodeConfig.has(Role.AUTH)) {
      bound = bound.compose(v -> deployments.deploy(new AuthVerticle(membership, runtime.get().cluster().localCalls()), false));
    }
    if (nodeConfig.has(Role.USER)) {
      bound = bound.compose(v -> deployments.deploy(new io.socketpush.user.UserVerticle(membership, services.channel(),
          services.presence(), services.presenceChanges(), runtime).events(sink), false));
    }
    if (nodeConfig.has(Role.CHANNEL)) {
      bound = bound.compose(v -> deployments.deploy(new ChannelVerticle(membership, services.presence(), runtime).events(sink), false));
    }
    Future<Void> ready = first ? bound.compose(v -> membership.start()) : bound;
    if (nodeConfig.has(Role.EDGE)) {
      edge = new EdgeVerticle(services, runtime, ops.metrics());
      ready = ready.compose(v -> deployments.deploy(edge, false)).map(v -> {
        membership.describeSelf("clientUrl", nodeConfig.clientUrl(edge.port()));
        return null;
      });
    }
    if (nodeConfig.has(Role.MANAGEMENT) && first) {
      // the management API registers no event-bus consumer: a rejoin keeps it (and its port) as it is
      management = new ManagementVerticle(services, runtime, ops);
      ready = ready.compose(v -> deployments.deploy(management, true)).map(v -> {
        membership.describeSelf("adminUrl", nodeConfig.adminUrl(management.port()));
        return null;
      });
    }
    return ready;
  }

  private void redeploy(RuntimeConfig runtime) {
    LOG.warn("[{}] redeploying the roles to register them in the cluster again", nodeConfig.nodeId());
    deployments.undeployForRedeploy()
        .compose(v -> deployRoles(runtime, false))
        .onSuccess(v -> LOG.info("[{}] roles redeployed", nodeConfig.nodeId()))
        .onFailure(err -> LOG.error("[{}] redeploying the roles failed: {}", nodeConfig.nodeId(), err.getMessage(), err));
  }

  @Override
  public Future<?> stop() {
    LOG.info("[{}] node stopping: leaving the cluster", nodeConfig == null ? "?" : nodeConfig.nodeId());
    rejoinListener.run();
    Future<Void> left = membership == null ? Future.succeededFuture() : membership.leave();
    if (edge != null) {
      edge.closeAll();
    }
    // let requests already routed here finish while the others re-route, then unbind (bounded)
    return left.recover(err -> Future.succeededFuture()).compose(v -> vertx.timer(DRAIN_MS))
        .compose(v -> deployments == null ? Future.succeededFuture() : deployments.undeployAll()).onComplete(ar -> {
      if (ops != null) {
        ops.stop();
      }
    });
  }

  /** The node id (after start). */
  public String nodeId() {
    return nodeConfig.nodeId();
  }

  /** Bound client port, or -1 without the edge role. */
  public int edgePort() {
    return edge == null ? -1 : edge.port();
  }

  /** Bound admin port, or -1 without the management role. */
  public int adminPort() {
    return management == null ? -1 : management.port();
  }

  /** The edge verticle, or null without the edge role (for tests). */
  public EdgeVerticle edge() {
    return edge;
  }

  /** The sharded services this node uses. */
  public Services services() {
    return services;
  }
}
