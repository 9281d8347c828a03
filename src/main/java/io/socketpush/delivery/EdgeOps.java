package io.socketpush.delivery;

import io.socketpush.cluster.Addresses;
import io.socketpush.ops.NodeMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

/**
 * The messages owners send to an edge node's inbox. Deliveries carry the client frame already encoded
 * (once per publish), so the edge writes the same buffer to every local socket without parsing it.
 */
public final class EdgeOps {
  /** Header naming the operation. */
  public static final String OP = "op";
  /** Header naming the user or channel a delivery is for. */
  public static final String KEY = "key";
  /** Header stamping when an owner sent a delivery, for the publish-to-delivery latency metric. */
  public static final String SENT_AT = "sentAt";
  /** Headers carrying a delivery's stream position (the same values as in the client frame's headers). */
  public static final String OFFSET = "offset";
  public static final String EPOCH = "epoch";
  public static final String DELIVER_USER = "user";
  public static final String DELIVER_CHANNEL = "channel";
  public static final String SUBSCRIBED = "sub";
  public static final String UNSUBSCRIBED = "unsub";
  public static final String CLOSE_USER = "close";
  public static final String STATS = "stats";
  /** Asks an edge which channels it has local subscribers of (a new channel owner pulls this). */
  /**
   * Asks an edge who of a channel's subscribers it holds sockets of: body {@code {"channelId", "after", "limit"}},
   * answer {@code {"users": n, "sockets": n, "ids": [...], "items": [{"userId", "sockets", "info"}]}} (items: the
   * first limit + 1 users after {@code after}, sorted by userId; ids: every present user, only when asked with
   * {@code "ids": true}).
   */
  public static final String PRESENCE = "presence";

  private EdgeOps() {
  }

  /** Encodes a {@code rec} frame of the bridge protocol once. */
  public static Buffer recFrame(String address, Object body) {
    return new JsonObject().put("type", "rec").put("address", address).put("body", body).toBuffer();
  }

  /**
   * Encodes a {@code rec} frame of a stream message once, its position in the frame's {@code headers} as
   * {@code "offset"} and {@code "epoch"} (strings).
   */
  public static Buffer recFrame(String address, Object body, io.socketpush.stream.Position position) {
    JsonObject headers = new JsonObject().put(OFFSET, String.valueOf(position.offset())).put(EPOCH, position.epoch());
    return new JsonObject().put("type", "rec").put("address", address).put("headers", headers).put("body", body).toBuffer();
  }

  /** Header of a presence frame on {@code channel.<id>}: {@code join} or {@code leave}. */
  public static final String PRESENCE_HEADER = "presence";

  /**
   * Encodes a join/leave frame of a channel: a {@code rec} frame on {@code channel.<id>} whose {@code headers} carry
   * {@code "presence": "join"|"leave"} and {@code "userId"}, so apps can tell it from messages (which carry offset and
   * epoch instead); the body says the same.
   */
  public static Buffer presenceFrame(String address, String change, String userId) {
    JsonObject headers = new JsonObject().put(PRESENCE_HEADER, change).put("userId", userId);
    return new JsonObject().put("type", "rec").put("address", address).put("headers", headers)
        .put("body", new JsonObject().put(PRESENCE_HEADER, change).put("userId", userId)).toBuffer();
  }

  /** Delivers a pre-encoded frame to an edge; succeeds with the number of sockets written to. */
  public static Future<Integer> deliver(Vertx vertx, String edgeNode, String op, String key, Buffer frame, long timeoutMs) {
    return deliver(vertx, edgeNode, op, key, frame, null, timeoutMs);
  }

  /** Delivers a pre-encoded stream frame (its position also in the message headers); succeeds with the sockets written to. */
  public static Future<Integer> deliver(Vertx vertx, String edgeNode, String op, String key, Buffer frame,
      io.socketpush.stream.Position position, long timeoutMs) {
    LocalInbox in = local(vertx, edgeNode);
    if (in != null) {
      return callLocal(vertx, in, op, key, position == null ? null : position.epoch(), position == null ? -1 : position.offset(),
          NodeMetrics.stamp(), frame);
    }
    DeliveryOptions opts = new DeliveryOptions().addHeader(OP, op).addHeader(KEY, key).setSendTimeout(timeoutMs)
        .addHeader(SENT_AT, NodeMetrics.stamp());
    if (position != null) {
      opts.addHeader(OFFSET, String.valueOf(position.offset())).addHeader(EPOCH, position.epoch());
    }
    // during a membership change the cluster's subscription table can briefly miss a live edge's inbox
    // (NO_HANDLERS): retried a few times before the edge counts as unreachable
    String inbox = Addresses.edgeInbox(edgeNode);
    return Retry.retry(vertx, () -> vertx.eventBus().<Integer>request(inbox, frame, opts).map(m -> m.body()),
        Retry::noHandler, NO_HANDLER_RETRIES, NO_HANDLER_DELAY_MS);
  }

  /** An edge inbox in this JVM that owners on the same Vert.x instance call without the event bus. */
  private record LocalInbox(io.vertx.core.Context context, EdgeInbox node) {
  }

  private static final java.util.Map<Vertx, java.util.Map<String, LocalInbox>> LOCAL =
      java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

  /**
   * Owners on this Vert.x instance deliver to {@code node}'s inbox on its context directly (cluster.localCalls):
   * no buffer copy, reply consumer or timeout timer per delivery. Deliveries and control operations of an owner
   * keep their order (one task queue, as the event bus's), and every one takes the same path while bound.
   */
  public static void bindLocal(Vertx vertx, String nodeId, io.vertx.core.Context context, EdgeInbox node) {
    LOCAL.computeIfAbsent(vertx, v -> new java.util.concurrent.ConcurrentHashMap<>()).put(nodeId, new LocalInbox(context, node));
  }

  /** Deliveries to {@code nodeId} go over the event bus again. */
  public static void unbindLocal(Vertx vertx, String nodeId) {
    java.util.Map<String, LocalInbox> m = LOCAL.get(vertx);
    if (m != null) {
      m.remove(nodeId);
    }
  }

  private static LocalInbox local(Vertx vertx, String nodeId) {
    java.util.Map<String, LocalInbox> m = LOCAL.get(vertx);
    return m == null ? null : m.get(nodeId);
  }

  /** Runs one inbox operation on a local edge's context (see {@link io.socketpush.cluster.LocalServices#call}). */
  @SuppressWarnings("unchecked")
  private static <T> Future<T> callLocal(Vertx vertx, LocalInbox in, String op, String key, String epoch, long offset, String sentAt,
      Object body) {
    return io.socketpush.cluster.LocalServices.call(vertx, in.context(),
        () -> Future.succeededFuture((T) in.node().handle(op, key, epoch, offset, sentAt, body)));
  }

  /** Delivery attempts on "no handler": nothing was delivered, so a retry cannot duplicate. */
  private static final int NO_HANDLER_RETRIES = 3;
  private static final long NO_HANDLER_DELAY_MS = 200;

  /**
   * Delivers one pre-encoded frame to each edge; succeeds with the sockets reached when every edge took it.
   * If an edge did not (timeout, no handler after the retries, failure), the publish is not acknowledged:
   * it fails UNAVAILABLE naming the edges, although other edges' sockets got the message, so that no
   * publish is acknowledged that missed a recipient (at-least-once for a publisher that retries; a retry
   * may reach some sockets twice).
   */
  public static Future<Integer> deliverAll(Vertx vertx, java.util.Collection<String> edges, String op, String key, Buffer frame,
      long timeoutMs) {
    return deliverAll(vertx, edges, op, key, frame, null, timeoutMs);
  }

  /** {@link #deliverAll} of a stream message at {@code position}. */
  public static Future<Integer> deliverAll(Vertx vertx, java.util.Collection<String> edges, String op, String key, Buffer frame,
      io.socketpush.stream.Position position, long timeoutMs) {
    java.util.List<String> targets = java.util.List.copyOf(edges); // the owner's set may change before the answers are in
    java.util.List<Future<Integer>> sends = new java.util.ArrayList<>(targets.size());
    for (String edge : targets) {
      sends.add(deliver(vertx, edge, op, key, frame, position, timeoutMs));
    }
    return Future.join(sends).transform(ar -> {
      int reached = 0;
      int i = 0;
      java.util.List<String> missed = new java.util.ArrayList<>();
      Throwable cause = null;
      for (String edge : targets) {
        Future<Integer> f = sends.get(i++);
        if (f.succeeded()) {
          reached += f.result();
        } else {
          unreachable(edge, op, key, f.cause());
          missed.add(edge);
          cause = f.cause();
        }
      }
      if (!missed.isEmpty()) {
        return io.socketpush.error.Failure.UNAVAILABLE.fail("edge node(s) " + missed + " did not take the message ("
            + io.socketpush.error.Failure.messageOf(cause) + "); it reached " + reached + " socket(s) elsewhere and is not"
            + " acknowledged: a retry may reach some sockets twice");
      }
      return Future.succeededFuture(reached);
    });
  }

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EdgeOps.class);
  private static final java.util.Map<String, Long> LAST_WARNED = new java.util.concurrent.ConcurrentHashMap<>();

  /** Logs a delivery an edge did not take, at most once per edge per second (a dead edge fails every publish). */
  private static void unreachable(String edge, String op, String key, Throwable err) {
    long now = System.currentTimeMillis();
    Long last = LAST_WARNED.get(edge);
    if (last == null || now - last >= 1_000) {
      LAST_WARNED.put(edge, now);
      LOG.warn("{} delivery for {} not taken by edge {} (publish not acknowledged): {}", op, key, edge, err.getMessage());
    }
  }

  /** Sends a control operation ({@code sub}, {@code unsub}, {@code close}) to an edge. */
  public static <T> Future<T> control(Vertx vertx, String edgeNode, String op, JsonObject body, long timeoutMs) {
    LocalInbox in = local(vertx, edgeNode);
    if (in != null) {
      return callLocal(vertx, in, op, null, null, -1, null, body.copy()); // copied, as the event bus would
    }
    DeliveryOptions opts = new DeliveryOptions().addHeader(OP, op).setSendTimeout(timeoutMs);
    return vertx.eventBus().<T>request(Addresses.edgeInbox(edgeNode), body, opts).map(m -> m.body());
  }
}
