package io.socketpush.edge;

import io.socketpush.cluster.Addresses;
import io.socketpush.config.NodeConfig;
import io.socketpush.config.RuntimeConfig;
import io.socketpush.config.Section;
import io.socketpush.error.Failure;
import io.socketpush.shard.Services;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
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
  private long sweepTimer = -1;

  public EdgeVerticle(Services services, RuntimeConfig config) {
    this.services = services;
    this.config = config;
  }

  @Override
  public Future<?> start() {
    Section edge = config.get().edge();
    node = new EdgeNode(vertx, services, config);
    SockJSHandler sockJs = SockJSHandler.create(vertx, new SockJSHandlerOptions()
        .setRegisterWriteHandler(false)
        .setHeartbeatInterval(Math.min(25_000, edge.longValue("pingTimeout") / 2))
        .setSessionTimeout(edge.longValue("pingTimeout")));

    Router router = Router.router(vertx);
    router.route("/eventbus/*").handler(this::checkOrigin);
    router.route("/eventbus/*").subRouter(sockJs.socketHandler(this::onSocket));
    router.route("/admin/*").handler(ctx -> ctx.response().setStatusCode(404).end());
    router.route("/*").handler(StaticHandler.create("webroot").setCachingEnabled(false));

    // frames up to 2x maxFrameSize get a clear limit_exceeded error; larger ones close the connection (1009)
    int maxFrame = edge.integer("maxFrameSize");
    HttpServerOptions opts = new HttpServerOptions().setHost(edge.string("host")).setPort(edge.integer("port"))
        .setMaxWebSocketFrameSize(2 * maxFrame).setMaxWebSocketMessageSize(2 * maxFrame).setWebSocketClosingTimeout(2)
        .setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false);
    if (NodeConfig.tls(edge) != null) {
      opts.setSsl(true).setKeyCertOptions(NodeConfig.tls(edge));
    }

    inbox = vertx.eventBus().consumer(Addresses.edgeInbox(services.membership().nodeId()), node::onInbox);
    Future<Void> history = io.socketpush.stream.StreamStore.open(vertx).onSuccess(node::streams).mapEmpty();
    // announce at once, and again a moment later for owners whose rings changed after ours
    services.membership().onChange(() -> {
      node.announce();
      vertx.setTimer(1_000, t -> node.announce());
    });
    announceTimer = vertx.setPeriodic(config.get().cluster().longValue("antiEntropyInterval"), t -> node.announce());
    sweepTimer = vertx.setPeriodic(Math.max(1_000, edge.longValue("pingTimeout") / 4), t -> node.sweepIdle());
    return Future.all(inbox.completion(), history)
        .compose(v -> vertx.createHttpServer(opts).requestHandler(router).listen())
        .onSuccess(s -> {
          server = s;
          LOG.info("[{}] edge listening on {}:{}", services.membership().nodeId(), edge.string("host"), s.actualPort());
        });
  }

  /** Port the client server is bound to. */
  public int port() {
    return server.actualPort();
  }

  /** Closes every socket with a "go elsewhere" close; used on graceful shutdown. */
  public void closeAll() {
    if (node != null) {
      vertx.runOnContext(v -> node.closeAll());
    }
  }

  private void checkOrigin(RoutingContext ctx) {
    String origin = ctx.request().getHeader("Origin");
    if (OriginCheck.allowed(origin, ctx.request().getHeader("Host"), config.get().edge().strings("allowedOrigins"))) {
      ctx.next();
    } else {
      LOG.info("[{}] rejected socket from origin {}", services.membership().nodeId(), origin);
      ctx.response().setStatusCode(403).putHeader("content-type", "application/json")
          .end(new JsonObject().put("error", new JsonObject().put("code", Failure.FORBIDDEN.name())
              .put("message", "origin not allowed")).encode());
    }
  }

  private void onSocket(SockJSSocket sock) {
    sock.setWriteQueueMaxSize(config.get().edge().integer("maxWriteQueueSize"));
    ClientSession session = node.open(new ClientIo() {
      @Override
      public void write(String frame) {
        node.metrics().frameOut();
        sock.write(frame);
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
    });
    sock.handler(frame -> {
      node.metrics().frameIn();
      session.onFrame(frame);
    });
    sock.endHandler(v -> node.closed(session));
    sock.exceptionHandler(err -> node.closed(session));
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(announceTimer);
    vertx.cancelTimer(sweepTimer);
    node.closeAll();
    return Future.all(inbox.unregister(), server == null ? Future.succeededFuture() : server.close());
  }
}
