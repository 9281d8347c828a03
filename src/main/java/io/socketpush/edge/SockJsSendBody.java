package io.socketpush.edge;

import io.socketpush.config.RuntimeConfig;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * Reads the body of SockJS's send requests ({@code POST .../xhr_send} and {@code .../jsonp_send}, used by every
 * transport but WebSocket to carry client frames): without it vertx-web answers them 500. The bound follows
 * the WebSocket limit ({@code 2 x edge.maxFrameSize}, a runtime option): a body up to it reaches the session,
 * whose frames get the same limit_exceeded checks as over WebSocket; a larger one is refused with 413 before
 * it is buffered further. Runs on the edge verticle's event loop only.
 */
final class SockJsSendBody implements Handler<RoutingContext> {
  /** The send routes of SockJS under the edge's /eventbus prefix: /eventbus/&lt;server&gt;/&lt;session&gt;/xhr_send. */
  static final String ROUTE = "/eventbus/[^/.]+/[^/.]+/(?:xhr_send|jsonp_send)"; // no capture group: SockJS reads its own param0

  private final RuntimeConfig config;
  private int limit = -1;
  private BodyHandler delegate;

  SockJsSendBody(RuntimeConfig config) {
    this.config = config;
  }

  /** Largest send body accepted for a given maxFrameSize (the WebSocket message limit). */
  static int limit(int maxFrameSize) {
    return 2 * maxFrameSize;
  }

  @Override
  public void handle(RoutingContext ctx) {
    int l = limit(config.get().edge().maxFrameSize());
    if (l != limit) { // maxFrameSize is a runtime option
      delegate = BodyHandler.create(false).setBodyLimit(l).setMergeFormAttributes(false);
      limit = l;
    }
    delegate.handle(ctx);
  }
}
