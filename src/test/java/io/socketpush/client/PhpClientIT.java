package io.socketpush.client;

import static io.socketpush.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.management.ApiCatalog;
import io.socketpush.testing.FrameClient;
import io.socketpush.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The PHP client end to end: a live in-process node (not clustered) with API keys, the generator
 * {@code codegen/php/generateApi.php} run with php-cli against its {@code /api}, then
 * {@code codegen/php/test/client_test.php} calling every method of every service through the generated
 * classes, with a real socket connected so user.publish and channel.publish deliver.
 */
class PhpClientIT {
  private static final String ADMIN_KEY = "php-admin-key";
  private static final String READ_ONLY_KEY = "php-read-only-key";
  private static final long PROCESS_TIMEOUT_S = 90;

  private static Vertx vertx;
  private static TestNode node;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    node = result(TestNode.start(vertx, "php-node", new JsonObject().put("management", new JsonObject()
        .put("apiKeys", new JsonArray().add(ADMIN_KEY)).put("readOnlyApiKeys", new JsonArray().add(READ_ONLY_KEY)))));
  }

  @AfterAll
  static void stop() {
    if (vertx != null) {
      result(vertx.close());
    }
  }

  private static Process php(List<String> args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add("php");
    cmd.add("-d");
    cmd.add("display_errors=stderr");
    cmd.addAll(args);
    return new ProcessBuilder(cmd).redirectErrorStream(true).start();
  }

  /** Reads a process's output lines into a queue on a plain thread (never an event loop). */
  private static BlockingQueue<String> lines(Process p, List<String> all) {
    BlockingQueue<String> q = new LinkedBlockingQueue<>();
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          synchronized (all) {
            all.add(line);
          }
          q.add(line);
        }
      } catch (IOException e) {
        q.add("IOERROR " + e);
      }
      q.add("<EOF>");
    }, "php-output");
    t.setDaemon(true);
    t.start();
    return q;
  }

  private static String next(BlockingQueue<String> q, String expectedPrefix, List<String> all) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(PROCESS_TIMEOUT_S);
    while (System.nanoTime() < end) {
      String line = q.poll(1, TimeUnit.SECONDS);
      if (line == null) {
        continue;
      }
      if (line.startsWith(expectedPrefix)) {
        return line;
      }
      if (line.equals("<EOF>") || line.startsWith("FAIL")) {
        throw new AssertionError("PHP script ended before '" + expectedPrefix + "': " + String.join("\n", all));
      }
    }
    throw new AssertionError("no '" + expectedPrefix + "' from PHP within " + PROCESS_TIMEOUT_S + " s: " + String.join("\n", all));
  }

  @Test
  void generatedPhpClientCallsEveryMethod() throws Exception {
    Path out = Files.createTempDirectory(Path.of("target"), "php-client-");
    String port = String.valueOf(node.adminPort());

    // 1. the generator
    Process gen = php(List.of("codegen/php/generateApi.php", "-h", "127.0.0.1", "-p", port, "-k", ADMIN_KEY,
        "-o", out.toString()));
    String genOut = new String(gen.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(gen.waitFor(PROCESS_TIMEOUT_S, TimeUnit.SECONDS), "generator finished");
    assertEquals(0, gen.exitValue(), genOut);
    for (String f : List.of("Auth.php", "Channel.php", "User.php", "Cluster.php", "Api.php", "Client.php",
        "ApiException.php", "Token.php", "autoload.php")) {
      assertTrue(Files.exists(out.resolve(f)), f + " generated: " + genOut);
    }
    String auth = Files.readString(out.resolve("Auth.php"));
    assertTrue(auth.contains("final class Auth"), auth);
    assertTrue(auth.contains("public function set(string|int $userId, string|int $sessionId): void"), auth);
    for (String f : List.of("Auth.php", "Channel.php", "User.php", "Cluster.php", "Api.php")) {
      Process lint = php(List.of("-l", out.resolve(f).toString()));
      String lintOut = new String(lint.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(lint.waitFor(PROCESS_TIMEOUT_S, TimeUnit.SECONDS));
      assertEquals(0, lint.exitValue(), lintOut);
    }

    // 2. the script, with a real socket connected halfway
    String user = "php-" + UUID.randomUUID();
    String session = "sess-" + UUID.randomUUID();
    String channel = "news-" + UUID.randomUUID();
    Process script = php(List.of("codegen/php/test/client_test.php", out.toString(), "127.0.0.1", port, ADMIN_KEY,
        READ_ONLY_KEY, user, session, channel));
    List<String> all = new ArrayList<>();
    FrameClient fc = null;
    try {
      BlockingQueue<String> q = lines(script, all);
      next(q, "WAIT connect", all);
      fc = result(FrameClient.connect(vertx, node.edgePort()));
      JsonObject reply = result(fc.auth(user, session)); // the session auth.set registered from PHP
      assertEquals("rec", reply.getString("type"), reply.encode());
      try (OutputStream in = script.getOutputStream()) {
        in.write("GO\n".getBytes(StandardCharsets.UTF_8));
      }
      next(q, "DONE", all);
      assertTrue(script.waitFor(PROCESS_TIMEOUT_S, TimeUnit.SECONDS), "PHP script finished");
      next(q, "<EOF>", all);
      assertEquals(0, script.exitValue(), String.join("\n", all));

      // what PHP published arrived on the socket
      String u = user;
      JsonObject userFrame = result(fc.waitFor(f -> ("user." + u).equals(f.getString("address"))));
      assertEquals(new JsonObject().put("text", "hello from php").put("n", 1), userFrame.getJsonObject("body"));
      JsonObject channelFrame = result(fc.waitFor(f -> ("channel." + channel).equals(f.getString("address"))));
      assertEquals("breaking from php", channelFrame.getString("body"));
      result(fc.closed()); // user.remove from PHP closed it
    } finally {
      script.destroyForcibly();
      if (fc != null) {
        fc.close();
      }
    }

    // every method of every service was called and checked, and the typed errors came back
    String output = String.join("\n", all);
    ApiCatalog.methods().forEach((s, ms) -> ms.keySet().forEach(m ->
        assertTrue(output.contains("OK " + s + "." + m + " "), s + "." + m + " called from PHP:\n" + output)));
    for (String err : List.of("ERR auth.set empty userId BAD_REQUEST 400", "ERR auth.check wrong session AUTH_FAILED 401",
        "ERR user.publish offline NOT_CONNECTED 404", "ERR no key UNAUTHORIZED 401", "ERR wrong key FORBIDDEN 403",
        "ERR read-only key may not publish FORBIDDEN 403", "ERR unreachable node UNAVAILABLE 0")) {
      assertTrue(output.contains(err), err + ":\n" + output);
    }
  }

  @Test
  void generatorFailsClearlyWithoutANode() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Process gen = php(List.of("codegen/php/generateApi.php", "-h", "127.0.0.1", "-p", String.valueOf(port),
        "-o", new File("target/php-client-none").getPath()));
    String out = new String(gen.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(gen.waitFor(PROCESS_TIMEOUT_S, TimeUnit.SECONDS));
    assertEquals(1, gen.exitValue(), out);
    assertNotNull(out);
    assertTrue(out.contains("cannot read http://127.0.0.1:" + port + "/api"), out);
  }
}
