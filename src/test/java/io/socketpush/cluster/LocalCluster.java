package io.socketpush.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.cluster.infinispan.InfinispanClusterManager;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Several clustered Vert.x instances in one JVM, with the project's real Infinispan/JGroups config, on a
 * cluster name and port range of their own so a test never joins somebody else's cluster on this machine.
 */
final class LocalCluster {
  private static final String[] KEYS = {"socketpush.cluster.name", "jgroups.bind_addr", "jgroups.tcp.port",
      "jgroups.tcpping.initial_hosts", "jgroups.tcpping.port_range"};
  private final Map<String, String> saved = new HashMap<>();
  final int basePort;
  final String name;

  /** Points the JGroups config of every cluster manager created from now on at a private cluster. */
  LocalCluster(int members) {
    for (String k : KEYS) {
      saved.put(k, System.getProperty(k));
    }
    basePort = 20_000 + ThreadLocalRandom.current().nextInt(0, 90) * 100;
    name = "sp-test-" + UUID.randomUUID().toString().substring(0, 8);
    System.setProperty("socketpush.cluster.name", name);
    System.setProperty("jgroups.bind_addr", "127.0.0.1");
    System.setProperty("jgroups.tcp.port", String.valueOf(basePort));
    System.setProperty("jgroups.tcpping.initial_hosts", "127.0.0.1[" + basePort + "]");
    System.setProperty("jgroups.tcpping.port_range", String.valueOf(members + 2));
  }

  /** A new clustered Vert.x instance joining the private cluster. */
  Future<Vertx> vertx() {
    return Vertx.builder().withClusterManager(new InfinispanClusterManager()).buildClustered();
  }

  /** Restores the system properties. */
  void restore() {
    saved.forEach((k, v) -> {
      if (v == null) {
        System.clearProperty(k);
      } else {
        System.setProperty(k, v);
      }
    });
  }
}
