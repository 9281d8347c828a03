package io.socketpush.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.ext.cluster.infinispan.InfinispanClusterManager;
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

  private ClusterView(ClusterManager clusterManager, EmbeddedCacheManager cacheManager, Consumer<Set<String>> onView) {
    this.clusterManager = clusterManager;
    this.cacheManager = cacheManager;
    this.listener = new ViewListener(onView);
  }

  /**
   * Starts listening when {@code vertx} is clustered with Infinispan; null otherwise (a local Vert.x, as in
   * one-JVM tests, where heartbeats alone define membership).
   */
  static ClusterView attach(Vertx vertx, Consumer<Set<String>> onView) {
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
    private final Consumer<Set<String>> onView;

    ViewListener(Consumer<Set<String>> onView) {
      this.onView = onView;
    }

    @Merged
    public void merged(MergeEvent e) {
      viewChanged(e);
    }

    @ViewChanged
    public void viewChanged(ViewChangedEvent e) {
      List<Address> members = e.getNewMembers();
      Set<String> ids = new TreeSet<>();
      members.forEach(a -> ids.add(a.toString()));
      onView.accept(ids);
    }
  }
}
