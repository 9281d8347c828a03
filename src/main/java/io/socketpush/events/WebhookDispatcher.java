package io.socketpush.events;

import io.socketpush.config.EventsConfig;
import io.socketpush.ops.NodeMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the outbox queues of the event keys this node owns on the ring (user:<id> by the user ring, channel:<id>
 * by the channel ring, as the services; a dead owner's keys move with its shards, and the entries survive in
 * the cache's other copy): per webhook, one signed POST at a time with up to
 * batchSize events (a prefix of each queue, so a key's events go in order), acknowledged (removed) after a 2xx.
 * A failed POST is retried after an exponential backoff with jitter; events older than maxAge are dropped with a
 * metric and a log line. Runs on one event loop; the outbox calls are asynchronous and the key scan runs on a
 * worker.
 */
public final class WebhookDispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatcher.class);
  /** Most queues read per round (the rest the next round). */
  static final int MAX_QUEUES_PER_ROUND = 1_000;

  private final Vertx vertx;
  private final Outbox outbox;
  private final EventsConfig config;
  private final WebClient http;
  private final NodeMetrics metrics;
  private final String nodeId;
  private final Hook[] hooks;
  /** Whether this node delivers the events of an event key (user:<id> or channel:<id>): the key's ring owner. */
  private final java.util.function.Predicate<String> responsible;
  private long timer = -1;

  /** Delivery state of one webhook on this node. */
  private static final class Hook {
    final int index;
    final EventsConfig.Webhook webhook;
    boolean busy;
    int failures;
    long nextAt;

    Hook(int index, EventsConfig.Webhook webhook) {
      this.index = index;
      this.webhook = webhook;
    }
  }

  public WebhookDispatcher(Vertx vertx, Outbox outbox, EventsConfig config, WebClient http, NodeMetrics metrics, String nodeId,
      java.util.function.Predicate<String> responsible) {
    this.vertx = vertx;
    this.responsible = responsible;
    this.outbox = outbox;
    this.config = config;
    this.http = http;
    this.metrics = metrics;
    this.nodeId = nodeId;
    this.hooks = new Hook[config.webhooks().size()];
    for (int i = 0; i < hooks.length; i++) {
      hooks[i] = new Hook(i, config.webhooks().get(i));
    }
  }

  /** Starts polling the outbox (call on the owning verticle's context). */
  public void start() {
    timer = vertx.setPeriodic(config.pollInterval(), t -> poll());
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  private void poll() {
    long now = System.currentTimeMillis();
    for (Hook h : hooks) {
      if (!h.busy && now >= h.nextAt) {
        h.busy = true;
        round(h).onComplete(ar -> {
          h.busy = false;
          if (ar.failed()) {
            LOG.warn("[{}] webhook {} round failed: {}", nodeId, h.webhook.url(), ar.cause().getMessage());
          }
        });
      }
    }
  }

  /** One round for a webhook: read its queues owned here, POST one batch, acknowledge or back off. */
  private Future<Void> round(Hook h) {
    String prefix = Outbox.prefix(h.index);
    return outbox.store().keys(prefix).compose(all -> {
      List<String> keys = all.stream().filter(q -> responsible.test(q.substring(prefix.length()))).sorted().toList();
      List<String> queues = keys.size() > MAX_QUEUES_PER_ROUND ? keys.subList(0, MAX_QUEUES_PER_ROUND) : keys;
      List<Future<JsonArray>> reads = new ArrayList<>();
      for (String q : queues) {
        reads.add(outbox.pending(q));
      }
      return Future.join(reads).transform(ar -> {
        Map<String, JsonArray> pending = new LinkedHashMap<>();
        for (int i = 0; i < queues.size(); i++) {
          if (reads.get(i).succeeded() && !reads.get(i).result().isEmpty()) {
            pending.put(queues.get(i), reads.get(i).result());
          }
        }
        return deliver(h, pending);
      });
    });
  }

  private Future<Void> deliver(Hook h, Map<String, JsonArray> pending) {
    long oldest = System.currentTimeMillis() - config.maxAge();
    JsonArray batch = new JsonArray();
    Map<String, Set<String>> sent = new LinkedHashMap<>();
    List<Future<Void>> expiredAcks = new ArrayList<>();
    for (Map.Entry<String, JsonArray> e : pending.entrySet()) {
      Set<String> expired = new HashSet<>();
      Set<String> taken = new HashSet<>();
      for (int i = 0; i < e.getValue().size(); i++) {
        JsonObject ev = e.getValue().getJsonObject(i);
        if (ev.getLong("at", 0L) < oldest) {
          expired.add(ev.getString("id"));
        } else if (batch.size() < config.batchSize()) {
          batch.add(ev);
          taken.add(ev.getString("id"));
        } else {
          break; // the rest of this queue waits: a key's events only ever go as a prefix, in order
        }
      }
      if (!expired.isEmpty()) {
        metrics.webhookEvents("expired", expired.size());
        LOG.warn("[{}] {} event(s) of {} older than events.maxAge ({} ms) were not delivered to {}: dropped", nodeId,
            expired.size(), e.getKey().substring(Outbox.prefix(h.index).length()), config.maxAge(), h.webhook.url());
        expiredAcks.add(outbox.ack(e.getKey(), expired));
      }
      if (!taken.isEmpty()) {
        sent.put(e.getKey(), taken);
      }
    }
    Future<Void> expiredDone = Future.join(expiredAcks).mapEmpty();
    if (batch.isEmpty()) {
      return expiredDone;
    }
    int n = batch.size();
    return expiredDone.transform(ignored -> post(h, batch)).compose(ok -> {
      if (!ok) {
        return Future.succeededFuture();
      }
      List<Future<Void>> acks = new ArrayList<>();
      sent.forEach((q, ids) -> acks.add(outbox.ack(q, ids)));
      metrics.webhookEvents("delivered", n);
      return Future.all(acks).mapEmpty();
    });
  }

  /** POSTs one signed batch; true on a 2xx. A failure schedules the retry of this webhook. */
  private Future<Boolean> post(Hook h, JsonArray events) {
    Buffer body = new JsonObject().put("events", events).toBuffer();
    long ts = System.currentTimeMillis() / 1000;
    String signature = WebhookSignature.sign(h.webhook.secret(), ts, body.getBytes());
    return http.postAbs(h.webhook.url()).timeout(config.requestTimeout())
        .putHeader("Content-Type", "application/json")
        .putHeader(WebhookSignature.TIMESTAMP_HEADER, String.valueOf(ts))
        .putHeader(WebhookSignature.SIGNATURE_HEADER, signature)
        .sendBuffer(body)
        .transform(ar -> {
          if (ar.succeeded() && ar.result().statusCode() / 100 == 2) {
            if (h.failures > 0) {
              LOG.info("[{}] webhook {} accepts again after {} failed attempt(s)", nodeId, h.webhook.url(), h.failures);
            }
            h.failures = 0;
            h.nextAt = 0;
            return Future.succeededFuture(true);
          }
          String why = ar.succeeded() ? "status " + ar.result().statusCode() : ar.cause().toString();
          h.failures++;
          long delay = backoff(h.failures, config.retryInitialDelay(), config.retryMaxDelay(), ThreadLocalRandom.current().nextDouble());
          h.nextAt = System.currentTimeMillis() + delay;
          metrics.webhookEvents("failed", 1);
          if (h.failures == 1 || Integer.bitCount(h.failures) == 1) { // the 1st, 2nd, 4th, 8th... failure in a row
            LOG.warn("[{}] webhook {} failed ({}), {} event(s) pending here; retry #{} in {} ms", nodeId, h.webhook.url(), why,
                events.size(), h.failures, delay);
          }
          return Future.succeededFuture(false);
        });
  }

  /**
   * The delay before retry {@code failures} (1, 2, ...): {@code initial * 2^(failures-1)}, at most {@code max}, times a
   * jitter factor between 0.5 and 1 ({@code random} in [0, 1)), so nodes retrying the same receiver spread out.
   */
  static long backoff(int failures, long initial, long max, double random) {
    double exp = initial * Math.pow(2, Math.min(30, failures - 1));
    return Math.max(1, Math.round(Math.min(max, exp) * (0.5 + random / 2)));
  }
}
