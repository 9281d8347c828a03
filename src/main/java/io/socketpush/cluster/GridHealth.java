package io.socketpush.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.ext.cluster.infinispan.InfinispanClusterManager;
import org.infinispan.manager.EmbeddedCacheManager;

/**
 * The data grid's health as this member sees it (Infinispan's cluster health: every cache's topology, read
 * locally, no remote call): {@code HEALTHY}, {@code HEALTHY_REBALANCING} (segments are moving to or from a member
 * that joined or left), {@code DEGRADED} (a partition or lost segments: writes refused) or {@code FAILED};
 * {@code LOCAL} when this Vert.x is not clustered with Infinispan.
 *
 * <p>Why it matters: stopping a node while the grid still rebalances after the previous node's start can leave the
 * next joiner blocked in Infinispan's initial state transfer (seen in StreamRollingRestartIT: node3 restarted 0.3 s
 * after node2 came up and waited over 120 s). A rolling deploy goes on once the new node's readiness says the
 * rebalance its join caused is done (NodeHealth's {@code grid} check).
 */
public final class GridHealth {
  public static final String LOCAL = "LOCAL";

  private GridHealth() {
  }

  /** The health status of the grid this Vert.x belongs to. */
  public static String status(Vertx vertx) {
    if (vertx.isClustered() && vertx instanceof VertxInternal vi
        && vi.clusterManager() instanceof InfinispanClusterManager icm
        && icm.getCacheContainer() instanceof EmbeddedCacheManager ecm) {
      String status = ecm.getHealth().getClusterHealth().getHealthStatus().name();
      return "HEALTHY".equals(status) && !topologiesMatchView(ecm) ? "HEALTHY_REBALANCING" : status;
    }
    return LOCAL;
  }

  /**
   * Whether no cache running here still lists a member that left the view: after a member leaves, the grid's
   * coordinator installs new cache topologies; until it has, Infinispan's own health still reads HEALTHY (no
   * rebalance started yet) although the grid has not caught up with the view. (A cache's members are only the
   * nodes that run it, so fewer than the view is normal.)
   */
  static boolean topologiesMatchView(EmbeddedCacheManager ecm) {
    java.util.Set<Object> view = new java.util.HashSet<>(ecm.getMembers() == null ? java.util.List.of() : ecm.getMembers());
    for (String name : ecm.getCacheNames()) {
      if (!ecm.isRunning(name)) {
        continue;
      }
      org.infinispan.distribution.DistributionManager dm = ecm.getCache(name, false).getAdvancedCache().getDistributionManager();
      if (dm == null) {
        continue; // a local cache
      }
      org.infinispan.distribution.LocalizedCacheTopology t = dm.getCacheTopology();
      if (t == null || !view.containsAll(t.getMembers())) {
        return false;
      }
    }
    return true;
  }
}
