package io.socketpush.ops;

import io.socketpush.cluster.Membership;
import io.socketpush.config.NodeConfig.Role;
import io.socketpush.cluster.HashRing;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Liveness and readiness of one node as vertx-health-check procedures.
 *
 * <ul>
 *   <li>liveness ({@code /health}): the node's event loop answers. A failing liveness probe means restart.</li>
 *   <li>readiness ({@code /ready}): every role is bound and the ports are open ({@code roles}), this node
 *   is on the ring of each of its roles and every service it depends on has an instance ({@code ring}), the
 *   node is a member of the cluster ({@code cluster}), it is not leaving ({@code draining}), and the data grid
 *   settled after this node joined and is not degraded ({@code grid}). A failing
 *   readiness probe means "send no new clients or API calls here".</li>
 * </ul>
 * Checks read immutable ring snapshots and volatile flags only, so they run on any thread without locks.
 */
public final class NodeHealth {
  private static final List<Role> SHARDED = List.of(Role.AUTH, Role.USER, Role.CHANNEL);

  private final Vertx vertx;
  private final String nodeId;
  private final Set<Role> roles;
  private final Membership membership;
  private final BooleanSupplier started;
  private final long startedAt = System.currentTimeMillis();
  /** The grid was HEALTHY once since this node started. */
  private volatile boolean gridSettled;

  public NodeHealth(Vertx vertx, String nodeId, Set<Role> roles, Membership membership, BooleanSupplier started) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.roles = Set.copyOf(roles);
    this.membership = membership;
    this.started = started;
  }

  /** Procedures of the liveness probe. */
  public HealthChecks liveness() {
    return HealthChecks.create(vertx).register("node", 1_000, p -> p.complete(Status.OK(
        new JsonObject().put("nodeId", nodeId).put("uptimeMs", System.currentTimeMillis() - startedAt))));
  }

  /** Procedures of the readiness probe. */
  public HealthChecks readiness() {
    return HealthChecks.create(vertx)
        .register("roles", 1_000, p -> p.complete(roles()))
        .register("ring", 1_000, p -> p.complete(ring()))
        .register("cluster", 1_000, p -> p.complete(cluster()))
        .register("draining", 1_000, p -> p.complete(draining()))
        .register("grid", 1_000, p -> p.complete(grid(io.socketpush.cluster.GridHealth.status(vertx))));
  }

  /**
   * The data grid: not ready until the grid was HEALTHY once since this node started (the rebalance its join
   * caused is done: a rolling deploy that waits for this readiness never stops the next node mid-rebalance, see
   * {@link io.socketpush.cluster.GridHealth}), and not while the grid is DEGRADED or FAILED (a partition or lost
   * data: writes refused). Later rebalances (another node joins or leaves) do not make a settled node unready.
   */
  Status grid(String status) {
    JsonObject data = new JsonObject().put("status", status);
    if ("HEALTHY".equals(status) || io.socketpush.cluster.GridHealth.LOCAL.equals(status)) {
      gridSettled = true;
      return Status.OK(data);
    }
    if ("HEALTHY_REBALANCING".equals(status)) {
      return gridSettled ? Status.OK(data) : Status.KO(data.put("reason", "the data grid is still rebalancing after this node joined"));
    }
    return Status.KO(data.put("reason", "the data grid is " + status));
  }

  Status roles() {
    JsonArray r = new JsonArray();
    roles.forEach(x -> r.add(x.id()));
    JsonObject data = new JsonObject().put("roles", r);
    return started.getAsBoolean() ? Status.OK(data) : Status.KO(data.put("reason", "roles are still being bound"));
  }

  Status ring() {
    JsonObject data = new JsonObject();
    String problem = null;
    for (Role role : Role.values()) {
      HashRing ring = membership.ring(role);
      boolean mine = roles.contains(role);
      if (mine || SHARDED.contains(role)) {
        data.put(role.id(), new JsonObject().put("version", ring.version()).put("members", ring.members().size()));
      }
      if (mine && !ring.members().contains(nodeId) && problem == null) {
        problem = "this node is not yet on the " + role.id() + " ring";
      }
      if (SHARDED.contains(role) && ring.isEmpty() && problem == null) {
        problem = "no node runs the " + role.id() + " role";
      }
    }
    return problem == null ? Status.OK(data) : Status.KO(data.put("reason", problem));
  }

  Status cluster() {
    JsonObject data = new JsonObject().put("clustered", vertx.isClustered()).put("nodes", membership.nodes().size());
    if (membership.fenced()) {
      return Status.KO(data.put("reason", "partitioned: " + membership.fenceReason()));
    }
    return membership.nodes().containsKey(nodeId) ? Status.OK(data)
        : Status.KO(data.put("reason", "this node has not joined the membership"));
  }

  Status draining() {
    return membership.leaving() ? Status.KO(new JsonObject().put("reason", "node is draining (leaving the cluster)"))
        : Status.OK();
  }
}
