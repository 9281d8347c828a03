package io.socketpush.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.NodeVerticle;
import io.socketpush.testing.Chromium;
import io.socketpush.testing.Closer;
import io.socketpush.testing.Http;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The admin port against a real browser (Chromium): a page of another site ({@code http://localhost:<edge>},
 * cross-site to {@code http://127.0.0.1:<admin>}) fires the classic CSRF requests (a text/plain POST, an
 * {@code <img>} on the original GET scheme, a form POST) and none of them changes anything; a name rebound to
 * 127.0.0.1 ({@code attacker.test}, via Chromium's host resolver rules) gets 403; the management UI on its own
 * origin still calls the API.
 */
class CsrfBrowserTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static Vertx vertx;
  private static Chromium chromium;
  private static WebDriver driver;
  private static int edgePort;
  private static int adminPort;
  private static Http http;

  @BeforeAll
  static void start() throws Exception {
    edgePort = freePort();
    adminPort = freePort();
    while (adminPort == edgePort) {
      adminPort = freePort();
    }
    vertx = Vertx.vertx();
    vertx.deployVerticle(new NodeVerticle(), new DeploymentOptions().setConfig(new JsonObject().put("nodeId", "csrf")
            .put("edge", new JsonObject().put("host", "127.0.0.1").put("port", edgePort))
            .put("management", new JsonObject().put("port", adminPort))))
        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    http = new Http(vertx, adminPort);
    chromium = Chromium.start(o -> o.addArguments("--host-resolver-rules=MAP attacker.test 127.0.0.1"));
    driver = chromium.driver;
    driver.manage().timeouts().pageLoadTimeout(WAIT);
    driver.manage().timeouts().scriptTimeout(WAIT);
  }

  @AfterAll
  static void stop() throws Exception {
    Closer.all(chromium, vertx == null ? null : () -> vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS));
  }

  private static boolean registered(String user) {
    return io.socketpush.testing.Await.result(http.call("auth", "check",
        new JsonObject().put("userId", user).put("sessionId", "s"))).status() == 200;
  }

  @Test
  void crossSitePageCannotDriveTheAdminPort() {
    driver.get("http://localhost:" + edgePort + "/");
    String admin = "http://127.0.0.1:" + adminPort;
    Object done = ((JavascriptExecutor) driver).executeAsyncScript(
        "var cb = arguments[arguments.length - 1]; var admin = arguments[0];"
            + "var img = new Promise(function (r) { var i = new Image(); i.onload = i.onerror = function () { r('img'); };"
            + "  i.src = admin + '/auth/set/csrf-img/s'; });"
            + "var post = fetch(admin + '/api/auth/set', {method: 'POST', mode: 'no-cors', headers: {'Content-Type': 'text/plain'},"
            + "  body: JSON.stringify({userId: 'csrf-fetch', sessionId: 's'})}).then(function () { return 'fetch'; },"
            + "  function (e) { return 'fetch-error ' + e; });"
            + "var frame = new Promise(function (r) { var f = document.createElement('iframe'); f.name = 'sink';"
            + "  f.onload = function () { r('form'); }; document.body.appendChild(f);"
            + "  var form = document.createElement('form'); form.method = 'POST'; form.target = 'sink';"
            + "  form.enctype = 'text/plain'; form.action = admin + '/api/auth/set';"
            + "  var inp = document.createElement('input'); inp.name = '{\"userId\":\"csrf-form\",\"sessionId\":\"s\",\"x\":\"';"
            + "  inp.value = '\"}'; form.appendChild(inp); document.body.appendChild(form); form.submit(); });"
            + "Promise.all([img, post, frame]).then(function (r) { cb(r.join(',')); });", admin);
    assertTrue(String.valueOf(done).contains("img") && String.valueOf(done).contains("form"), "requests fired: " + done);
    for (String u : new String[] {"csrf-img", "csrf-fetch", "csrf-form"}) {
      assertTrue(!registered(u), u + " must not be registered by a cross-site page");
    }
  }

  @Test
  void reboundNameIsRefused() {
    driver.get("http://attacker.test:" + adminPort + "/api");
    String text = driver.findElement(By.tagName("body")).getText();
    JsonObject err = new JsonObject(text);
    assertEquals("FORBIDDEN", err.getJsonObject("error").getString("code"), text);
  }

  @Test
  void managementUiWorksFromItsOwnOrigin() {
    driver.get("http://127.0.0.1:" + adminPort + "/");
    new WebDriverWait(driver, WAIT).until(d -> !d.findElements(By.id("form-auth-set")).isEmpty());
    Object status = ((JavascriptExecutor) driver).executeAsyncScript(
        "var cb = arguments[arguments.length - 1];"
            + "fetch('/api/auth/set', {method: 'POST', headers: {'Content-Type': 'application/json'},"
            + "  body: JSON.stringify({userId: 'ui-user', sessionId: 's'})}).then(function (r) { cb(r.status); },"
            + "  function (e) { cb('error ' + e); });");
    assertEquals(200L, status);
    assertTrue(registered("ui-user"), "the same-origin call registered the session");
    // the UI's own form, as an operator uses it
    driver.findElement(By.id("input-auth-set-userId")).sendKeys("ui-form");
    driver.findElement(By.id("input-auth-set-sessionId")).sendKeys("s");
    ((JavascriptExecutor) driver).executeScript("arguments[0].scrollIntoView({block:'center'})",
        driver.findElement(By.id("call-auth-set")));
    driver.findElement(By.id("call-auth-set")).click();
    new WebDriverWait(driver, WAIT).until(d -> {
      var r = d.findElement(By.id("result-auth-set"));
      return r.isDisplayed() && r.getText().contains("result");
    });
    assertTrue(registered("ui-form"));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
