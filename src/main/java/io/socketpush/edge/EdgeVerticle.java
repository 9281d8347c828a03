package io.socketpush.edge;

import io.socketpush.cluster.Addresses;
import io.socketpush.config.EdgeConfig;
import io.socketpush.config.RuntimeConfig;
import io.socketpush.delivery.EdgeOps;
import io.socketpush.ops.NodeMetrics;
import io.socketpush.shard.Services;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge role: binds the client port (SockJS at /eventbus, static webroot) and this node's inbox, and wires the
 * ring-change listener and the anti-entropy and idle-sweep timers to {@link EdgeNode}; {@link #stop} releases them.
 */
public final class EdgeVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(EdgeVerticle.class);

  private final Services services;
  private final RuntimeConfig config;
  private final NodeMetrics metrics;
  private EdgeNode node;
  private HttpServer server;
  private MessageConsumer<Object> inbox;
  private long announceTimer = -1;
  private Runnable ringListener = () -> { };
  private long sweepTimer = -1;

  /** {@code metrics}: this node's meters (the edge counts sockets, frames and drops). */
  public EdgeVerticle(Services services, RuntimeConfig config, NodeMetrics metrics) {
    this.services = services;
    this.config = config;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    EdgeConfig edge = config.get().edge();
    String nodeId = services.membership().nodeId();
    node = new EdgeNode(vertx, context, services, config, metrics);
    EdgeRequests requests = new EdgeRequests(nodeId, config);
    SockJSHandler sockJs = SockJSHandler.create(vertx, EdgeServer.sockJs(edge));

    Router router = Router.router(vertx);
    router.route().handler(requests::checkPath); // a broken escape (%zz): our JSON 400, not vert.x-web's plain-text one
    router.route("/eventbus/*").handler(requests::checkOrigin);
    // the non-WebSocket transports POST client frames to xhr_send/jsonp_send: read those bodies, bounded
    router.postWithRegex(SockJsSendBody.ROUTE).handler(new SockJsSendBody(config));
    // the raw WebSocket transport without SockJS's wrapper, same frames (RawWsIo); the fallbacks stay SockJS's
    router.get("/eventbus/websocket").handler(ctx -> RawWsIo.accept(node, config.get().edge().maxWriteQueueSize(), ctx));
    router.route("/eventbus/*").subRouter(sockJs.socketHandler(
        sock -> SockJsIo.bind(node, sock, config.get().edge().maxWriteQueueSize())));
    router.route("/admin/*").handler(ctx -> ctx.response().setStatusCode(404).end());
    router.route("/*").handler(StaticHandler.create("webroot").setCachingEnabled(false));
    router.errorHandler(413, requests::tooLarge);

    // token auth: keys read (or a JWKS fetched) once here, without blocking; a bad key stops the edge with its reason
    Future<Void> tokenKeys = io.socketpush.auth.TokenVerifier.create(vertx, config.get().tokens()).onSuccess(node::tokens).mapEmpty();
    inbox = vertx.eventBus().consumer(Addresses.edgeInbox(nodeId), node::onInbox);
    localInbox(config.get().cluster().localCalls());
    Future<Void> history = io.socketpush.stream.StreamStore.open(vertx).onSuccess(node::streams).mapEmpty();
    ringListener = services.membership().onChange(node::onRingChange); // the one ring-change handover
    announceTimer = vertx.setPeriodic(config.get().cluster().antiEntropyInterval(), t -> node.announce());
    sweepTimer = vertx.setPeriodic(EdgeServer.sweepInterval(edge), t -> node.sweepIdle());
    return Future.all(inbox.completion(), history, tokenKeys)
        .compose(v -> vertx.createHttpServer(EdgeServer.http(edge)).requestHandler(router).listen())
        .onSuccess(s -> {
          server = s;
          LOG.info("[{}] edge listening on {}:{}", nodeId, edge.host(), s.actualPort());
        });
  }

  /**
   * Whether owners on this Vert.x instance call this edge's inbox directly (cluster.localCalls) or over the event bus;
   * tests that intercept deliveries on the event bus turn it off for their part.
   */
  void localInbox(boolean on) {
    String nodeId = services.membership().nodeId();
    if (on) {
      EdgeOps.bindLocal(vertx, nodeId, context, node);
    } else {
      EdgeOps.unbindLocal(vertx, nodeId);
    }
  }

  /** The edge's logic (for tests in this package). */
  EdgeNode node() {
    return node;
  }

  /** Port the client server is bound to. */
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
