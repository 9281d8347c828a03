package io.socketpush.management;

import io.socketpush.config.RuntimeConfig;
import io.socketpush.config.ManagementConfig;
import io.socketpush.ops.NodeOps;
import io.socketpush.shard.Services;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The management role: binds the admin port. Stateless: every call goes through the sharded services. */
public final class ManagementVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ManagementVerticle.class);

  private final Services services;
  private final RuntimeConfig config;
  private final NodeOps ops;
  private HttpServer server;

  /** {@code ops}: this node's meters and health checks (the /health, /ready and /metrics routes). */
  public ManagementVerticle(Services services, RuntimeConfig config, NodeOps ops) {
    this.services = services;
    this.config = config;
    this.ops = ops;
  }

  @Override
  public Future<?> start() {
    ManagementConfig m = config.get().management();
    ApiHandler api = new ApiHandler(services, config);
    Router router = Router.router(vertx);
    router.route().handler(api::checkPath); // a broken percent escape is a 400 before any route tries to decode it
    router.route().handler(new AdminGuard(services.membership().nodeId(), config)::handle); // Host, cross-site, keys
    router.route().handler(BodyHandler.create().setBodyLimit(m.maxBodySize()).setHandleFileUploads(false));
    router.get("/api").handler(api::describe);
    router.post("/api/:service/:method").handler(api::call);
    router.get("/api/:service/:method").handler(api::callGet); // read-only methods only: no state change by GET
    router.get("/openapi.json").handler(api::openapi);
    OpsRoutes.mount(vertx, router, ops, config, services.membership()::leaving); // /health /ready /heartbeat /metrics /admin/loglevel
    // no capture groups: vert.x-web would decode them as path params and answer a broken escape (%zz) with a bare 500;
    // ApiHandler.legacy decodes each segment itself (400 naming the parameter)
    router.getWithRegex("/(?:auth|channel|user|cluster)/[^/]+(?:/.*)?").handler(api::legacy);
    router.get("/*").handler(StaticHandler.create("webroot/admin").setCachingEnabled(false));
    router.route().last().handler(ctx -> ctx.fail(404));
    router.errorHandler(404, api::routerError).errorHandler(405, api::routerError)
        .errorHandler(413, api::routerError).errorHandler(400, api::routerError).errorHandler(500, api::routerError);
    HttpServerOptions opts = new HttpServerOptions().setHost(m.host()).setPort(m.port());
    if (m.tls() != null) {
      opts.setSsl(true).setKeyCertOptions(m.tls());
    }
    return vertx.createHttpServer(opts).requestHandler(router).listen()
        .onSuccess(s -> {
          server = s;
          LOG.info("[{}] management listening on {}:{}", services.membership().nodeId(), m.host(), s.actualPort());
        });
  }

  /** Port the admin server is bound to. */
  public int port() {
    return server.actualPort();
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
