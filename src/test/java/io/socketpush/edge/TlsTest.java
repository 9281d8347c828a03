package io.socketpush.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.config.NodeConfig;
import io.socketpush.testing.Await;
import io.socketpush.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** TLS on the client and admin ports from PEM files, with a certificate made at test time. */
class TlsTest {
  static Vertx vertx;
  static TestNode node;
  static SelfSignedCertificate cert;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    cert = SelfSignedCertificate.create("localhost");
    JsonObject tls = new JsonObject().put("tlsCertPath", cert.certificatePath()).put("tlsKeyPath", cert.privateKeyPath());
    node = Await.result(TestNode.start(vertx, "tls", new JsonObject().put("edge", tls.copy()).put("management", tls.copy())));
  }

  @AfterAll
  static void stop() {
    Await.result(vertx.close());
    cert.delete();
  }

  @Test
  void adminPortServesHttps() {
    var client = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false));
    int status = Await.result(client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
        .setPort(node.adminPort()).setURI("/api")).compose(r -> r.send()).map(r -> r.statusCode()));
    assertEquals(200, status);
    // plain HTTP on the TLS port gets nowhere
    var plain = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(2_000).setIdleTimeout(3));
    Throwable err = io.socketpush.testing.Await.failure(plain.request(new RequestOptions().setMethod(HttpMethod.GET)
        .setHost("127.0.0.1").setPort(node.adminPort()).setURI("/api").setTimeout(3_000)).compose(r -> r.send())
        .compose(r -> r.statusCode() == 200 ? io.vertx.core.Future.succeededFuture() : io.vertx.core.Future.failedFuture("status " + r.statusCode())));
    assertTrue(err != null);
  }

  @Test
  void clientPortServesWss() {
    Await.result(node.verticle.services().auth().set("t", "s"));
    // keep the client referenced until the end: Vert.x 5 closes an unreachable client (and its connections) when
    // the GC collects it, which closed this socket mid-test now and then ("Connection evicted", "Connection closed")
    var client = vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false));
    var ws = Await.result(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.edgePort())
        .setURI("/eventbus/websocket")));
    var reply = io.vertx.core.Promise.<String>promise();
    ws.textMessageHandler(reply::tryComplete);
    ws.writeTextMessage(new JsonObject().put("type", "send").put("address", "socketpush.auth").put("replyAddress", "r")
        .put("body", new JsonObject().put("userId", "t").put("sessionId", "s")).encode());
    assertEquals("rec", new JsonObject(Await.result(reply.future())).getString("type"));
    assertTrue(Await.result(node.verticle.services().user().getFrontendServer("t")).get(0).startsWith("https://"));
    Await.result(ws.close());
    Await.result(client.close());
  }

  @Test
  void certWithoutKeyIsRejected() {
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> NodeConfig.from(new JsonObject().put("edge", new JsonObject().put("tlsCertPath", "x.pem"))));
    assertTrue(e.getMessage().contains("edge.tlsKeyPath"));
  }
}
