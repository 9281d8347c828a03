package io.socketpush.ops;

import io.socketpush.cluster.Addresses;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Times the event-bus requests this Vert.x instance makes to socket-push addresses (service calls through
 * the sharded proxies, deliveries to edge inboxes) from send to reply, without touching the callers: an
 * outbound interceptor notes each request by its reply address, an inbound interceptor finds the reply.
 * Requests that get no reply within the request timeout are counted as {@code outcome="timeout"}.
 *
 * <p>Interceptors belong to the Vert.x instance; with several nodes in one instance (tests only), each
 * node's timings see all of that instance's requests.
 */
final class EventBusTimings {
  private static final String ACTION = "action"; // header of service-proxy calls naming the method
  private static final String OP = "op"; // header of edge-inbox operations

  private record Pending(long startedAt, String service, String op, boolean remote) {
  }

  private final Vertx vertx;
  private final String nodeId;
  private final NodeMetrics metrics;
  private final long timeoutNanos;
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private final Handler<DeliveryContext<Object>> outbound = this::onOutbound;
  private final Handler<DeliveryContext<Object>> inbound = this::onInbound;
  private final long sweeper;

  EventBusTimings(Vertx vertx, String nodeId, NodeMetrics metrics, long requestTimeoutMs) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.metrics = metrics;
    this.timeoutNanos = (requestTimeoutMs + 1_000) * 1_000_000L;
    vertx.eventBus().addOutboundInterceptor(outbound);
    vertx.eventBus().addInboundInterceptor(inbound);
    sweeper = vertx.setPeriodic(Math.max(1_000, requestTimeoutMs), t -> sweep());
  }

  private void onOutbound(DeliveryContext<Object> ctx) {
    try {
      Message<Object> m = ctx.message();
      String address = m.address();
      if (ctx.send() && m.replyAddress() != null && address != null && address.startsWith(Addresses.PREFIX)) {
        String rest = address.substring(Addresses.PREFIX.length());
        int dot = rest.indexOf('.');
        if (dot > 0) {
          String op = m.headers().get(ACTION);
          if (op == null) {
            op = m.headers().get(OP);
          }
          pending.put(m.replyAddress(), new Pending(System.nanoTime(), rest.substring(0, dot), op == null ? "" : op,
              !rest.substring(dot + 1).equals(nodeId)));
        }
      }
    } finally {
      ctx.next();
    }
  }

  private void onInbound(DeliveryContext<Object> ctx) {
    try {
      if (!pending.isEmpty()) {
        Pending p = pending.remove(ctx.message().address());
        if (p != null) {
          String outcome = ctx.body() instanceof ReplyException ? "failure" : "ok";
          metrics.request(p.service(), p.op(), p.remote(), outcome, System.nanoTime() - p.startedAt());
        }
      }
    } finally {
      ctx.next();
    }
  }

  private void sweep() {
    long now = System.nanoTime();
    pending.entrySet().removeIf(e -> {
      Pending p = e.getValue();
      if (now - p.startedAt() > timeoutNanos) {
        metrics.request(p.service(), p.op(), p.remote(), "timeout", now - p.startedAt());
        return true;
      }
      return false;
    });
  }

  void close() {
    vertx.cancelTimer(sweeper);
    vertx.eventBus().removeOutboundInterceptor(outbound);
    vertx.eventBus().removeInboundInterceptor(inbound);
    pending.clear();
  }
}
