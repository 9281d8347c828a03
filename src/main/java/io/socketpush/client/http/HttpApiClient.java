package io.socketpush.client.http;

import io.socketpush.auth.AuthService;
import io.socketpush.channel.ChannelService;
import io.socketpush.cluster.ClusterService;
import io.socketpush.error.Failure;
import io.socketpush.message.Page;
import io.socketpush.message.PushMessage;
import io.socketpush.user.UserService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * Calls the management API of a node ({@code POST /api/<service>/<method>}) with Vert.x WebClient and maps
 * {@code {"error":{"code":..}}} answers back to the failure catalogue, so {@code Failure.of(err)} on a failed
 * call gives the same code as over the event bus. The {@code Http*Service} proxies use one of these.
 *
 * <pre>{@code
 * HttpApiClient api = HttpApiClient.create(vertx, "http://127.0.0.1:8181", "my-key");
 * api.auth().set("1", "test").compose(v -> api.user().publish("1", PushMessage.of("hello"), null));
 * }</pre>
 */
public final class HttpApiClient {
  /** Default timeout of one call, in milliseconds. */
  public static final long DEFAULT_TIMEOUT_MS = 10_000;

  private final WebClient client;
  private final boolean ownsClient;
  private final String baseUrl;
  private final String apiKey;
  private final long timeoutMs;

  /**
   * A client on a WebClient the caller owns (it is not closed by {@link #close()}).
   *
   * @param baseUrl   the node's admin URL, e.g. {@code http://127.0.0.1:8181} (a path prefix is kept)
   * @param apiKey    sent as {@code Authorization: Bearer <key>}; null when the node needs no key
   * @param timeoutMs timeout of one call
   */
  public HttpApiClient(WebClient client, String baseUrl, String apiKey, long timeoutMs) {
    this(client, false, baseUrl, apiKey, timeoutMs);
  }

  private HttpApiClient(WebClient client, boolean ownsClient, String baseUrl, String apiKey, long timeoutMs) {
    if (baseUrl == null || !(baseUrl.startsWith("http://") || baseUrl.startsWith("https://"))) {
      throw new IllegalArgumentException("baseUrl must be an http(s) URL, e.g. http://127.0.0.1:8181");
    }
    this.client = client;
    this.ownsClient = ownsClient;
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.apiKey = apiKey == null || apiKey.isEmpty() ? null : apiKey;
    this.timeoutMs = timeoutMs;
  }

  /** A client with its own WebClient and the default timeout. */
  public static HttpApiClient create(Vertx vertx, String baseUrl, String apiKey) {
    return new HttpApiClient(WebClient.create(vertx), true, baseUrl, apiKey, DEFAULT_TIMEOUT_MS);
  }

  /** The auth service over this client. */
  public AuthService auth() {
    return new HttpAuthService(this);
  }

  /** The channel service over this client. */
  public ChannelService channel() {
    return new HttpChannelService(this);
  }

  /** The user service over this client. */
  public UserService user() {
    return new HttpUserService(this);
  }

  /** The cluster service (of the node answering) over this client. */
  public ClusterService cluster() {
    return new HttpClusterService(this);
  }

  /**
   * Calls one method with named parameters; succeeds with the {@code result} value (null, String, Number,
   * Boolean, JsonObject or JsonArray), fails with a ServiceException of the answered failure code.
   */
  public Future<Object> call(String service, String method, JsonObject params) {
    HttpRequest<Buffer> req = client.postAbs(baseUrl + "/api/" + service + "/" + method)
        .timeout(timeoutMs)
        .putHeader("Accept", "application/json");
    if (apiKey != null) {
      req.putHeader("Authorization", "Bearer " + apiKey);
    }
    String what = service + "." + method;
    return req.sendJsonObject(params == null ? new JsonObject() : params)
        .recover(err -> transportFailure(what, err))
        .compose(resp -> answer(what, resp));
  }

  private <T> Future<T> transportFailure(String what, Throwable err) {
    if (err instanceof TimeoutException) {
      return Failure.TIMEOUT.fail(what + ": no answer from " + baseUrl + " within " + timeoutMs + " ms");
    }
    if (err instanceof ConnectException || err.getCause() instanceof ConnectException) {
      return Failure.UNAVAILABLE.fail(what + ": cannot connect to " + baseUrl + ": " + err.getMessage());
    }
    return Failure.UNAVAILABLE.fail(what + ": request to " + baseUrl + " failed: " + err);
  }

  private static Future<Object> answer(String what, HttpResponse<Buffer> resp) {
    JsonObject body;
    try {
      Buffer b = resp.body();
      body = b == null ? null : new JsonObject(b);
    } catch (RuntimeException e) {
      body = null;
    }
    if (body == null) {
      return Failure.INTERNAL.fail(what + ": unexpected answer (HTTP " + resp.statusCode() + ", not a JSON object)");
    }
    JsonObject error = body.getValue("error") instanceof JsonObject e ? e : null;
    if (error != null) {
      Failure f = failure(error.getValue("code"));
      Object message = error.getValue("message");
      return f.fail(message instanceof String s ? s : f.name().toLowerCase());
    }
    if (resp.statusCode() != 200 || !body.containsKey("result")) {
      return Failure.INTERNAL.fail(what + ": unexpected answer (HTTP " + resp.statusCode() + ")");
    }
    return Future.succeededFuture(body.getValue("result"));
  }

  private static Failure failure(Object code) {
    if (code instanceof String s) {
      for (Failure f : Failure.values()) {
        if (f.name().equals(s)) {
          return f;
        }
      }
    }
    return Failure.INTERNAL;
  }

  Future<Void> callVoid(String service, String method, JsonObject params) {
    return call(service, method, params).mapEmpty();
  }

  Future<String> callString(String service, String method, JsonObject params) {
    return call(service, method, params).compose(r -> r instanceof String s ? Future.succeededFuture(s)
        : unexpected(service, method, r));
  }

  Future<Integer> callInteger(String service, String method, JsonObject params) {
    return call(service, method, params).compose(r -> r instanceof Number n ? Future.succeededFuture(n.intValue())
        : unexpected(service, method, r));
  }

  Future<List<String>> callStrings(String service, String method, JsonObject params) {
    return call(service, method, params).compose(r -> {
      if (!(r instanceof JsonArray a)) {
        return unexpected(service, method, r);
      }
      List<String> out = new ArrayList<>(a.size());
      for (Object o : a) {
        if (!(o instanceof String s)) {
          return unexpected(service, method, r);
        }
        out.add(s);
      }
      return Future.succeededFuture(out);
    });
  }

  Future<Page> callPage(String service, String method, JsonObject params) {
    return call(service, method, params).compose(r -> r instanceof JsonObject o && o.getValue("items") instanceof JsonArray
        ? Future.succeededFuture(new Page(o)) : unexpected(service, method, r));
  }

  /** Adds the paging parameters: limit when positive, cursor when given (the node's defaults otherwise). */
  static JsonObject paging(JsonObject params, int limit, String cursor) {
    if (limit != 0) {
      params.put("limit", limit);
    }
    if (cursor != null) {
      params.put("cursor", cursor);
    }
    return params;
  }

  Future<io.socketpush.stream.PublishResult> callPublish(String service, String method, JsonObject params) {
    return callObject(service, method, params).compose(o -> o.getValue("sockets") instanceof Number && o.getValue("epoch") instanceof String
        && o.getValue("offset") instanceof String ? Future.succeededFuture(new io.socketpush.stream.PublishResult(o))
        : unexpected(service, method, o));
  }

  Future<JsonObject> callObject(String service, String method, JsonObject params) {
    return call(service, method, params).compose(r -> r instanceof JsonObject o ? Future.succeededFuture(o)
        : unexpected(service, method, r));
  }

  /** Adds the message's JSON value; a null message is left out, so the node answers BAD_REQUEST as over the bus. */
  static JsonObject withMessage(JsonObject params, PushMessage message) {
    return message == null ? params : params.put("message", message.value());
  }

  private static <T> Future<T> unexpected(String service, String method, Object r) {
    return Failure.INTERNAL.fail(service + "." + method + ": unexpected result " + r);
  }

  /** The admin URL this client calls. */
  public String baseUrl() {
    return baseUrl;
  }

  /** Closes the WebClient when this client created it. */
  public void close() {
    if (ownsClient) {
      client.close();
    }
  }
}
