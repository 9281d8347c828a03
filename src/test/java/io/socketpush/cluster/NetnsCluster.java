package io.socketpush.cluster;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Three hosts on a real network: three network namespaces, each joined by a veth pair to a bridge in the
 * root namespace, one socket-push node per namespace with its own address on a private test subnet
 * ({@value #SUBNET}.0/24, which exists only while the test runs). JGroups and the event bus bind to the
 * namespace's address; the client and admin ports too, so the test's clients and publishers (in this JVM,
 * root namespace, {@value #HOST}) reach the nodes through the bridge. Faults are iptables rules inside a
 * namespace that drop traffic to and/or from the other nodes only (never the test's own traffic), and
 * SIGSTOP/SIGCONT.
 *
 * <p>Roles as the README's example cluster (conf/cluster/node1..3.json), except that node3 also runs the
 * management role, so that a publisher can reach each side of a split (as a backend in node3's zone would),
 * and edges keep an offline user's subscriptions for 60 s instead of 20 (see {@link #start}).
 *
 * <p>Everything is torn down by {@link #close()} (called by the test in a finally block and by a JVM
 * shutdown hook), and leftovers of an aborted earlier run are removed before anything is created.
 */
final class NetnsCluster implements AutoCloseable {
  static final String SUBNET = "10.231.77";
  static final String HOST = SUBNET + ".254";
  static final String PREFIX = "sp14";
  static final String BRIDGE = PREFIX + "br0";
  static final int EDGE_PORT = 8080;
  static final int ADMIN_PORT = 8181;
  private static final List<List<String>> ROLES = List.of(List.of("edge", "management"),
      List.of("auth", "user", "channel", "management"), List.of("edge", "channel", "user", "management"));

  /** One node: its namespace, address, roles, process. */
  static final class Node {
    final int n;
    final String ns;
    final String addr;
    final List<String> roles;
    final Path log;
    final Path conf;
    Process process;

    Node(int n) {
      this.n = n;
      this.ns = PREFIX + "n" + n;
      this.addr = SUBNET + "." + n;
      this.roles = ROLES.get(n - 1);
      this.log = Path.of("target", "it-logs", "netns-node" + n + ".log");
      this.conf = Path.of("target", "netns", "node" + n + ".json");
    }

    String id() {
      return "node" + n;
    }

    boolean edge() {
      return roles.contains("edge");
    }

    String clientUrl() {
      return "http://" + addr + ":" + EDGE_PORT;
    }

    boolean alive() {
      return process != null && process.isAlive();
    }

    @Override
    public String toString() {
      return id() + "@" + addr;
    }
  }

  final List<Node> nodes = new ArrayList<>();
  final String clusterName = "sp-netns-" + UUID.randomUUID().toString().substring(0, 8);
  private final Thread hook = new Thread(this::teardownQuietly, "netns-teardown");
  private volatile boolean closed;

  /**
   * Skips the calling test (JUnit assumption) unless this JVM runs as root with {@code ip} and
   * {@code iptables}: the only reasons it may not run. CI runs as root, so there it always runs.
   */
  static void assumeUsable() {
    boolean root = "root".equals(System.getProperty("user.name")) || uid() == 0;
    assumeTrue(root, "partition tests need root (network namespaces, veth, iptables): skipped, not run as root");
    assumeTrue(onPath("ip"), "partition tests need the `ip` command (iproute2): skipped");
    assumeTrue(onPath("iptables"), "partition tests need `iptables` inside network namespaces (apt-get install -y iptables): skipped");
  }

  private static long uid() {
    try {
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return -1;
    }
  }

  private static boolean onPath(String cmd) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(File.pathSeparator)) {
      if (new File(dir, cmd).canExecute()) {
        return true;
      }
    }
    return new File("/usr/sbin/" + cmd).canExecute() || new File("/sbin/" + cmd).canExecute();
  }

  /** Creates the network (after removing leftovers of an aborted run) and registers the teardown hook. */
  static NetnsCluster create() throws IOException, InterruptedException {
    NetnsCluster c = new NetnsCluster();
    Runtime.getRuntime().addShutdownHook(c.hook);
    removeLeftovers();
    try {
      sh("ip", "link", "add", BRIDGE, "type", "bridge");
      sh("ip", "addr", "add", HOST + "/24", "dev", BRIDGE);
      sh("ip", "link", "set", BRIDGE, "up");
      for (int n = 1; n <= 3; n++) {
        Node node = new Node(n);
        c.nodes.add(node);
        String veth = PREFIX + "v" + n;
        sh("ip", "netns", "add", node.ns);
        sh("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", node.ns);
        sh("ip", "link", "set", veth, "master", BRIDGE);
        sh("ip", "link", "set", veth, "up");
        sh("ip", "-n", node.ns, "addr", "add", node.addr + "/24", "dev", "eth0");
        sh("ip", "-n", node.ns, "link", "set", "eth0", "up");
        sh("ip", "-n", node.ns, "link", "set", "lo", "up");
      }
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
    return c;
  }

  /** Removes namespaces, veths and the bridge of an earlier run that did not clean up (e.g. killed). */
  static void removeLeftovers() throws IOException, InterruptedException {
    String list = out("ip", "netns", "list");
    for (String line : list.split("\n")) {
      String ns = line.trim().split("\\s+")[0];
      if (ns.startsWith(PREFIX + "n")) {
        // processes still running in it (an aborted run's nodes) go with it
        for (String pid : out("ip", "netns", "pids", ns).split("\\s+")) {
          if (!pid.isBlank()) {
            run(false, "kill", "-9", pid.trim());
          }
        }
        run(false, "ip", "netns", "del", ns);
      }
    }
    for (int n = 1; n <= 3; n++) {
      run(false, "ip", "link", "del", PREFIX + "v" + n);
    }
    run(false, "ip", "link", "del", BRIDGE);
  }

  Node node(int n) {
    return nodes.get(n - 1);
  }

  /** node2 first (it seeds the cluster), then node1 and node3; returns once every port answers. */
  void startAll() throws IOException, InterruptedException {
    start(node(2));
    awaitHttp(node(2).addr, ADMIN_PORT, "/heartbeat", 120_000);
    start(node(1));
    start(node(3));
    for (Node n : nodes) {
      awaitHttp(n.addr, ADMIN_PORT, "/heartbeat", 120_000);
      if (n.edge()) {
        awaitHttp(n.addr, EDGE_PORT, "/eventbus/info", 120_000);
      }
    }
  }

  /** Starts the node's JVM inside its namespace, bound to its address (appending to its log). */
  void start(Node n) throws IOException {
    Files.createDirectories(n.log.getParent());
    Files.createDirectories(n.conf.getParent());
    JsonObject conf = new JsonObject().put("nodeId", n.id()).put("roles", new JsonArray(n.roles))
        .put("management", new JsonObject().put("host", n.addr).put("port", ADMIN_PORT)
            .put("publicUrl", "http://" + n.addr + ":" + ADMIN_PORT))
        // a non-loopback cluster address needs the cluster secret (the example cluster's development one)
        .put("cluster", new JsonObject().put("secretFile", Path.of(NodeProcess.DEV_SECRET_FILE).toAbsolutePath().toString()));
    // removeUserAfterDisconnectTimeout above the longest fault (SIGSTOP 30 s), on every node (the user role
    // applies it): with the default 20 s the majority, which dropped the frozen node's users, unsubscribes them
    // from every channel (the designed offline semantics), and the tests would measure that rather than the
    // partition handling
    JsonObject edge = new JsonObject().put("removeUserAfterDisconnectTimeout", 60_000);
    if (n.edge()) {
      edge.put("host", n.addr).put("port", EDGE_PORT).put("publicUrl", n.clientUrl());
    }
    conf.put("edge", edge);
    // the load channels' history covers the longest outage (PartitionIT: 5 publishes/s per channel, a 30 s freeze
    // plus the heal): a client that reconnects resumes with its positions and is owed every acknowledged publish
    conf.put("streams", new JsonObject().put("rules", new JsonArray().add(new JsonObject().put("match", "channel.p*")
        .put("historySize", 5_000).put("historyTtl", 600_000))));
    Files.writeString(n.conf, conf.encodePrettily(), StandardCharsets.UTF_8);
    StringBuilder hosts = new StringBuilder();
    for (int k = 1; k <= 3; k++) {
      hosts.append(k > 1 ? "," : "").append(SUBNET).append('.').append(k).append("[7800]");
    }
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", n.ns,
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-Djava.net.preferIPv4Stack=true",
        "-Dsocketpush.cluster.name=" + clusterName, "-Djgroups.bind_addr=" + n.addr,
        "-Djgroups.tcpping.initial_hosts=" + hosts, "-Djgroups.tcpping.port_range=1",
        "-jar", NodeProcess.jar(), "-cluster", "-cluster-host", n.addr, "-conf", n.conf.toString()));
    // `ip netns exec` execs the command, so the process is the JVM itself (SIGSTOP/SIGKILL reach it)
    n.process = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(n.log.toFile())).start();
  }

  // ---- faults ----

  /** Symmetric partition: drops every packet between {@code n} and the other nodes, both ways. */
  void isolate(Node n) throws IOException, InterruptedException {
    for (Node other : nodes) {
      if (other != n) {
        iptables(n, "-A", "INPUT", "-s", other.addr, "-j", "DROP");
        iptables(n, "-A", "OUTPUT", "-d", other.addr, "-j", "DROP");
      }
    }
  }

  /** Half-open network: packets from {@code n} to the other nodes are dropped; theirs still reach it. */
  void oneWayLoss(Node n) throws IOException, InterruptedException {
    for (Node other : nodes) {
      if (other != n) {
        iptables(n, "-A", "OUTPUT", "-d", other.addr, "-j", "DROP");
      }
    }
  }

  /** Removes every fault rule in every namespace. */
  void heal() throws IOException, InterruptedException {
    for (Node n : nodes) {
      iptables(n, "-F", "INPUT");
      iptables(n, "-F", "OUTPUT");
    }
  }

  /**
   * A flapping link: {@code n} is isolated for {@code periodMs}, connected for {@code periodMs}, and so on
   * for {@code durationMs}; ends healed. Blocks the caller for the duration.
   */
  void flap(Node n, long periodMs, long durationMs) throws IOException, InterruptedException {
    long end = System.currentTimeMillis() + durationMs;
    try {
      while (System.currentTimeMillis() < end) {
        isolate(n);
        Thread.sleep(Math.min(periodMs, Math.max(0, end - System.currentTimeMillis())));
        heal();
        Thread.sleep(Math.min(periodMs, Math.max(0, end - System.currentTimeMillis())));
      }
    } finally {
      heal();
    }
  }

  /** SIGSTOP: the JVM freezes with its sockets open. */
  void pause(Node n) throws IOException, InterruptedException {
    run(true, "kill", "-STOP", String.valueOf(n.process.pid()));
  }

  /** SIGCONT. */
  void resume(Node n) throws IOException, InterruptedException {
    run(false, "kill", "-CONT", String.valueOf(n.process.pid()));
  }

  private void iptables(Node n, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", n.ns, "iptables", "-w"));
    cmd.addAll(List.of(args));
    run(true, cmd.toArray(String[]::new));
  }

  /** Kills the nodes and removes the network; safe to call twice and from the shutdown hook. */
  @Override
  public void close() {
    teardownQuietly();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // called from the hook itself
    }
  }

  private synchronized void teardownQuietly() {
    if (closed) {
      return;
    }
    closed = true;
    for (Node n : nodes) {
      if (n.process != null) {
        try {
          run(false, "kill", "-CONT", String.valueOf(n.process.pid()));
          n.process.destroyForcibly();
          n.process.waitFor(15, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
          System.out.println("[netns] could not stop " + n + ": " + e);
        }
      }
    }
    try {
      removeLeftovers();
    } catch (IOException | InterruptedException e) {
      System.out.println("[netns] teardown incomplete: " + e);
    }
  }

  /** The last lines of every node's log, for failure messages. */
  String tails() {
    StringBuilder b = new StringBuilder();
    for (Node n : nodes) {
      b.append("---- ").append(n).append('\n');
      try {
        List<String> lines = Files.readAllLines(n.log).stream().filter(l -> !l.startsWith("\tat ") && !l.startsWith("\t... ")).toList();
        b.append(String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()))).append('\n');
      } catch (IOException e) {
        b.append("(no log: ").append(e.getMessage()).append(")\n");
      }
    }
    return b.toString();
  }

  /** Polls {@code http://host:port/path} until it answers 200 or the time is up. */
  static void awaitHttp(String host, int port, String path, long timeoutMs) throws InterruptedException {
    long end = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < end) {
      try {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://" + host + ":" + port + path).toURL().openConnection();
        c.setConnectTimeout(500);
        c.setReadTimeout(2_000);
        if (c.getResponseCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new AssertionError("nothing answered on " + host + ":" + port + path + " within " + timeoutMs + " ms");
  }

  private static void sh(String... cmd) throws IOException, InterruptedException {
    run(true, cmd);
  }

  /** Runs a command (bounded: 20 s); with {@code check}, a non-zero exit fails with its output. */
  private static String run(boolean check, String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("timed out: " + String.join(" ", cmd));
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (check && p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + output.trim());
    }
    return output;
  }

  private static String out(String... cmd) throws IOException, InterruptedException {
    return run(false, cmd);
  }
}
