package io.socketpush.edge;

import io.socketpush.error.Failure;
import io.socketpush.ops.NodeMetrics;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge's counters (deliveries, client errors, slow consumers) and their logs: a client error is logged once per
 * kind per {@link #ERROR_LOG_INTERVAL_MS}, however many clients make it.
 */
final class EdgeStats {
  private static final Logger LOG = LoggerFactory.getLogger(EdgeNode.class);
  static final long ERROR_LOG_INTERVAL_MS = 10_000;

  private final String nodeId;
  private final NodeMetrics metrics;
  private final AtomicLong clientErrors = new AtomicLong();
  private final AtomicLong slowConsumers = new AtomicLong();
  private final AtomicLong delivered = new AtomicLong();
  private final Map<Failure, Long> lastErrorLog = new HashMap<>();

  EdgeStats(String nodeId, NodeMetrics metrics) {
    this.nodeId = nodeId;
    this.metrics = metrics;
  }

  /** Counts a client error; true when it was logged (the first of its kind in the interval). */
  boolean clientError(ClientSession s, Failure f, String message, long now) {
    clientErrors.incrementAndGet();
    metrics.clientError(f);
    Long last = lastErrorLog.get(f);
    if (last == null || now - last > ERROR_LOG_INTERVAL_MS) { // one line per kind per 10 s
      lastErrorLog.put(f, now);
      LOG.info("[{}] client error {} from {}: {}", nodeId, f, s, message);
      return true;
    }
    return false;
  }

  void slowConsumer(ClientSession s) {
    slowConsumers.incrementAndGet();
    metrics.slowConsumerClosed();
    LOG.info("[{}] {} is a slow consumer (write queue full): closed", nodeId, s);
  }

  /** Counts {@code n} frames written by a delivery; n. */
  int delivered(int n) {
    delivered.addAndGet(n);
    return n;
  }

  /** The counters, as {@link EdgeNode#stats} shows them after the socket and mirror counts. */
  JsonObject toJson() {
    return new JsonObject().put("delivered", delivered.get()).put("clientErrors", clientErrors.get())
        .put("slowConsumerCloses", slowConsumers.get());
  }
}
