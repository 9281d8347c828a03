package io.socketpush.cluster;

import io.socketpush.events.WebhookSignature;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP webhook receiver on 127.0.0.1 for tests: verifies each POST's signature, records every event
 * (with the time it arrived, duplicates included), and answers 200, or 500 while {@link #failing} is on.
 */
public final class WebhookReceiver {
  /** One received event. */
  public record Received(String id, String type, String key, String userId, long at, long receivedAt) {
  }

  private final String secret;
  private final List<Received> events = new ArrayList<>();
  private final AtomicInteger rejected = new AtomicInteger();
  private final AtomicInteger badSignatures = new AtomicInteger();
  private final AtomicInteger posts = new AtomicInteger();
  private volatile boolean failing;
  private HttpServer server;

  private WebhookReceiver(String secret) {
    this.secret = secret;
  }

  /** Starts a receiver on a free port of 127.0.0.1. */
  public static Future<WebhookReceiver> start(Vertx vertx, String secret) {
    WebhookReceiver r = new WebhookReceiver(secret);
    return vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      r.posts.incrementAndGet();
      if (!WebhookSignature.verify(secret, body.getBytes(), req.getHeader(WebhookSignature.TIMESTAMP_HEADER),
          req.getHeader(WebhookSignature.SIGNATURE_HEADER))) {
        r.badSignatures.incrementAndGet();
        req.response().setStatusCode(401).end();
        return;
      }
      if (r.failing) {
        r.rejected.incrementAndGet();
        req.response().setStatusCode(500).end("failing on purpose");
        return;
      }
      long now = System.currentTimeMillis();
      JsonArray evs = new JsonObject(body).getJsonArray("events");
      synchronized (r) {
        for (int i = 0; i < evs.size(); i++) {
          JsonObject e = evs.getJsonObject(i);
          JsonObject d = e.getJsonObject("data", new JsonObject());
          r.events.add(new Received(e.getString("id"), e.getString("type"), e.getString("key"), d.getString("userId"),
              e.getLong("at"), now));
        }
      }
      req.response().setStatusCode(204).end();
    })).listen(0, "127.0.0.1").map(s -> {
      r.server = s;
      return r;
    });
  }

  public String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/hooks";
  }

  public void failing(boolean on) {
    failing = on;
  }

  public int rejected() {
    return rejected.get();
  }

  public int badSignatures() {
    return badSignatures.get();
  }

  /** Every event received, in arrival order (duplicates included). */
  public synchronized List<Received> events() {
    return new ArrayList<>(events);
  }

  /** The types of the distinct events (first arrival of each id) of {@code key} about {@code userId}, in arrival order. */
  public synchronized List<String> typesOf(String key, String userId) {
    Set<String> seen = new LinkedHashSet<>();
    List<String> out = new ArrayList<>();
    for (Received e : events) {
      if (key.equals(e.key()) && userId.equals(e.userId()) && seen.add(e.id())) {
        out.add(e.type());
      }
    }
    return out;
  }

  /**
   * The distinct events (first arrival of each id) of {@code key}, in arrival order, as {@code type} or
   * {@code type:userId} for those about a user.
   */
  public synchronized List<String> typesOf(String key) {
    Set<String> seen = new LinkedHashSet<>();
    List<String> out = new ArrayList<>();
    for (Received e : events) {
      if (key.equals(e.key()) && seen.add(e.id())) {
        out.add(e.userId() == null ? e.type() : e.type() + ":" + e.userId());
      }
    }
    return out;
  }

  /** The distinct ids of {@code key} about {@code userId}. */
  public synchronized Set<String> idsOf(String key, String userId) {
    Set<String> ids = new LinkedHashSet<>();
    for (Received e : events) {
      if (key.equals(e.key()) && userId.equals(e.userId())) {
        ids.add(e.id());
      }
    }
    return ids;
  }

  public synchronized String summary() {
    return events.size() + " events in " + posts.get() + " POSTs (" + rejected.get() + " refused): " + events;
  }
}
