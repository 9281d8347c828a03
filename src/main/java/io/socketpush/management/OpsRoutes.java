package io.socketpush.management;

import io.socketpush.config.RuntimeConfig;
import io.socketpush.delivery.EdgeOps;
import io.socketpush.error.Failure;
import io.socketpush.ops.LogControl;
import io.socketpush.ops.NodeMetrics;
import io.socketpush.ops.NodeOps;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's routes on the admin port:
 * <ul>
 *   <li>{@code GET /health}: liveness, {@code GET /ready}: readiness (200 UP or 503 DOWN with every check)</li>
 *   <li>{@code GET /metrics}: Prometheus text format</li>
 *   <li>{@code GET /admin/loglevel?logger=io.socketpush}, {@code POST /admin/loglevel
 *   {"logger":"io.socketpush","level":"DEBUG"}}: read and change log levels at runtime (API keys apply:
 *   read-only keys may read, full keys may change)</li>
 * </ul>
 * Health and metrics need no API key: they reveal no user data and probes and scrapers must reach them;
 * the admin port binds 127.0.0.1 by default.
 */
public final class OpsRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(OpsRoutes.class);
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final Vertx vertx;
  private final NodeOps ops;
  private final String nodeId;
  private final RuntimeConfig config;
  private final BooleanSupplier leaving;

  private OpsRoutes(Vertx vertx, NodeOps ops, RuntimeConfig config, BooleanSupplier leaving) {
    this.vertx = vertx;
    this.ops = ops;
    this.nodeId = ops.nodeId();
    this.config = config;
    this.leaving = leaving;
  }

  /** Mounts the routes on the admin router; call before any catch-all route. */
  public static void mount(Vertx vertx, Router router, NodeOps ops, RuntimeConfig config, BooleanSupplier leaving) {
    OpsRoutes r = new OpsRoutes(vertx, ops, config, leaving);
    router.get("/health").handler(HealthCheckHandler.createWithHealthChecks(ops.health().liveness()));
    router.get("/ready").handler(HealthCheckHandler.createWithHealthChecks(ops.health().readiness()));
    router.get("/heartbeat").handler(r::heartbeat);
    router.get("/metrics").handler(r::metrics);
    router.get("/admin/loglevel").handler(r::getLogLevel);
    router.post("/admin/loglevel").handler(r::setLogLevel);
  }

  /** GET /heartbeat: {"status":"ok"|"draining","nodeId":..}; draining once the node is leaving. */
  private void heartbeat(RoutingContext ctx) {
    json(ctx, new JsonObject().put("status", leaving.getAsBoolean() ? "draining" : "ok").put("nodeId", nodeId));
  }

  /** GET /metrics */
  private void metrics(RoutingContext ctx) {
    // socket gauges come from the edge itself, on its own event loop (its state is confined there)
    Future<Void> refreshed = !ops.edge() ? Future.succeededFuture()
        : EdgeOps.<JsonObject>control(vertx, nodeId, EdgeOps.STATS, new JsonObject(), 2_000)
            .<Void>map(stats -> {
              ops.metrics().refresh(stats);
              return null;
            })
            .recover(err -> {
              LOG.debug("[{}] edge stats for metrics unavailable: {}", nodeId, err.getMessage());
              return Future.succeededFuture();
            });
    refreshed.compose(v -> vertx.executeBlocking(() -> {
      NodeMetrics m = ops.metrics();
      String text = m.scrape();
      return m.vertxMetrics() ? text : "# socket-push: Vert.x metrics are disabled (metrics backend: " + m.backend()
          + "); serving socket-push and JVM meters only. Start with io.socketpush.ops.Launcher (the jar's main)"
          + " or set metricsOptions with prometheusOptions.enabled=true.\n" + text;
    }, false)).onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.response().putHeader("content-type", PROMETHEUS_TEXT).end(ar.result());
      } else {
        LOG.warn("[{}] metrics scrape failed: {}", nodeId, ar.cause().toString());
        error(ctx, Failure.UNAVAILABLE, "metrics scrape failed");
      }
    });
  }

  /** GET /admin/loglevel?logger=name */
  private void getLogLevel(RoutingContext ctx) {
    Failure denied = checkKey(ctx, true);
    if (denied != null) {
      error(ctx, denied, denied == Failure.UNAUTHORIZED ? "an API key is required (Authorization: Bearer <key>)"
          : "this API key may not read log levels");
      return;
    }
    try {
      json(ctx, new JsonObject().put("result", LogControl.level(ctx.queryParams().get("logger"))));
    } catch (IllegalArgumentException e) {
      error(ctx, Failure.BAD_REQUEST, e.getMessage());
    } catch (IllegalStateException e) {
      error(ctx, Failure.UNAVAILABLE, e.getMessage());
    }
  }

  /** POST /admin/loglevel {"logger":..,"level":..} */
  private void setLogLevel(RoutingContext ctx) {
    Failure denied = checkKey(ctx, false);
    if (denied != null) {
      error(ctx, denied, denied == Failure.UNAUTHORIZED ? "an API key is required (Authorization: Bearer <key>)"
          : "this API key may not change log levels");
      return;
    }
    JsonObject body;
    try {
      String raw = ctx.body().asString();
      body = raw == null || raw.isBlank() ? new JsonObject() : new JsonObject(raw);
    } catch (DecodeException | ClassCastException e) {
      error(ctx, Failure.BAD_REQUEST, "body must be a JSON object {\"logger\":..,\"level\":..}");
      return;
    }
    Object logger = body.getValue("logger");
    Object level = body.getValue("level");
    if (logger != null && !(logger instanceof String) || level != null && !(level instanceof String)) {
      error(ctx, Failure.BAD_REQUEST, "logger and level must be strings");
      return;
    }
    if (!body.containsKey("level")) {
      error(ctx, Failure.BAD_REQUEST, "level is required (TRACE, DEBUG, INFO, WARN, ERROR, OFF or INHERIT)");
      return;
    }
    try {
      json(ctx, new JsonObject().put("result", LogControl.setLevel((String) logger, (String) level)));
    } catch (IllegalArgumentException e) {
      error(ctx, Failure.BAD_REQUEST, e.getMessage());
    } catch (IllegalStateException e) {
      error(ctx, Failure.UNAVAILABLE, e.getMessage());
    }
  }

  /** Null when allowed; the same check as the management API (full keys do anything, read-only keys read). */
  private Failure checkKey(RoutingContext ctx, boolean readOnly) {
    return io.socketpush.management.ApiHandler.checkKey(config, ctx, readOnly);
  }

  private static void json(RoutingContext ctx, JsonObject body) {
    ctx.response().putHeader("content-type", "application/json").end(body.encode());
  }

  private static void error(RoutingContext ctx, Failure f, String message) {
    if (!ctx.response().ended()) {
      ctx.response().setStatusCode(f.httpStatus).putHeader("content-type", "application/json")
          .end(f.envelope(message).encode());
    }
  }
}
