package io.socketpush.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.config.EdgeConfig;
import io.socketpush.config.NodeConfig;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import org.junit.jupiter.api.Test;

/** The client port's options as the edge config gives them. */
class EdgeServerTest {

  static EdgeConfig edge(JsonObject given) {
    return NodeConfig.from(new JsonObject().put("edge", given)).edge();
  }

  @Test
  void defaults() {
    EdgeConfig e = edge(new JsonObject());
    SockJSHandlerOptions sockJs = EdgeServer.sockJs(e);
    assertEquals(25_000, sockJs.getHeartbeatInterval(), "half of 60 s, capped at 25 s");
    assertEquals(60_000, sockJs.getSessionTimeout());
    assertFalse(sockJs.isRegisterWriteHandler());
    assertEquals("/js/vendor/sockjs.min.js", sockJs.getLibraryURL());
    HttpServerOptions http = EdgeServer.http(e);
    assertEquals("0.0.0.0", http.getHost());
    assertEquals(8080, http.getPort());
    assertEquals(2 * 65_536, http.getMaxWebSocketFrameSize());
    assertEquals(2 * 65_536, http.getMaxWebSocketMessageSize());
    assertFalse(http.getPerMessageWebSocketCompressionSupported());
    assertFalse(http.getPerFrameWebSocketCompressionSupported());
    assertFalse(http.isSsl());
    assertNull(http.getKeyCertOptions());
    assertTrue(http.getStrictThreadMode(), "no outbound queue per HTTP/1 connection");
    assertEquals(15_000, EdgeServer.sweepInterval(e));
  }

  @Test
  void givenValues() {
    EdgeConfig e = edge(new JsonObject().put("host", "127.0.0.1").put("port", 9090).put("pingTimeout", 3_000)
        .put("maxFrameSize", 1_000).put("tlsCertPath", "c.pem").put("tlsKeyPath", "k.pem"));
    assertEquals(1_500, EdgeServer.sockJs(e).getHeartbeatInterval());
    assertEquals(3_000, EdgeServer.sockJs(e).getSessionTimeout());
    HttpServerOptions http = EdgeServer.http(e);
    assertEquals("127.0.0.1", http.getHost());
    assertEquals(9090, http.getPort());
    assertEquals(2_000, http.getMaxWebSocketFrameSize());
    assertEquals(2_000, http.getMaxWebSocketMessageSize());
    assertTrue(http.isSsl());
    assertEquals("c.pem", ((PemKeyCertOptions) http.getKeyCertOptions()).getCertPath());
    assertEquals("k.pem", ((PemKeyCertOptions) http.getKeyCertOptions()).getKeyPath());
    assertEquals(1_000, EdgeServer.sweepInterval(e), "at least a second");
    assertEquals(2_500, EdgeServer.sweepInterval(edge(new JsonObject().put("pingTimeout", 10_000))));
  }
}
