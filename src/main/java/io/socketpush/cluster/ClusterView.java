package io.socketpush.cluster;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.ext.cluster.infinispan.InfinispanClusterManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.infinispan.manager.EmbeddedCacheManager;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachemanagerlistener.annotation.Merged;
import org.infinispan.notifications.cachemanagerlistener.annotation.ViewChanged;
import org.infinispan.notifications.cachemanagerlistener.event.MergeEvent;
import org.infinispan.notifications.cachemanagerlistener.event.ViewChangedEvent;
import org.infinispan.remoting.transport.Address;

/**
 * The Infinispan (JGroups) view of the cluster: which cluster-manager members are alive right now. A
 * crashed member leaves the view as soon as JGroups' failure detection says so (at once for a killed
 * process, about 10 s for a frozen one), much faster than missed heartbeats.
 *
 * <p>It listens on the cache manager through Infinispan's own listener API; it never takes the Vert.x
 * cluster manager's single node-listener slot (the HA manager owns that). Callbacks arrive on Infinispan
 * notification threads; {@link Membership} hops them onto its own context.
 */
final class ClusterView {
  private final EmbeddedCacheManager cacheManager;
  private final ClusterManager clusterManager;
  private final ViewListener listener;

  /**
   * A new view: its members and, for a merge of partitions, the member sets of the partitions merged
   * (null for an ordinary view change).
   */
  record Change(Set<String> members, List<Set<String>> mergedPartitions) {
  }

  private ClusterView(ClusterManager clusterManager, EmbeddedCacheManager cacheManager, Consumer<Change> onView) {
    this.clusterManager = clusterManager;
    this.cacheManager = cacheManager;
    this.listener = new ViewListener(onView);
  }

  /**
   * Starts listening when {@code vertx} is clustered with Infinispan; null otherwise (a local Vert.x, as in
   * one-JVM tests, where heartbeats alone define membership).
   */
  static ClusterView attach(Vertx vertx, Consumer<Change> onView) {
    if (!vertx.isClustered() || !(vertx instanceof VertxInternal vi)
        || !(vi.clusterManager() instanceof InfinispanClusterManager icm)
        || !(icm.getCacheContainer() instanceof EmbeddedCacheManager ecm)) {
      return null;
    }
    ClusterView view = new ClusterView(icm, ecm, onView);
    ecm.addListener(view.listener);
    return view;
  }

  /** This member's cluster-manager id (the JGroups address Vert.x also uses as node id). */
  String localId() {
    return clusterManager.getNodeId();
  }

  /** The members of the current view. */
  Set<String> members() {
    return new TreeSet<>(clusterManager.getNodes());
  }

  /**
   * Whether this member still has a registration for {@code address} in the cluster's subscription
   * registry. A member that was excluded from the view (frozen, cut off) loses its registrations: the
   * coordinator removes them, and a later merge does not bring them back.
   */
  Future<Boolean> registered(String address) {
    Promise<List<RegistrationInfo>> p = Promise.promise();
    clusterManager.getRegistrations(address, p);
    Promise<NodeInfo> info = Promise.promise();
    clusterManager.getNodeInfo(localId(), info);
    String me = localId();
    return Future.all(p.future(), info.future())
        .map(v -> info.future().result() != null && p.future().result().stream().anyMatch(r -> me.equals(r.nodeId())));
  }

  /**
   * Publishes this member's event-bus address again (the coordinator also removes the node info of an
   * excluded member; without it nobody can open an event-bus connection to this node).
   */
  Future<Void> restoreNodeInfo() {
    Promise<Void> p = Promise.promise();
    clusterManager.setNodeInfo(clusterManager.getNodeInfo(), p);
    return p.future();
  }

  void detach() {
    try {
      cacheManager.removeListener(listener);
    } catch (RuntimeException ignored) {
      // the cache manager is already stopping
    }
  }

  /** Infinispan calls it on its notification threads, asynchronously. */
  @Listener(sync = false)
  public static final class ViewListener {
    private final Consumer<Change> onView;

    ViewListener(Consumer<Change> onView) {
      this.onView = onView;
    }

    @Merged
    public void merged(MergeEvent e) {
      List<Set<String>> partitions = new ArrayList<>();
      e.getSubgroupsMerged().forEach(g -> partitions.add(ids(g)));
      onView.accept(new Change(ids(e.getNewMembers()), partitions));
    }

    @ViewChanged
    public void viewChanged(ViewChangedEvent e) {
      onView.accept(new Change(ids(e.getNewMembers()), null));
    }

    private static Set<String> ids(List<Address> members) {
      Set<String> ids = new TreeSet<>();
      members.forEach(a -> ids.add(a.toString()));
      return ids;
    }
  }
}
