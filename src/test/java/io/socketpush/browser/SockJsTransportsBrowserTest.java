package io.socketpush.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.socketpush.message.PushMessage;
import io.socketpush.testing.Await;
import io.socketpush.testing.Chromium;
import io.socketpush.testing.Closer;
import io.socketpush.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A browser that cannot open a WebSocket (a proxy in the way) falls back to SockJS's other transports. With
 * the webroot JS client restricted to one transport at a time, Chromium must authenticate, receive user and
 * channel messages, and reconnect after the edge restarted. Before the edge read xhr_send bodies, every
 * transport but WebSocket failed at the auth frame (500), and the iframe transports loaded SockJS from a CDN.
 */
class SockJsTransportsBrowserTest {
  static Vertx vertx;
  static Chromium chromium;
  static WebDriver driver;
  TestNode node;
  int edgePort;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    chromium = Chromium.start(options -> { });
    driver = chromium.driver;
  }

  @AfterAll
  static void stop() throws Exception {
    Closer.all(chromium, () -> Await.result(vertx.close(), 30_000));
  }

  @AfterEach
  void stopNode() {
    driver.get("about:blank");
    if (node != null) {
      Await.result(node.stop(), 30_000);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private TestNode startNode() {
    return Await.result(TestNode.start(vertx, "transports", new JsonObject()
        .put("edge", new JsonObject().put("port", edgePort))), 30_000);
  }

  private Object js(String script) {
    return ((JavascriptExecutor) driver).executeScript(script);
  }

  private void waitFor(String what, String condition) {
    new WebDriverWait(driver, Duration.ofSeconds(20))
        .withMessage(() -> what + "; states: " + js("return JSON.stringify(window.states);"))
        .until(d -> Boolean.TRUE.equals(js("return " + condition + ";")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"xhr-streaming", "xhr-polling", "eventsource", "iframe-eventsource", "iframe-htmlfile",
      "iframe-xhr-polling", "jsonp-polling"})
  void transportAuthenticatesReceivesAndReconnects(String transport) throws IOException {
    edgePort = freePort();
    node = startNode();
    Await.result(node.verticle.services().auth().set("5", "s"));
    Await.result(node.verticle.services().channel().subscribe("5", "news"));
    driver.get("http://127.0.0.1:" + edgePort + "/");
    js("window.got = []; window.states = [];"
        + "window.sp = SocketPush.connect({userId: '5', sessionId: 's', transports: ['" + transport + "'],"
        + " reconnectMin: 200, reconnectMax: 1000,"
        + " onMessage: function (a, b) { window.got.push(a + ' ' + JSON.stringify(b)); },"
        + " onStatus: function (t, s) { window.states.push(s); } });");
    waitFor(transport + ": connected", "window.sp.isConnected()");
    assertEquals(transport, js("return window.sp.transport();"));

    Await.result(node.verticle.services().user().publish("5", PushMessage.of("to the user"), null));
    Await.result(node.verticle.services().channel().publish("news", PushMessage.of("to the channel"), null));
    waitFor(transport + ": user message", "window.got.indexOf('user.5 \"to the user\"') >= 0");
    waitFor(transport + ": channel message", "window.got.indexOf('channel.news \"to the channel\"') >= 0");

    // the edge restarts on the same port: the client reconnects over the same transport and authenticates again
    Await.result(node.stop(), 30_000);
    node = null;
    waitFor(transport + ": noticed the restart", "!window.sp.isConnected()");
    node = startNode();
    Await.result(node.verticle.services().auth().set("5", "s"));
    Await.result(node.verticle.services().channel().subscribe("5", "news"));
    waitFor(transport + ": reconnected", "window.sp.isConnected()");
    assertEquals(transport, js("return window.sp.transport();"));
    Await.result(node.verticle.services().user().publish("5", PushMessage.of("after the restart"), null));
    Await.result(node.verticle.services().channel().publish("news", PushMessage.of("channel after the restart"), null));
    waitFor(transport + ": user message after reconnect", "window.got.indexOf('user.5 \"after the restart\"') >= 0");
    waitFor(transport + ": channel message after reconnect",
        "window.got.indexOf('channel.news \"channel after the restart\"') >= 0");
    js("window.sp.close();");
  }
}
