package io.socketpush.client;

import static io.socketpush.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.message.PushMessage;
import io.socketpush.testing.FrameClient;
import io.socketpush.testing.TestNode;
import io.socketpush.testing.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The PHP runtime's {@code SocketPush\Token} (copied by the generator) mints tokens a live node accepts: php-cli
 * runs {@code codegen/php/test/token_test.php} with the generated runtime; a WebSocket client connects with the
 * connection token and joins a private channel with the subscription token.
 */
class PhpTokenIT {
  private static Vertx vertx;
  private static TestNode node;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    node = result(TestNode.start(vertx, "php-token-node", new JsonObject().put("tokens", new JsonObject().put("secret", Tokens.SECRET))));
  }

  @AfterAll
  static void stop() {
    if (vertx != null) {
      result(vertx.close());
    }
  }

  private static String run(List<String> args) throws Exception {
    Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "php finished");
    assertEquals(0, p.exitValue(), out);
    return out;
  }

  private static String line(String out, String prefix) {
    return out.lines().filter(l -> l.startsWith(prefix)).findFirst().map(l -> l.substring(prefix.length()))
        .orElseThrow(() -> new AssertionError("no " + prefix + " in " + out));
  }

  @Test
  void phpMintedTokensConnectAndJoinAPrivateChannel() throws Exception {
    Path out = Files.createTempDirectory(Path.of("target"), "php-token-");
    String gen = run(List.of("php", "codegen/php/generateApi.php", "-h", "127.0.0.1", "-p", String.valueOf(node.adminPort()),
        "-o", out.toString()));
    assertTrue(Files.exists(out.resolve("Token.php")), gen);
    String minted = run(List.of("php", "-d", "display_errors=stderr", "codegen/php/test/token_test.php", out.toString(),
        Tokens.SECRET, "php-7", "php-room"));
    assertTrue(minted.contains("SHORT refused"), minted);

    FrameClient c = result(FrameClient.connect(vertx, node.edgePort()));
    try {
      JsonObject auth = result(c.authToken(line(minted, "CONNECT ")));
      assertEquals("rec", auth.getString("type"), auth.encode());
      assertEquals("php-7", auth.getJsonObject("body").getString("userId"));
      JsonObject joined = result(c.request("socketpush.subscribe", new JsonObject().put("token", line(minted, "SUBSCRIBE "))));
      assertEquals("rec", joined.getString("type"), joined.encode());
      assertEquals("php-room", joined.getJsonObject("body").getString("channelId"));
      assertEquals(1, result(node.verticle.services().channel().publish("php-room", PushMessage.of("from php's token"), null)).sockets());
      result(c.waitFor(f -> "channel.php-room".equals(f.getString("address")) && "from php's token".equals(f.getValue("body"))));
    } finally {
      result(c.close());
    }
  }
}
