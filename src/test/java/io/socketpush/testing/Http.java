package io.socketpush.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

/** Minimal HTTP calls to a node's management API for tests. */
public final class Http {
  /** A response: status and parsed JSON body. */
  public record Response(int status, JsonObject body) {
  }

  private final Vertx vertx;
  private final int port;
  private final String host;

  public Http(Vertx vertx, int port) {
    this(vertx, "127.0.0.1", port);
  }

  /** A client of the admin port at {@code host} (e.g. a node in a network namespace the test created). */
  public Http(Vertx vertx, String host, int port) {
    this.vertx = vertx;
    this.host = host;
    this.port = port;
  }

  /** POST /api/service/method with named params. */
  public Future<Response> call(String service, String method, JsonObject params) {
    return request(HttpMethod.POST, "/api/" + service + "/" + method, params == null ? "{}" : params.encode(), null);
  }

  /** Any request with an optional body and Authorization header. */
  public Future<Response> request(HttpMethod m, String uri, String body, String authorization) {
    // a client (so a connection and a pool) of its own per request, closed after it: a request that was
    // refused half-way (an oversized body) cannot hold up the next one. A request that gets no response head
    // fails after 10 s, saying so.
    HttpClient client = vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions().setKeepAlive(false)
        .setConnectTimeout(5_000));
    RequestOptions o = new RequestOptions().setMethod(m).setHost(host).setPort(port).setURI(uri)
        .setIdleTimeout(10_000);
    if (authorization != null) {
      o.putHeader("Authorization", authorization);
    }
    return client.request(o).compose(req -> {
      // The response's consumer is attached BEFORE the request goes out. With Vert.x 5.0.7 a response whose end
      // was processed before body() is called loses that end and body() never completes (no timeout either: the
      // idle timeout is cancelled when the response head arrives). The former chain
      // request().compose(send).compose(resp -> resp.body()) attached body() only after send() had written the
      // request, so a fast answer handled on the connection's event loop could end first: CI's "no answer within
      // 15000 ms" (eclipse-vertx/vert.x#6038, fixed in 5.0.11). WebClient (HttpApiClient) already does it this way.
      Future<Response> answer = req.response()
          .compose(resp -> resp.body().map(b -> new Response(resp.statusCode(), parse(resp, b))));
      if (body == null) {
        req.end();
      } else {
        req.end(Buffer.buffer(body));
      }
      return answer;
    }).eventually(() -> client.close());
  }

  private static JsonObject parse(HttpClientResponse resp, Buffer b) {
    try {
      return b.length() == 0 ? new JsonObject() : new JsonObject(b);
    } catch (RuntimeException e) {
      return new JsonObject().put("raw", b.toString());
    }
  }

  /** Nothing to release: every request closes its own client. */
  public Future<Void> close() {
    return Future.succeededFuture();
  }
}
