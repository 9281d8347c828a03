package io.socketpush.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.NodeVerticle;
import io.socketpush.testing.Chromium;
import io.socketpush.testing.Closer;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The demo of DESIGN.md, driven through a real browser (Debian's chromium + chromedriver, headless):
 * one node in-process, the management UI calls {@code auth.set}, the client page connects, the management
 * UI calls {@code user.publish}, the message shows up in the client page. Screenshots of both pages land in
 * {@code target/screenshots/}.
 *
 * <p>Relies on the stable element ids of {@code webroot/index.html} ({@code #userId}, {@code #sessionId},
 * {@code #connect}, {@code #status}, {@code #messages}) and of the generated management UI
 * ({@code form-/input-/call-/result-<service>-<method>[-<param>]}).
 */
class DemoBrowserTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");

  private static Vertx vertx;
  private static Chromium chromium;
  private static WebDriver driver;
  private static String clientUrl;
  private static String adminUrl;
  private static String adminWindow;

  private String testName = "test";

  @BeforeAll
  static void startNodeAndBrowser() throws Exception {
    int edgePort = freePort();
    int adminPort = freePort();
    while (adminPort == edgePort) {
      adminPort = freePort();
    }
    JsonObject conf = new JsonObject()
        .put("nodeId", "demo")
        .put("edge", new JsonObject().put("port", edgePort))
        .put("management", new JsonObject().put("port", adminPort));
    vertx = Vertx.vertx();
    vertx.deployVerticle(new NodeVerticle(), new DeploymentOptions().setConfig(conf))
        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    clientUrl = "http://127.0.0.1:" + edgePort + "/";
    adminUrl = "http://127.0.0.1:" + adminPort + "/";

    chromium = Chromium.start(options -> {
      options.addArguments("--window-size=1400,1000");
      options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
    });
    driver = chromium.driver;
    driver.manage().timeouts().pageLoadTimeout(WAIT);
    driver.manage().timeouts().scriptTimeout(WAIT);
    Files.createDirectories(SCREENSHOTS);
    try (Stream<Path> old = Files.list(SCREENSHOTS)) {
      for (Path p : (Iterable<Path>) old.filter(p -> p.toString().endsWith(".png"))::iterator) {
        Files.delete(p);
      }
    }
  }

  @AfterAll
  static void stopAll() throws Exception {
    Closer.all(chromium, vertx == null ? null : () -> vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS));
  }

  @BeforeEach
  void openAdmin(TestInfo info) {
    testName = info.getTestMethod().map(m -> m.getName()).orElse("test");
    // Each test starts with one tab on the management UI.
    List<String> handles = List.copyOf(driver.getWindowHandles());
    for (int i = 1; i < handles.size(); i++) {
      driver.switchTo().window(handles.get(i)).close();
    }
    adminWindow = handles.get(0);
    driver.switchTo().window(adminWindow);
    driver.get(adminUrl);
    waitFor("management UI generated from /api (form-auth-set)",
        d -> !d.findElements(By.id("form-auth-set")).isEmpty());
  }

  @Test
  void demoPublishToUserReachesTheClientPage() throws Exception {
    // 1. the management UI shows this node in its cluster panel (POST /api/cluster/status)
    WebElement row = waitFor("cluster panel row of node 'demo'",
        d -> d.findElements(By.cssSelector("#cluster-nodes tr[data-node='demo']")).stream().findFirst().orElse(null));
    assertTrue(row.getText().contains("edge"), "node demo runs the edge role: " + row.getText());
    ((JavascriptExecutor) driver).executeScript("window.scrollTo(0, 0)");
    screenshot("admin-overview");

    // 2. auth.set(1, test) in the management UI
    JsonObject set = call("auth", "set", params("userId", "1", "sessionId", "test"), true);
    assertTrue(set.containsKey("result"), "auth.set answers {\"result\":..}: " + set);
    screenshot("admin");

    // 3. the client page connects as 1/test
    String clientWindow = openClient("1", "test");
    waitFor("client status 'connected as 1'", d -> statusText().contains("connected as 1"));

    // 4. user.publish(1, {"hello":"browser"}) in the management UI
    driver.switchTo().window(adminWindow);
    JsonObject published = call("user", "publish", params("userId", "1", "message", "{\"hello\":\"browser\"}"), true);
    Object count = published.getJsonObject("result").getValue("sockets");
    assertTrue(count instanceof Number && ((Number) count).intValue() >= 1,
        "user.publish reports at least one socket reached: " + published);
    assertTrue(published.getJsonObject("result").getString("offset") != null, "and the message's position: " + published);
    screenshot("admin-after-publish");

    // ... and it appears in the client page
    driver.switchTo().window(clientWindow);
    WebElement li = waitFor("the published message in #messages",
        d -> d.findElements(By.cssSelector("#messages li")).stream()
            .filter(e -> e.getText().contains("{\"hello\":\"browser\"}"))
            .findFirst().orElse(null));
    assertTrue(li.getText().startsWith("[user]"), "user messages are labelled [user]: " + li.getText());
    screenshot("client");
  }

  @Test
  void channelMessagesAreShownWithTheirChannel() throws Exception {
    call("auth", "set", params("userId", "2", "sessionId", "s2"), true);
    String clientWindow = openClient("2", "s2");
    waitFor("client status 'connected as 2'", d -> statusText().contains("connected as 2"));

    // Subscribed after the socket connected: must still deliver (DESIGN.md, client protocol).
    driver.switchTo().window(adminWindow);
    call("channel", "subscribe", params("userId", "2", "channelId", "news"), true);
    JsonObject published = call("channel", "publish", params("channelId", "news", "message", "{\"headline\":42}"), true);
    Object count = published.getJsonObject("result").getValue("sockets");
    assertTrue(count instanceof Number && ((Number) count).intValue() >= 1,
        "channel.publish reports at least one socket reached: " + published);

    driver.switchTo().window(clientWindow);
    WebElement li = waitFor("the channel message in #messages",
        d -> d.findElements(By.cssSelector("#messages li")).stream()
            .filter(e -> e.getText().contains("{\"headline\":42}"))
            .findFirst().orElse(null));
    assertTrue(li.getText().startsWith("[channel.news]"), "channel messages are labelled [channel.<id>]: " + li.getText());
    screenshot("client-channel");
  }

  @Test
  void clientReconnectsAuthenticatesAndRegistersAgainAfterTheSocketDrops() throws Exception {
    call("auth", "set", params("userId", "3", "sessionId", "s3"), true);
    String clientWindow = openClient("3", "s3");
    waitFor("client status 'connected as 3'", d -> statusText().contains("connected as 3"));

    // Drop the socket under the client (as a network cut or an edge restart would).
    JavascriptExecutor js = (JavascriptExecutor) driver;
    js.executeScript("window.__droppedEb = window.socketPushClient.eb; window.__droppedEb.sockJSConn.close();");
    waitFor("a new, authenticated connection after the drop",
        d -> Boolean.TRUE.equals(js.executeScript(
            "var c = window.socketPushClient; return !!c && c.isConnected() && c.eb !== window.__droppedEb;"))
            && statusText().contains("connected as 3"));

    driver.switchTo().window(adminWindow);
    JsonObject published = call("user", "publish", params("userId", "3", "message", "{\"after\":\"reconnect\"}"), true);
    assertTrue(published.getJsonObject("result").getInteger("sockets") >= 1, "user.publish after reconnect: " + published);

    driver.switchTo().window(clientWindow);
    waitFor("the message published after the reconnect",
        d -> d.findElements(By.cssSelector("#messages li")).stream()
            .anyMatch(e -> e.getText().contains("{\"after\":\"reconnect\"}")));
  }

  @Test
  void userLoggedOutByTheBackendIsDisconnectedForGood() throws Exception {
    call("auth", "set", params("userId", "4", "sessionId", "s4"), true);
    openClient("4", "s4");
    waitFor("client status 'connected as 4'", d -> statusText().contains("connected as 4"));
    String clientWindow = driver.getWindowHandle();

    // Logout as a backend does it: forget the session, then close the user's sockets.
    driver.switchTo().window(adminWindow);
    call("auth", "remove", params("userId", "4"), true);
    JsonObject removed = call("user", "remove", params("userId", "4"), true);
    assertEquals(1, ((Number) removed.getValue("result")).intValue(), "user.remove closed one socket: " + removed);

    // The client either learns it was removed (close code 4003) or reconnects and is refused: both final.
    driver.switchTo().window(clientWindow);
    String status = waitFor("client status 'removed' or 'error: auth_failed'",
        d -> statusText().contains("removed") || statusText().contains("auth_failed") ? statusText() : null);
    assertEquals(Boolean.TRUE, ((JavascriptExecutor) driver).executeScript(
        "return window.socketPushClient.closed && !window.socketPushClient.timer;"), "stopped for good: " + status);
  }

  @Test
  void wrongSessionShowsAnErrorAndApiErrorsAreStyled() throws Exception {
    openClient("1", "not-the-session");
    String status = waitFor("client status 'error: ...'",
        d -> statusText().startsWith("error:") ? statusText() : null);
    assertTrue(status.contains("auth_failed"), "the edge's err frame body is shown: " + status);
    assertTrue(driver.findElements(By.cssSelector("#messages li")).isEmpty(), "no messages after failed auth");
    screenshot("client-auth-error");

    // An API error is shown with its code and styled as an error.
    driver.switchTo().window(adminWindow);
    JsonObject error = call("user", "publish", params("userId", "nobody-" + System.nanoTime(), "message", "hi"), false);
    assertEquals("NOT_CONNECTED", error.getJsonObject("error").getString("code"), "user.publish to an offline user: " + error);
    screenshot("admin-error");
  }

  @Test
  void managementUiAsksForTheApiKeyAndSendsIt() throws Exception {
    // A second node with API keys, in its own Vert.x instance (a separate, non-clustered server).
    Vertx keyed = Vertx.vertx();
    try {
      int edgePort = freePort();
      int adminPort = freePort();
      JsonObject conf = new JsonObject()
          .put("nodeId", "keyed")
          .put("edge", new JsonObject().put("port", edgePort))
          .put("management", new JsonObject().put("port", adminPort).put("apiKeys", new io.vertx.core.json.JsonArray().add("s3cret")));
      keyed.deployVerticle(new NodeVerticle(), new DeploymentOptions().setConfig(conf))
          .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      driver.get("http://127.0.0.1:" + adminPort + "/");
      waitFor("management UI of the keyed node", d -> !d.findElements(By.id("form-auth-set")).isEmpty());

      JsonObject denied = call("auth", "set", params("userId", "5", "sessionId", "s5"), false);
      assertEquals("UNAUTHORIZED", denied.getJsonObject("error").getString("code"), "without a key: " + denied);
      WebElement keyInput = driver.findElement(By.id("apiKey"));
      assertTrue(driver.findElement(By.id("notice")).isDisplayed(), "the UI asks for an API key");
      screenshot("admin-api-key-required");

      keyInput.sendKeys("s3cret", org.openqa.selenium.Keys.ENTER);
      call("auth", "set", params("userId", "5", "sessionId", "s5"), true);
      assertEquals("s3cret", ((JavascriptExecutor) driver).executeScript(
          "return sessionStorage.getItem('socketpush.apiKey')"), "the key is kept in sessionStorage");

      driver.navigate().refresh();
      waitFor("management UI after reload", d -> !d.findElements(By.id("form-auth-set")).isEmpty());
      assertEquals("s3cret", driver.findElement(By.id("apiKey")).getDomProperty("value"), "the key survives a reload");
      call("auth", "check", params("userId", "5", "sessionId", "s5"), true);
    } finally {
      keyed.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  // ------------------------------------------------------------------------------------------------ helpers

  /** Opens the client page in a new tab, fills the form and clicks Connect; returns the tab's handle. */
  private String openClient(String userId, String sessionId) {
    driver.switchTo().newWindow(WindowType.TAB);
    driver.get(clientUrl);
    waitFor("client page loaded (#connect)", d -> !d.findElements(By.id("connect")).isEmpty()
        && Boolean.TRUE.equals(((JavascriptExecutor) d).executeScript(
            "return typeof SocketPush === 'object' && typeof EventBus === 'function'")));
    type(By.id("userId"), userId);
    type(By.id("sessionId"), sessionId);
    driver.findElement(By.id("connect")).click();
    return driver.getWindowHandle();
  }

  /**
   * Fills {@code form-<service>-<method>} in the management UI, clicks its call button and returns the
   * JSON shown in {@code result-<service>-<method>}; {@code expectOk} checks the "error" class.
   */
  private JsonObject call(String service, String method, Map<String, String> params, boolean expectOk) {
    String key = service + "-" + method;
    waitFor("form-" + key, d -> !d.findElements(By.id("form-" + key)).isEmpty());
    for (Map.Entry<String, String> p : params.entrySet()) {
      type(By.id("input-" + key + "-" + p.getKey()), p.getValue());
    }
    // Forget any earlier response so that we wait for this call's.
    ((JavascriptExecutor) driver).executeScript(
        "var r = document.getElementById(arguments[0]); r.textContent = ''; r.hidden = true;", "result-" + key);
    WebElement button = driver.findElement(By.id("call-" + key));
    ((JavascriptExecutor) driver).executeScript("arguments[0].scrollIntoView({block:'center', behavior:'instant'})", button);
    button.click();
    WebElement result = waitFor("response of " + service + "." + method,
        d -> {
          WebElement r = d.findElement(By.id("result-" + key));
          return r.isDisplayed() && !r.getText().isBlank() ? r : null;
        });
    String text = result.getText();
    boolean isError = List.of(String.valueOf(result.getDomProperty("className")).split("\\s+")).contains("error");
    JsonObject json;
    try {
      json = new JsonObject(text);
    } catch (RuntimeException e) {
      throw new AssertionError(service + "." + method + " response is not JSON: " + text, e);
    }
    if (expectOk) {
      assertFalse(isError, service + "." + method + " failed: " + text);
    } else {
      assertTrue(isError, service + "." + method + " should be shown as an error: " + text);
      assertTrue(json.getValue("error") instanceof JsonObject, "error response {\"error\":{code,message}}: " + text);
    }
    return json;
  }

  private static Map<String, String> params(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  private void type(By by, String text) {
    WebElement e = driver.findElement(by);
    e.clear();
    e.sendKeys(text);
  }

  private String statusText() {
    List<WebElement> s = driver.findElements(By.id("status"));
    return s.isEmpty() ? "" : s.get(0).getText().trim();
  }

  /** Bounded explicit wait; on timeout saves a screenshot and reports what the page showed. */
  private <T> T waitFor(String what, Function<WebDriver, T> condition) {
    try {
      return new WebDriverWait(driver, WAIT, Duration.ofMillis(100)).until(condition);
    } catch (TimeoutException e) {
      String shot = screenshot("FAILED-" + testName);
      throw new AssertionError("Timed out after " + WAIT.toSeconds() + " s waiting for " + what
          + "\n  url: " + driver.getCurrentUrl()
          + "\n  #status: " + statusText()
          + "\n  screenshot: " + shot
          + "\n  browser log:\n" + browserLog(), e);
    }
  }

  private String browserLog() {
    StringBuilder sb = new StringBuilder();
    try {
      for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
        sb.append("    ").append(entry.getLevel()).append(' ').append(entry.getMessage()).append('\n');
      }
    } catch (RuntimeException e) {
      sb.append("    (unavailable: ").append(e.getMessage()).append(")\n");
    }
    return sb.toString();
  }

  private String screenshot(String name) {
    try {
      Path file = SCREENSHOTS.resolve(name + ".png");
      Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
      return file.toAbsolutePath().toString();
    } catch (IOException | RuntimeException e) {
      return "(screenshot failed: " + e + ")";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
