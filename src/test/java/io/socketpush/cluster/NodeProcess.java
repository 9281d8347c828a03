package io.socketpush.cluster;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One socket-push node as a separate JVM started from the fat jar ({@code -Dsocketpush.jar}, set by
 * failsafe) with the real Infinispan cluster manager, for integration and fault tests. The cluster name
 * and JGroups ports come from the test, so it never joins somebody else's cluster on this machine.
 */
final class NodeProcess {
  final String name;
  final String conf;
  private final List<String> clusterProps;
  private final Path log;
  private Process process;

  NodeProcess(String name, String conf, List<String> clusterProps) {
    this.name = name;
    this.conf = conf;
    this.clusterProps = clusterProps;
    // one folder per test cluster (its name is unique per IT): a later IT's nodes never mix into this one's logs
    String cluster = clusterProps.stream().filter(p -> p.startsWith("-Dsocketpush.cluster.name="))
        .map(p -> p.substring(p.indexOf('=') + 1)).findFirst().orElse("default");
    this.log = Path.of("target", "it-logs", cluster, name + ".log");
  }

  /** JGroups/Infinispan system properties of a private cluster on {@code basePort}. */
  static List<String> clusterProps(String clusterName, int basePort) {
    return List.of("-Dsocketpush.cluster.name=" + clusterName, "-Djgroups.bind_addr=127.0.0.1",
        "-Djgroups.tcp.port=" + basePort, "-Djgroups.tcpping.initial_hosts=127.0.0.1[" + basePort + "]",
        "-Djgroups.tcpping.port_range=5");
  }

  /**
   * Starts the README's example cluster (conf/cluster/node1..3.json) on a private cluster as a user would:
   * node2 first (it seeds the cluster), then node1 and node3 together; returns once every port answers. On a
   * failure it prints the nodes' logs and kills what it started.
   */
  static List<NodeProcess> startExample(String clusterName, int basePort) throws IOException, InterruptedException {
    return startExample(clusterName, basePort, null);
  }

  /**
   * The same with {@code overlay} merged (deeply) into each node's config file; the merged files are written
   * to target/it-conf. Null: the files as they are.
   */
  static List<NodeProcess> startExample(String clusterName, int basePort, io.vertx.core.json.JsonObject overlay)
      throws IOException, InterruptedException {
    List<String> props = clusterProps(clusterName, basePort);
    List<NodeProcess> nodes = new ArrayList<>();
    for (String n : List.of("node1", "node2", "node3")) {
      String conf = "conf/cluster/" + n + ".json";
      if (overlay != null) {
        Path merged = Path.of("target", "it-conf", clusterName + "-" + n + ".json");
        Files.createDirectories(merged.getParent());
        Files.writeString(merged, new io.vertx.core.json.JsonObject(Files.readString(Path.of(conf)))
            .mergeIn(overlay.copy(), true).encodePrettily());
        conf = merged.toString();
      }
      nodes.add(new NodeProcess(n, conf, props));
    }
    try {
      nodes.get(1).start();
      awaitHttp(8182, "/heartbeat", 120_000);
      nodes.get(0).start();
      nodes.get(2).start();
      awaitHttp(8181, "/heartbeat", 120_000);
      awaitHttp(8083, "/eventbus/info", 120_000);
      awaitHttp(8080, "/eventbus/info", 120_000);
      return nodes;
    } catch (AssertionError | IOException e) {
      nodes.forEach(n -> System.out.println("---- " + n.name + "\n" + n.tail()));
      for (NodeProcess n : nodes) {
        n.kill();
      }
      throw e;
    }
  }

  /** Closes the Vert.x instances (null ones skipped), then kills every node, whatever fails on the way. */
  static void stopAll(List<NodeProcess> nodes, io.vertx.core.Vertx... vertxes) throws InterruptedException {
    try {
      for (io.vertx.core.Vertx v : vertxes) {
        if (v != null) {
          io.socketpush.testing.Await.result(v.close(), 30_000);
        }
      }
    } finally {
      for (NodeProcess n : nodes) {
        n.kill();
      }
    }
  }

  /** Points the cluster managers this JVM creates from now on at that cluster (for a client-only member). */
  static void joinFromThisJvm(String clusterName, int basePort) {
    System.setProperty("socketpush.cluster.name", clusterName);
    System.setProperty("jgroups.bind_addr", "127.0.0.1");
    System.setProperty("jgroups.tcp.port", String.valueOf(basePort + 5));
    System.setProperty("jgroups.tcpping.initial_hosts", "127.0.0.1[" + basePort + "]");
    System.setProperty("jgroups.tcpping.port_range", "5");
  }

  /** The example cluster's development secret, as conf/cluster/*.json name it. */
  static final String DEV_SECRET_FILE = "conf/cluster/dev-cluster-secret";

  /**
   * Vert.x options of a client-only member of the example cluster: the same cluster secret as the nodes
   * (JGroups key and event-bus TLS), as a Java application joining a secured cluster must have.
   */
  static io.vertx.core.VertxOptions clientOptions() {
    return io.socketpush.cluster.ClusterSecurity.clientOptions(DEV_SECRET_FILE);
  }

  static String jar() {
    String jar = System.getProperty("socketpush.jar", "target/socket-push.jar");
    if (!new File(jar).isFile()) {
      throw new IllegalStateException("no fat jar at " + jar + " (run mvn verify)");
    }
    return jar;
  }

  /** Starts the JVM (appending to its log). */
  NodeProcess start() throws IOException {
    Files.createDirectories(log.getParent());
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-Djava.net.preferIPv4Stack=true");
    cmd.addAll(clusterProps);
    cmd.addAll(List.of("-jar", jar(), "-cluster", "-conf", conf));
    process = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    return this;
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  /** SIGKILL, and wait for the process to be gone. */
  void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor(15, TimeUnit.SECONDS);
    }
  }

  /** SIGSTOP / SIGCONT. */
  void signal(String sig) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("kill", "-" + sig, String.valueOf(pid())).inheritIO().start();
    p.waitFor(5, TimeUnit.SECONDS);
  }

  /** Polls {@code http://127.0.0.1:port/path} until it answers 200 or the time is up. */
  static void awaitHttp(int port, String path, long timeoutMs) throws InterruptedException {
    NetnsCluster.awaitHttp("127.0.0.1", port, path, timeoutMs);
  }

  /** The last lines of the node's log, for failure messages. */
  String tail() {
    try {
      List<String> lines = Files.readAllLines(log).stream().filter(l -> !l.startsWith("\tat ") && !l.startsWith("\t... ")).toList();
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }
}
