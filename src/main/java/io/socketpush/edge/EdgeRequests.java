package io.socketpush.edge;

import io.socketpush.config.RuntimeConfig;
import io.socketpush.error.Failure;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client port's HTTP checks before SockJS or the static files see a request: a broken percent escape, a
 * browser origin that may not open sockets, a SockJS send body over the limit. Each answers with the JSON error
 * envelope ({@link Failure#envelope}).
 */
final class EdgeRequests {
  private static final Logger LOG = LoggerFactory.getLogger(EdgeRequests.class);

  private final String nodeId;
  private final RuntimeConfig config;

  EdgeRequests(String nodeId, RuntimeConfig config) {
    this.nodeId = nodeId;
    this.config = config;
  }

  /** Whether a path holds a '%' not followed by two hex digits. */
  static boolean brokenEscape(String path) {
    for (int i = path == null ? -1 : path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 1)) {
      if (i + 2 >= path.length() || Character.digit(path.charAt(i + 1), 16) < 0 || Character.digit(path.charAt(i + 2), 16) < 0) {
        return true;
      }
    }
    return false;
  }

  /** A path with a broken percent escape is a 400 before any route (or the static handler) tries to decode it. */
  void checkPath(RoutingContext ctx) {
    if (brokenEscape(ctx.request().path())) {
      ctx.response().setStatusCode(400).putHeader("content-type", "application/json")
          .end(Failure.BAD_REQUEST.envelope("malformed path: broken percent escape").encode());
      return;
    }
    ctx.next();
  }

  /** Sockets only from allowed browser origins ({@link OriginCheck}); others get a 403. */
  void checkOrigin(RoutingContext ctx) {
    String origin = ctx.request().getHeader("Origin");
    if (OriginCheck.allowed(origin, ctx.request().getHeader("Host"), config.get().edge().allowedOrigins())) {
      ctx.next();
    } else {
      LOG.info("[{}] rejected socket from origin {}", nodeId, origin);
      ctx.response().setStatusCode(403).putHeader("content-type", "application/json")
          .end(Failure.FORBIDDEN.envelope("origin not allowed").encode());
    }
  }

  /** A SockJS send body over the limit: refused, and the connection closed (the rest of it is still on the wire). */
  void tooLarge(RoutingContext ctx) {
    LOG.info("[{}] refused a SockJS send body over {} bytes from {}", nodeId,
        SockJsSendBody.limit(config.get().edge().maxFrameSize()), ctx.request().remoteAddress());
    if (!ctx.response().ended()) {
      ctx.response().setStatusCode(413).putHeader("connection", "close").putHeader("content-type", "application/json")
          .end(Failure.LIMIT_EXCEEDED.envelope("request body too large").encode());
    }
  }
}
