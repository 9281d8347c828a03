package io.socketpush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.message.PushMessage;
import io.socketpush.testing.Await;
import io.socketpush.testing.FrameClient;
import io.socketpush.testing.Http;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A rogue member: the README's 3-node example cluster (secured with its development secret), then a JVM
 * from the same jar with every role, the same cluster name and discovery hosts but another secret. It is
 * never admitted to the view, its certificate opens no event-bus connection to any node, whatever it calls
 * lands on its own one-node island, and the cluster's data and deliveries are unaffected; the Java cluster
 * client with the right secret keeps working throughout.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class RogueMemberIT {
  private static final String WRONG_SECRET = "a-rogue-secret-that-is-long-enough";

  @Test
  void aJvmWithAnotherSecretIsNotAMember() throws Exception {
    ExampleCluster c = new ExampleCluster().start("sp-rogue");
    NodeProcess rogue = null;
    try {
      Await.result(c.client.auth().set("victim", "good").compose(v -> c.client.channel().subscribe("victim", "news")), 30_000);
      FrameClient victim = c.connect(8080, "victim", "good");

      Path dir = Files.createDirectories(Path.of("target", "it-rogue"));
      Path secret = dir.resolve("wrong-secret");
      Files.writeString(secret, WRONG_SECRET + "\n");
      Path conf = dir.resolve("rogue.json");
      Files.writeString(conf, new JsonObject().put("nodeId", "rogue")
          .put("edge", new JsonObject().put("host", "127.0.0.1").put("port", 18480))
          .put("management", new JsonObject().put("host", "127.0.0.1").put("port", 18481))
          .put("cluster", new JsonObject().put("secretFile", secret.toString())).encodePrettily());
      rogue = new NodeProcess("rogue", conf.toString(), NodeProcess.clusterProps(c.name, c.base)).start();
      NodeProcess.awaitHttp(18481, "/heartbeat", 120_000);
      Http rogueApi = new Http(c.local, 18481);
      // MERGE3 announces every 2-6 s: give the rogue's island several rounds to merge, which must fail
      Thread.sleep(15_000);

      Set<String> members = Set.of("node1", "node2", "node3");
      assertEquals(members, ExampleCluster.servers(c.api1), "node1's view");
      assertEquals(members, ExampleCluster.servers(c.api2), "node2's view");
      assertEquals(Set.of("rogue"), ExampleCluster.servers(rogueApi), "the rogue is alone on its island");
      assertTrue(rogue.alive(), "the rogue runs (it was refused, it did not crash)");
      String log = rogue.tail();
      assertFalse(log.contains("node2") && log.contains("ISPN000094"), "no shared view in the rogue's log:\n" + log);

      // no event-bus connection: the nodes' event-bus ports refuse the rogue's certificate (control: the right one)
      ClusterSecurity.Derived rogueCert = ClusterSecurity.load(WRONG_SECRET, null).derivedCertificate();
      ClusterSecurity.Derived rightCert = ClusterSecurity.load(null, NodeProcess.DEV_SECRET_FILE).derivedCertificate();
      for (NodeProcess n : c.nodes) {
        int port = eventBusPort(n, c);
        assertFalse(tlsAccepted(c, port, rogueCert), n.name + " event bus (" + port + ") accepted the rogue's certificate");
        assertFalse(plainAccepted(c, port), n.name + " event bus (" + port + ") accepted a plain connection");
        assertTrue(tlsAccepted(c, port, rightCert), n.name + " event bus (" + port + ") refuses the cluster's own certificate");
      }

      // whatever the rogue calls stays on its island
      assertEquals(200, Await.result(rogueApi.call("auth", "set", new JsonObject().put("userId", "victim")
          .put("sessionId", "stolen"))).status());
      Await.result(rogueApi.call("channel", "subscribe", new JsonObject().put("userId", "victim").put("channelId", "evil")));
      Await.result(rogueApi.call("user", "publish", new JsonObject().put("userId", "victim").put("message", "forged")));
      Await.result(rogueApi.call("cluster", "setConfig", new JsonObject().put("config", new JsonObject()
          .put("edge", new JsonObject().put("allowedOrigins", new JsonArray().add("*"))))));

      // the cluster is unaffected: data, config, deliveries; the right-secret client still works
      assertEquals("victim", Await.result(c.client.auth().check("victim", "good")));
      assertTrue(Await.result(c.client.auth().check("victim", "stolen").otherwise("refused")).equals("refused"));
      assertEquals(List.of("news"), Await.result(c.client.channel().getSubscriptions("victim", 0, null)).items());
      JsonObject node1Config = Await.result(c.api1.call("cluster", "getConfig", new JsonObject().put("nodeId", "node1")))
          .body().getJsonObject("result");
      assertFalse(node1Config.encode().contains("\"*\""), "runtime config untouched: " + node1Config);
      assertEquals(1, Await.result(c.client.user().publish("victim", PushMessage.of("real"), null)).sockets());
      Await.result(victim.waitFor(f -> "real".equals(f.getValue("body"))), 10_000);
      assertTrue(victim.frames().stream().noneMatch(f -> "forged".equals(f.getValue("body"))), "no forged delivery");
      assertEquals(1, Await.result(c.client.channel().publish("news", PushMessage.of("still here"), null)).sockets());
      System.out.printf("rogue member: view %s / %s, rogue alone %s; event-bus ports refused the rogue's certificate%n",
          ExampleCluster.servers(c.api1), ExampleCluster.servers(c.api2), ExampleCluster.servers(rogueApi));
    } finally {
      if (rogue != null) {
        rogue.kill();
      }
      c.stop();
    }
  }

  /** The node's event-bus port: its listening TCP port that is neither HTTP nor JGroups (read with ss). */
  static int eventBusPort(NodeProcess n, ExampleCluster c) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("ss", "-ltnpH").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(5, TimeUnit.SECONDS);
    Set<Integer> ports = new TreeSet<>();
    Matcher m = Pattern.compile(":(\\d+)\\s.*pid=" + n.pid() + ",").matcher(out);
    while (m.find()) {
      int port = Integer.parseInt(m.group(1));
      boolean jgroups = port >= c.base && port < c.base + 20 || port >= c.base + 100 && port < c.base + 120;
      if (!jgroups && !Set.of(8080, 8083, 8181, 8182).contains(port)) {
        ports.add(port);
      }
    }
    assertEquals(1, ports.size(), n.name + " listens on one event-bus port: " + ports + "\n" + out);
    return ports.iterator().next();
  }

  /** Whether a TLS connection presenting {@code cert} stays usable (the server accepted the client certificate). */
  static boolean tlsAccepted(ExampleCluster c, int port, ClusterSecurity.Derived cert) {
    NetClient client = c.local.createNetClient(new NetClientOptions().setSsl(true).setTrustAll(true)
        .setHostnameVerificationAlgorithm("").setConnectTimeout(3_000)
        .setKeyCertOptions(new PemKeyCertOptions().addCertValue(Buffer.buffer(cert.certPem())).addKeyValue(Buffer.buffer(cert.keyPem()))));
    try {
      return usable(client, port, null); // nothing written: the handshake alone decides
    } finally {
      client.close();
    }
  }

  static boolean plainAccepted(ExampleCluster c, int port) {
    NetClient client = c.local.createNetClient(new NetClientOptions().setConnectTimeout(3_000));
    try {
      return usable(client, port, new byte[] {0, 0, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8}); // a forged frame
    } finally {
      client.close();
    }
  }

  /** Connects, writes {@code payload} (if any), and reports whether the server kept the connection open for 2 s. */
  private static boolean usable(NetClient client, int port, byte[] payload) {
    try {
      NetSocket so = Await.result(client.connect(port, "127.0.0.1"), 5_000);
      io.vertx.core.Promise<Void> closed = io.vertx.core.Promise.promise();
      so.closeHandler(v -> closed.tryComplete());
      so.exceptionHandler(e -> closed.tryComplete());
      if (payload != null) {
        so.write(Buffer.buffer(payload));
      }
      try {
        Await.result(closed.future(), 2_000);
        return false; // closed by the server
      } catch (AssertionError timeout) {
        so.close();
        return true;
      }
    } catch (RuntimeException | AssertionError e) {
      return false; // handshake refused
    }
  }
}
