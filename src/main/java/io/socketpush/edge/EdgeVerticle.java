package io.socketpush.edge;

import io.socketpush.cluster.Addresses;
import io.socketpush.config.NodeConfig;
import io.socketpush.config.RuntimeConfig;
import io.socketpush.config.Section;
import io.socketpush.error.Failure;
import io.socketpush.delivery.EdgeOps;
import io.socketpush.shard.Services;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The edge role: binds the client port (SockJS at /eventbus, static webroot) and this node's inbox. */
public final class EdgeVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(EdgeVerticle.class);

  private final Services services;
  private final RuntimeConfig config;
  private EdgeNode node;
  private HttpServer server;
  private MessageConsumer<Object> inbox;
  private long announceTimer = -1;
  private Runnable ringListener = () -> { };
  private long sweepTimer = -1;

  public EdgeVerticle(Services services, RuntimeConfig config) {
    this.services = services;
    this.config = config;
  }

  @Override
  public Future<?> start() {
    Section edge = config.get().edge();
    node = new EdgeNode(vertx, context, services, config);
    SockJSHandler sockJs = SockJSHandler.create(vertx, new SockJSHandlerOptions()
        .setRegisterWriteHandler(false)
        .setHeartbeatInterval(Math.min(25_000, edge.longValue("pingTimeout") / 2))
        .setSessionTimeout(edge.longValue("pingTimeout"))
        // the iframe transports load SockJS into their iframe: from this edge, not from a CDN
        .setLibraryURL("/js/vendor/sockjs.min.js"));

    Router router = Router.router(vertx);
    router.route().handler(EdgeVerticle::checkPath); // a broken escape (%zz): our JSON 400, not vert.x-web's plain-text one
    router.route("/eventbus/*").handler(this::checkOrigin);
    // the non-WebSocket transports POST client frames to xhr_send/jsonp_send: read those bodies, bounded
    router.postWithRegex(SockJsSendBody.ROUTE).handler(new SockJsSendBody(config));
    router.route("/eventbus/*").subRouter(sockJs.socketHandler(this::onSocket));
    router.route("/admin/*").handler(ctx -> ctx.response().setStatusCode(404).end());
    router.route("/*").handler(StaticHandler.create("webroot").setCachingEnabled(false));
    router.errorHandler(413, this::tooLarge);

    // frames up to 2x maxFrameSize get a clear limit_exceeded error; larger ones close the connection (1009)
    int maxFrame = edge.integer("maxFrameSize");
    HttpServerOptions opts = new HttpServerOptions().setHost(edge.string("host")).setPort(edge.integer("port"))
        .setMaxWebSocketFrameSize(2 * maxFrame).setMaxWebSocketMessageSize(2 * maxFrame).setWebSocketClosingTimeout(2)
        .setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false);
    if (NodeConfig.tls(edge) != null) {
      opts.setSsl(true).setKeyCertOptions(NodeConfig.tls(edge));
    }

    // token auth: keys read (or a JWKS fetched) once here, without blocking; a bad key stops the edge with its reason
    Future<Void> tokenKeys = io.socketpush.auth.TokenVerifier.create(vertx, config.get().tokens()).onSuccess(node::tokens).mapEmpty();
    inbox = vertx.eventBus().consumer(Addresses.edgeInbox(services.membership().nodeId()), node::onInbox);
    localInbox(config.get().cluster().localCalls());
    Future<Void> history = io.socketpush.stream.StreamStore.open(vertx).onSuccess(node::streams).mapEmpty();
    // the one ring-change handover: tell the owners what we hold (owners keep what they do not own yet, for
    // when their own ring catches up) and repair what they stored meanwhile from history (EdgeNode#announce)
    ringListener = services.membership().onChange(() -> {
      if (services.membership().fenced()) {
        node.closeAll(ClientSession.CLOSE_PARTITIONED, "partitioned"); // a minority: clients go to another edge
        return;
      }
      node.announce();
    });
    announceTimer = vertx.setPeriodic(config.get().cluster().antiEntropyInterval(), t -> node.announce());
    sweepTimer = vertx.setPeriodic(Math.max(1_000, edge.longValue("pingTimeout") / 4), t -> node.sweepIdle());
    return Future.all(inbox.completion(), history, tokenKeys)
        .compose(v -> vertx.createHttpServer(opts).requestHandler(router).listen())
        .onSuccess(s -> {
          server = s;
          LOG.info("[{}] edge listening on {}:{}", services.membership().nodeId(), edge.string("host"), s.actualPort());
        });
  }

  /**
   * Whether owners on this Vert.x instance call this edge's inbox directly (cluster.localCalls) or over the event bus;
   * tests that intercept deliveries on the event bus turn it off for their part.
   */
  void localInbox(boolean on) {
    if (on) {
      EdgeOps.bindLocal(vertx, services.membership().nodeId(), context, node);
    } else {
      EdgeOps.unbindLocal(vertx, services.membership().nodeId());
    }
  }

  /** Port the client server is bound to. */
  /** The edge's logic (for tests in this package). */
  EdgeNode node() {
    return node;
  }

  public int port() {
    return server.actualPort();
  }

  /**
   * Closes every socket with a "go elsewhere" close; used on graceful shutdown. Callable from any thread: the
   * sockets and the edge's maps belong to this verticle's event loop, so the work hops onto its context
   * ({@code vertx.runOnContext} would run it on the caller's, e.g. the node verticle's).
   */
  public void closeAll() {
    if (node != null) {
      context.runOnContext(v -> node.closeAll());
    }
  }

  private void checkOrigin(RoutingContext ctx) {
    String origin = ctx.request().getHeader("Origin");
    if (OriginCheck.allowed(origin, ctx.request().getHeader("Host"), config.get().edge().strings("allowedOrigins"))) {
      ctx.next();
    } else {
      LOG.info("[{}] rejected socket from origin {}", services.membership().nodeId(), origin);
      ctx.response().setStatusCode(403).putHeader("content-type", "application/json")
          .end(Failure.FORBIDDEN.envelope("origin not allowed").encode());
    }
  }

  /** A path with a broken percent escape is a 400 before any route (or the static handler) tries to decode it. */
  private static void checkPath(RoutingContext ctx) {
    String path = ctx.request().path();
    for (int i = path == null ? -1 : path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 1)) {
      if (i + 2 >= path.length() || Character.digit(path.charAt(i + 1), 16) < 0 || Character.digit(path.charAt(i + 2), 16) < 0) {
        ctx.response().setStatusCode(400).putHeader("content-type", "application/json")
            .end(Failure.BAD_REQUEST.envelope("malformed path: broken percent escape").encode());
        return;
      }
    }
    ctx.next();
  }

  /** A SockJS send body over the limit: refused, and the connection closed (the rest of it is still on the wire). */
  private void tooLarge(RoutingContext ctx) {
    LOG.info("[{}] refused a SockJS send body over {} bytes from {}", services.membership().nodeId(),
        SockJsSendBody.limit(config.get().edge().integer("maxFrameSize")), ctx.request().remoteAddress());
    if (!ctx.response().ended()) {
      ctx.response().setStatusCode(413).putHeader("connection", "close").putHeader("content-type", "application/json")
          .end(Failure.LIMIT_EXCEEDED.envelope("request body too large").encode());
    }
  }

  private void onSocket(SockJSSocket sock) {
    sock.setWriteQueueMaxSize(config.get().edge().integer("maxWriteQueueSize"));
    ClientSession[] self = new ClientSession[1];
    ClientSession session = node.open(new ClientIo() {
      @Override
      public void write(String frame) {
        node.metrics().frameOut();
        Future<Void> written = sock.write(frame);
        if (self[0] != null) {
          node.queued(self[0], frame.length(), written); // the node-wide outbound budget
        }
      }

      @Override
      public boolean writeQueueFull() {
        return sock.writeQueueFull();
      }

      @Override
      public void close(int code, String reason) {
        sock.close(code, reason);
      }

      @Override
      public String remote() {
        return String.valueOf(sock.remoteAddress());
      }

      @Override
      public String remoteHost() {
        return sock.remoteAddress() == null ? "?" : sock.remoteAddress().host();
      }
    });
    self[0] = session;
    sock.handler(frame -> {
      node.metrics().frameIn();
      session.onFrame(frame);
    });
    sock.endHandler(v -> node.closed(session));
    sock.exceptionHandler(err -> node.closed(session));
  }

  @Override
  public Future<?> stop() {
    ringListener.run();
    EdgeOps.unbindLocal(vertx, services.membership().nodeId());
    vertx.cancelTimer(announceTimer);
    vertx.cancelTimer(sweepTimer);
    node.closeAll();
    return Future.all(inbox.unregister(), server == null ? Future.succeededFuture() : server.close());
  }
}
