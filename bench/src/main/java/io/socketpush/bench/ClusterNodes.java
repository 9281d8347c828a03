package io.socketpush.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The benchmark's 3-node cluster: three socket-push JVMs with the Infinispan cluster manager on a private
 * cluster name and JGroups ports. One node is the edge (and has a management API of its own), the other two
 * own the auth, user and channel shards; the load generator's sockets connect to the edge and its setup and
 * publishes go through the management API of the second node, so every publish crosses the event bus
 * (management node -> owner, possibly another node -> edge node).
 */
final class ClusterNodes {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final List<ServerProcess> processes;
  private final List<Integer> adminPorts;

  private ClusterNodes(List<ServerProcess> processes, List<Integer> adminPorts) {
    this.processes = processes;
    this.adminPorts = adminPorts;
  }

  /** {@link #start(List, String, int, int, boolean, JsonObject, String, int)} with the default config. */
  static ClusterNodes start(List<String> javaPrefix, String jar, int edgePort, int adminPort, boolean secure) throws IOException {
    return start(javaPrefix, jar, edgePort, adminPort, secure, new JsonObject(), secure ? "-secure" : "", secure ? 46_000 : 48_000);
  }

  /**
   * Starts the three nodes and waits until each management API sees all three.
   *
   * @param javaPrefix taskset + java + heap options
   * @param edgePort client port of the edge node
   * @param adminPort management port of the node publishes go through; the edge node and the third node
   *     use the next two ports
   * @param extra config merged (deeply) into every node's config (the streams rules, edge options)
   * @param suffix added to the node ids and log names (targets of one run must differ)
   * @param jgroupsBase lowest JGroups port the cluster may draw (a random one of 50 slots of 20 above it)
   */
  static ClusterNodes start(List<String> javaPrefix, String jar, int edgePort, int adminPort, boolean secure, JsonObject extra,
      String suffix, int jgroupsBase) throws IOException {
    String name = "bench-" + UUID.randomUUID().toString().substring(0, 8);
    int jgroups = jgroupsBase + ThreadLocalRandom.current().nextInt(0, 50) * 20;
    List<String> props = List.of("-Dsocketpush.cluster.name=" + name, "-Djgroups.bind_addr=127.0.0.1",
        "-Djgroups.tcp.port=" + jgroups, "-Djgroups.tcpping.initial_hosts=127.0.0.1[" + jgroups + "]",
        "-Djgroups.tcpping.port_range=5");
    JsonObject cluster = new JsonObject().put("requestTimeout", 10_000);
    if (secure) {
      // a fresh random secret per run: JGroups encryption and event-bus mutual TLS on every node
      Path secret = Path.of("bench", "logs", name + ".secret");
      java.nio.file.Files.createDirectories(secret.getParent());
      byte[] b = new byte[32];
      new java.security.SecureRandom().nextBytes(b);
      java.nio.file.Files.writeString(secret, java.util.Base64.getEncoder().encodeToString(b) + "\n");
      secret.toFile().deleteOnExit();
      cluster.put("secretFile", secret.toString());
    }
    JsonArray owners = new JsonArray().add("auth").add("user").add("channel").add("management");
    // the API node first: it seeds the cluster; then the edge and the second owner
    JsonObject api = node("bench-api" + suffix, owners, adminPort, cluster).mergeIn(extra.copy(), true);
    JsonObject edge = node("bench-edge" + suffix, new JsonArray().add("edge").add("management"), adminPort + 1, cluster)
        .put("edge", new JsonObject().put("host", "127.0.0.1").put("port", edgePort).put("pingTimeout", 600_000)
            .put("authTimeout", 60_000)).mergeIn(extra.copy(), true);
    JsonObject owner = node("bench-owner" + suffix, owners, adminPort + 2, cluster).mergeIn(extra.copy(), true);
    List<ServerProcess> started = new ArrayList<>();
    try {
      started.add(startOne(javaPrefix, jar, props, api, adminPort));
      started.add(startOne(javaPrefix, jar, props, edge, edgePort));
      started.add(startOne(javaPrefix, jar, props, owner, adminPort + 2));
      List<Integer> admins = List.of(adminPort, adminPort + 1, adminPort + 2);
      long deadline = System.currentTimeMillis() + 120_000;
      for (int port : admins) {
        while (serverNodes(port) < 3) {
          if (System.currentTimeMillis() > deadline) {
            throw new IOException("the bench cluster did not form within 120 s (management port " + port + " sees "
                + serverNodes(port) + " nodes); see bench/logs/bench-*.log");
          }
          LoadGen.sleep(500);
        }
      }
      return new ClusterNodes(started, admins);
    } catch (IOException | RuntimeException e) {
      started.forEach(ServerProcess::close);
      throw e;
    }
  }

  private static JsonObject node(String id, JsonArray roles, int adminPort, JsonObject cluster) {
    return new JsonObject().put("nodeId", id).put("roles", roles).put("cluster", cluster)
        .put("management", new JsonObject().put("host", "127.0.0.1").put("port", adminPort));
  }

  private static ServerProcess startOne(List<String> javaPrefix, String jar, List<String> props, JsonObject conf, int port)
      throws IOException {
    List<String> cmd = new ArrayList<>(javaPrefix);
    cmd.addAll(props);
    cmd.addAll(List.of("-jar", jar, "-cluster", "-conf", conf.encode()));
    return ServerProcess.start(cmd, Path.of("bench", "logs", conf.getString("nodeId") + ".log"), port, 120_000);
  }

  /** Server nodes (with roles) in the cluster status of the management API on {@code port}; 0 if it does not answer. */
  static int serverNodes(int port) {
    JsonObject r = post(port, "/api/cluster/status", "{}");
    if (r == null || !(r.getValue("result") instanceof JsonObject status)) {
      return 0;
    }
    int n = 0;
    for (Object o : status.getJsonArray("nodes", new JsonArray())) {
      if (o instanceof JsonObject d && !d.getJsonArray("roles", new JsonArray()).isEmpty()) {
        n++;
      }
    }
    return n;
  }

  /**
   * Event-bus requests and publishes the node with the management API on {@code port} sent to other nodes
   * (Vert.x metrics {@code vertx_eventbus_sent_total} and {@code vertx_eventbus_published_total} with
   * {@code side="remote"}; Vert.x does not count replies, which go to internal addresses, and the heartbeats
   * on {@code socketpush.membership} are left out), -1 if unknown.
   */
  static long remoteEventBusMessages(int port) {
    String text = get(port, "/metrics");
    if (text == null) {
      return -1;
    }
    return remoteMessages(text);
  }

  /** Sums the remote sent/published event-bus counters of a Prometheus text page. */
  static long remoteMessages(String prometheusText) {
    double sum = 0;
    boolean found = false;
    for (String line : prometheusText.split("\n")) {
      if ((line.startsWith("vertx_eventbus_sent_total{") || line.startsWith("vertx_eventbus_published_total{"))
          && line.contains("side=\"remote\"") && !line.contains("address=\"socketpush.membership\"")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        found = true;
      }
    }
    return found ? Math.round(sum) : 0;
  }

  List<ServerProcess> processes() {
    return processes;
  }

  List<Integer> adminPorts() {
    return adminPorts;
  }

  /** For the results: which node does what. */
  String describe() {
    return "bench-api: auth+user+channel+management :" + adminPorts.get(0) + ", bench-edge: edge+management, bench-owner:"
        + " auth+user+channel+management";
  }

  private static JsonObject post(int port, String path, String body) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(5)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? new JsonObject(r.body()) : null;
    } catch (IOException | RuntimeException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static String get(int port, String path) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : null;
    } catch (IOException | RuntimeException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
