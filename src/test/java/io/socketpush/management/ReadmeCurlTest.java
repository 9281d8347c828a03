package io.socketpush.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.ops.LogControl;
import io.socketpush.testing.Await;
import io.socketpush.testing.FrameClient;
import io.socketpush.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every {@code curl} line of README.md's code blocks, run with the real curl against live nodes on the ports
 * the README names (node1: client 8080, admin 8181; node2: auth, user, channel and admin 8182, as in its
 * cluster section; both in one Vert.x so they share one ring). Each must answer a non-error status, and the
 * answer the README documents, if it documents one (a trailing {@code # {...}} comment, or a following
 * {@code # <status> {...}} line for the documented bad input). The lines using {@code $K} run again against
 * a node with the README's API key set up.
 */
class ReadmeCurlTest {
  private static final Pattern TRAILING_JSON = Pattern.compile("\\s#\\s*(\\{.*\\})\\s*$");
  private static final Pattern ERROR_LINE = Pattern.compile("^#\\s*(\\d{3})\\s+(\\{.*\\})\\s*$");

  /** One curl line of the README, with what it documents (null when it documents nothing). */
  record CurlLine(int lineNo, String command, Integer documentedStatus, Object documentedBody) {
  }

  /** The K=... line of the README's key setup (null when there is none). */
  static String keySetup;

  static List<CurlLine> readmeCurlLines() throws IOException {
    List<String> lines = Files.readAllLines(Path.of("README.md"), StandardCharsets.UTF_8);
    List<CurlLine> out = new ArrayList<>();
    boolean inCode = false;
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i).strip();
      if (l.startsWith("```")) {
        inCode = !inCode;
        continue;
      }
      if (!inCode) {
        continue;
      }
      if (l.startsWith("K=")) {
        keySetup = l.replaceAll("\\s+#.*$", "");
      }
      if (!l.startsWith("curl ")) {
        continue;
      }
      Integer status = null;
      Object body = null;
      Matcher trailing = TRAILING_JSON.matcher(l);
      if (trailing.find()) {
        body = Json.decodeValue(trailing.group(1));
      }
      Matcher next = i + 1 < lines.size() ? ERROR_LINE.matcher(lines.get(i + 1).strip()) : null;
      if (next != null && next.matches()) {
        status = Integer.parseInt(next.group(1));
        body = Json.decodeValue(next.group(2));
      }
      out.add(new CurlLine(i + 1, l, status, body));
    }
    return out;
  }

  /** Runs one line in bash (pipes and quoting as in a terminal); returns [exit code, status or -1, body]. */
  static Object[] run(CurlLine line) throws Exception {
    boolean piped = line.command().contains("|");
    // the status goes last on its own line; a piped line is judged by the pipeline's exit code
    String cmd = piped ? line.command() : line.command().replaceFirst("^curl ", "curl -w '\\\\n%{http_code}' --max-time 20 ");
    String script = (keySetup == null ? "" : keySetup + "\n") + "set -o pipefail\n" + cmd + "\n";
    Path out = Files.createTempFile("readme-curl-", ".out");
    Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        throw new AssertionError("README line " + line.lineNo() + " did not finish in 30 s: " + line.command());
      }
      String output = Files.readString(out, StandardCharsets.UTF_8);
      if (piped) {
        return new Object[] {p.exitValue(), -1, output};
      }
      int nl = output.lastIndexOf('\n');
      int status = Integer.parseInt(output.substring(nl + 1).strip());
      return new Object[] {p.exitValue(), status, output.substring(0, Math.max(nl, 0))};
    } finally {
      p.destroyForcibly();
      Files.deleteIfExists(out);
    }
  }

  static void check(CurlLine line, Object[] result) {
    String where = "README.md:" + line.lineNo() + " `" + line.command() + "` answered " + result[1] + " " + result[2];
    assertEquals(0, result[0], where);
    int status = (Integer) result[1];
    String body = (String) result[2];
    if (status == -1) {
      assertTrue(!body.isBlank(), where);
      return;
    }
    if (line.documentedStatus() != null) {
      assertEquals(line.documentedStatus().intValue(), status, where);
    } else {
      assertTrue(status >= 200 && status < 300, where);
    }
    if (line.documentedBody() != null) {
      assertEquals(line.documentedBody(), Json.decodeValue(body), where);
    }
  }

  static JsonObject roles(String... roles) {
    return new JsonObject().put("roles", new JsonArray(List.of((Object[]) roles)));
  }

  @Test
  void everyCurlLineOfTheReadmeAnswersAsDocumented() throws Exception {
    List<CurlLine> lines = readmeCurlLines();
    assertTrue(lines.size() >= 10, "curl lines found in README.md: " + lines);
    JsonObject logLevel = LogControl.level("io.socketpush");
    Vertx vertx = Vertx.vertx();
    try {
      TestNode node1 = Await.result(TestNode.start(vertx, "node1", new JsonObject()
          .put("edge", new JsonObject().put("port", 8080)).put("management", new JsonObject().put("port", 8181))), 30_000);
      Await.result(TestNode.start(vertx, "node2", roles("auth", "user", "channel", "management")
          .put("management", new JsonObject().put("port", 8182))), 30_000);
      Await.until(() -> node1.verticle.services().membership().nodes().size() == 2, 10_000, "both nodes in the ring");
      // the README's demo has user 1 connected in the client page
      Await.result(node1.verticle.services().auth().set("1", "test"));
      FrameClient page = Await.result(FrameClient.connect(vertx, 8080));
      assertEquals("rec", Await.result(page.auth("1", "test")).getString("type"));
      for (CurlLine line : lines) {
        check(line, run(line));
      }

      // the API-key setup of the README: the lines with $K against a node that has the key
      Await.result(page.close());
      Await.result(vertx.close(), 30_000);
      vertx = Vertx.vertx();
      TestNode keyed = Await.result(TestNode.start(vertx, "node1", new JsonObject()
          .put("edge", new JsonObject().put("port", 8080))
          .put("management", new JsonObject().put("port", 8181).put("apiKeys", new JsonArray().add("s3cret")))), 30_000);
      Await.result(keyed.verticle.services().auth().set("1", "test"));
      page = Await.result(FrameClient.connect(vertx, 8080));
      assertEquals("rec", Await.result(page.auth("1", "test")).getString("type"));
      int keyedLines = 0;
      for (CurlLine line : lines) {
        if (line.command().contains("$K")) {
          check(line, run(line));
          keyedLines++;
        }
      }
      assertTrue(keyedLines > 0 && keySetup != null, "README documents the key setup");
      Await.result(page.close());
    } finally {
      Await.result(vertx.close(), 30_000);
      LogControl.setLevel("io.socketpush", logLevel.getString("level")); // a README line sets DEBUG
    }
  }
}
