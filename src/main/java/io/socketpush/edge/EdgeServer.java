package io.socketpush.edge;

import io.socketpush.config.EdgeConfig;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;

/** The client port's server and SockJS options and the edge's sweep period, derived from the edge config. */
final class EdgeServer {
  private EdgeServer() {
  }

  /**
   * SockJS: heartbeats at half the ping timeout (at most 25 s), sessions end after the ping timeout; the iframe
   * transports load SockJS into their iframe from this edge, not from a CDN.
   */
  static SockJSHandlerOptions sockJs(EdgeConfig edge) {
    return new SockJSHandlerOptions()
        .setRegisterWriteHandler(false)
        .setHeartbeatInterval(Math.min(25_000, edge.pingTimeout() / 2))
        .setSessionTimeout(edge.pingTimeout())
        .setLibraryURL("/js/vendor/sockjs.min.js");
  }

  /**
   * The HTTP server: frames up to 2x maxFrameSize get a clear limit_exceeded error from the session; larger ones
   * close the connection (1009). No WebSocket compression. TLS when the edge has a certificate. Strict thread mode:
   * every HTTP response of the client port is written on the edge's event loop (the router, SockJS's sessions and the
   * edge all run there), so Vert.x gives each HTTP/1 connection no outbound message queue (a jctools queue with a
   * 1,025-slot first chunk, ~4.7 KiB, that a WebSocket's upgrade connection keeps for the socket's whole life; a
   * response written from another thread would fail with IllegalStateException instead of being queued).
   */
  static HttpServerOptions http(EdgeConfig edge) {
    int maxFrame = edge.maxFrameSize();
    HttpServerOptions opts = new HttpServerOptions().setHost(edge.host()).setPort(edge.port()).setStrictThreadMode(true)
        .setMaxWebSocketFrameSize(2 * maxFrame).setMaxWebSocketMessageSize(2 * maxFrame).setWebSocketClosingTimeout(2)
        .setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false);
    if (edge.tls() != null) {
      opts.setSsl(true).setKeyCertOptions(edge.tls());
    }
    return opts;
  }

  /** Milliseconds between idle sweeps: a quarter of the ping timeout, at least a second. */
  static long sweepInterval(EdgeConfig edge) {
    return Math.max(1_000, edge.pingTimeout() / 4);
  }
}
