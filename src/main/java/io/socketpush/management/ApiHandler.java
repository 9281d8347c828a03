package io.socketpush.management;

import io.socketpush.config.RuntimeConfig;
import io.socketpush.error.Failure;
import io.socketpush.shard.Services;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP face of the management API: named-JSON POST calls, the original's positional GET URLs, the
 * self-description and API-key checks. Every answer is {@code {"result":..}} or {@code {"error":..}}.
 */
public final class ApiHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);

  private final Services services;
  private final RuntimeConfig config;

  public ApiHandler(Services services, RuntimeConfig config) {
    this.services = services;
    this.config = config;
  }

  /** GET /api */
  public void describe(RoutingContext ctx) {
    ctx.response().putHeader("content-type", "application/json").end(ApiCatalog.describe().encodePrettily());
  }

  /** GET /openapi.json: OpenAPI 3.0 generated from the same catalogue; bearer security when keys are configured. */
  public void openapi(RoutingContext ctx) {
    ctx.response().putHeader("content-type", "application/json")
        .end(OpenApi.document(keysConfigured()).encodePrettily());
  }

  private boolean keysConfigured() {
    return !config.get().management().apiKeys().isEmpty()
        || !config.get().management().readOnlyApiKeys().isEmpty();
  }

  /** POST /api/:service/:method with a JSON object of named parameters. */
  public void call(RoutingContext ctx) {
    ApiMethod m = ApiCatalog.find(ctx.pathParam("service"), ctx.pathParam("method"));
    if (m == null) {
      fail(ctx, Failure.NOT_FOUND.exception("unknown method " + ctx.pathParam("service") + "." + ctx.pathParam("method")));
      return;
    }
    JsonObject params;
    try {
      String body = ctx.body().asString();
      Object parsed = body == null || body.isBlank() ? new JsonObject() : Json.decodeValue(body);
      if (!(parsed instanceof JsonObject o)) {
        fail(ctx, Failure.BAD_REQUEST.exception("body must be a JSON object of named parameters"));
        return;
      }
      params = o;
    } catch (DecodeException e) {
      fail(ctx, Failure.BAD_REQUEST.exception("body is not valid JSON"));
      return;
    }
    invoke(ctx, m, params);
  }

  /**
   * GET /api/:service/:method?param=value: the read-only methods ({@code readOnly} in /api: status, get*, listAll,
   * auth.check) with string parameters from the query. A method that changes state answers 405: a GET must never
   * change anything (a link or an image on another site could send it), so those stay POST only.
   */
  public void callGet(RoutingContext ctx) {
    ApiMethod m = ApiCatalog.find(ctx.pathParam("service"), ctx.pathParam("method"));
    if (m == null) {
      fail(ctx, Failure.NOT_FOUND.exception("unknown method " + ctx.pathParam("service") + "." + ctx.pathParam("method")));
      return;
    }
    if (!m.readOnly()) {
      ctx.response().setStatusCode(405).putHeader("allow", "POST").putHeader("content-type", "application/json")
          .end(Failure.BAD_REQUEST.envelope(m.service() + "." + m.name() + " changes state: call it with POST").encode());
      return;
    }
    JsonObject params = new JsonObject();
    for (String name : ctx.queryParams().names()) {
      List<String> values = ctx.queryParams().getAll(name);
      if (values.size() != 1) {
        fail(ctx, Failure.BAD_REQUEST.exception("parameter " + name + " given " + values.size() + " times"));
        return;
      }
      params.put(name, queryValue(m, name, values.get(0)));
    }
    invoke(ctx, m, params);
  }

  /**
   * First handler of the admin router: a path with a broken percent escape ({@code %zz}) is answered 400 here;
   * vert.x-web's own path normalisation would throw on it while matching routes and answer a bare 500.
   */
  public void checkPath(RoutingContext ctx) {
    String path = ctx.request().path();
    try {
      if (path != null) {
        PathSegments.decode(path);
      }
    } catch (IllegalArgumentException e) {
      LOG.debug("[{}] management request with a malformed path: {}", services.membership().nodeId(), e.getMessage());
      ctx.response().setStatusCode(400).putHeader("content-type", "application/json")
          .end(Failure.BAD_REQUEST.envelope("malformed path: " + e.getMessage()).encode());
      return;
    }
    ctx.next();
  }

  /** A query string value is text: an INTEGER param given as digits is that number (bind checks the range). */
  private static Object queryValue(ApiMethod m, String name, String value) {
    boolean integer = m.params().stream().anyMatch(p -> p.name().equals(name) && p.type() == ApiMethod.Type.INTEGER);
    return integer && value.matches("[0-9]{1,10}") ? (Object) Long.parseLong(value) : value;
  }

  /** GET /:service/:method/:p1/:p2...: the original socket-push URL scheme, parameters by position. */
  public void legacy(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    String[] parts = path.substring(1).split("/", -1);
    ApiMethod m = parts.length >= 2 ? ApiCatalog.find(parts[0], parts[1]) : null;
    if (m == null) {
      fail(ctx, Failure.NOT_FOUND.exception("unknown method " + path));
      return;
    }
    List<ApiMethod.Param> ps = m.params();
    if (parts.length - 2 > ps.size()) {
      fail(ctx, Failure.BAD_REQUEST.exception(m.service() + "." + m.name() + " takes " + ps.size() + " parameters"));
      return;
    }
    JsonObject params = new JsonObject();
    for (int i = 2; i < parts.length; i++) {
      ApiMethod.Param p = ps.get(i - 2);
      String raw;
      try {
        raw = PathSegments.decode(parts[i]);
      } catch (IllegalArgumentException e) {
        fail(ctx, Failure.BAD_REQUEST.exception("parameter " + p.name() + ": " + e.getMessage()));
        return;
      }
      if (p.type() == ApiMethod.Type.STRING) {
        params.put(p.name(), raw);
      } else {
        try {
          params.put(p.name(), Json.decodeValue(raw));
        } catch (DecodeException e) {
          if (p.type() == ApiMethod.Type.OBJECT) {
            fail(ctx, Failure.BAD_REQUEST.exception("parameter " + p.name() + " must be a JSON object"));
            return;
          }
          params.put(p.name(), raw); // a plain text message
        }
      }
    }
    invoke(ctx, m, params);
  }

  private void invoke(RoutingContext ctx, ApiMethod m, JsonObject params) {
    Failure denied = checkKey(ctx, m);
    if (denied != null) {
      fail(ctx, denied.exception(denied == Failure.UNAUTHORIZED ? "an API key is required (Authorization: Bearer <key>)"
          : "this API key may not call " + m.service() + "." + m.name()));
      return;
    }
    Future<?> result;
    try {
      result = m.invoker().invoke(services, ApiCatalog.bind(m, params));
    } catch (RuntimeException e) { // a BAD_REQUEST ServiceException from bind, or a bug (500 INTERNAL, logged)
      fail(ctx, e);
      return;
    }
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        Object r = ar.result();
        if (r instanceof List<?> l) {
          r = new JsonArray(l);
        } else if (r instanceof io.socketpush.stream.PublishResult p) {
          r = p.toJson();
        }
        ctx.response().putHeader("content-type", "application/json").end(new JsonObject().put("result", r).encode());
      } else {
        fail(ctx, ar.cause());
      }
    });
  }

  /** Null when the call is allowed, else UNAUTHORIZED (no key) or FORBIDDEN (wrong or read-only key). */
  Failure checkKey(RoutingContext ctx, ApiMethod m) {
    return checkKey(config, ctx, m.readOnly());
  }

  /**
   * The one API-key check of the admin port: full keys may call anything, read-only keys only read-only
   * calls; no keys configured means no check. Null when allowed, else UNAUTHORIZED or FORBIDDEN.
   */
  public static Failure checkKey(RuntimeConfig config, RoutingContext ctx, boolean readOnlyCall) {
    return ApiKeys.of(config.get().management()).check(ctx.request().getHeader("Authorization"), readOnlyCall);
  }

  private void fail(RoutingContext ctx, Throwable err) {
    Failure f = Failure.of(err);
    if (f == Failure.INTERNAL) {
      LOG.error("[{}] management call {} failed", services.membership().nodeId(), ctx.normalizedPath(), err);
    } else if (f.httpStatus >= 500) {
      LOG.warn("[{}] management call {}: {}", services.membership().nodeId(), ctx.normalizedPath(), Failure.messageOf(err));
    } else {
      LOG.debug("[{}] management call {}: {}", services.membership().nodeId(), ctx.normalizedPath(), Failure.messageOf(err));
    }
    if (!ctx.response().ended()) {
      ctx.response().setStatusCode(f.httpStatus).putHeader("content-type", "application/json")
          .end(Failure.envelope(err).encode());
    }
  }

  /** Error handler for anything the router itself rejects (404 route, 413 body too large...). */
  public void routerError(RoutingContext ctx) {
    int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
    Failure f = switch (status) {
      case 404 -> Failure.NOT_FOUND;
      case 413 -> Failure.LIMIT_EXCEEDED;
      case 400 -> Failure.BAD_REQUEST;
      case 405 -> Failure.NOT_FOUND;
      default -> Failure.INTERNAL;
    };
    if (f == Failure.INTERNAL && ctx.failure() != null) {
      LOG.error("[{}] management request {} failed", services.membership().nodeId(), ctx.request().path(), ctx.failure());
    }
    String message = switch (status) {
      case 404 -> "no such resource " + ctx.request().path();
      case 413 -> "request body too large";
      case 405 -> "method not allowed";
      default -> f == Failure.INTERNAL ? "internal error" : "bad request";
    };
    if (!ctx.response().ended()) {
      if (status == 413) {
        // the rest of the oversized body is still on the wire: tell the client not to reuse this connection
        ctx.response().putHeader("connection", "close");
      }
      ctx.response().setStatusCode(status == 413 ? 413 : f.httpStatus).putHeader("content-type", "application/json")
          .end(f.envelope(message).encode());
    }
  }
}
