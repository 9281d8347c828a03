package io.socketpush.edge;

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
  public static final String DELIVER_USER = "user";
  public static final String DELIVER_CHANNEL = "channel";
  public static final String SUBSCRIBED = "sub";
  public static final String UNSUBSCRIBED = "unsub";
  public static final String CLOSE_USER = "close";
  public static final String STATS = "stats";
  /** Asks an edge which channels it has local subscribers of (a new channel owner pulls this). */
  public static final String CHANNELS = "channels";

  private EdgeOps() {
  }

  /** Encodes a {@code rec} frame of the bridge protocol once. */
  public static Buffer recFrame(String address, Object body) {
    return new JsonObject().put("type", "rec").put("address", address).put("body", body).toBuffer();
  }

  /** Delivers a pre-encoded frame to an edge; succeeds with the number of sockets written to. */
  public static Future<Integer> deliver(Vertx vertx, String edgeNode, String op, String key, Buffer frame, long timeoutMs) {
    DeliveryOptions opts = new DeliveryOptions().addHeader(OP, op).addHeader(KEY, key).setSendTimeout(timeoutMs)
        .addHeader(SENT_AT, NodeMetrics.stamp());
    return vertx.eventBus().<Integer>request(Addresses.edgeInbox(edgeNode), frame, opts).map(m -> m.body());
  }

  /** Delivers one pre-encoded frame to each edge; succeeds with the sockets reached (unreachable edges count 0). */
  public static Future<Integer> deliverAll(Vertx vertx, java.util.Collection<String> edges, String op, String key, Buffer frame,
      long timeoutMs) {
    java.util.List<Future<Integer>> sends = new java.util.ArrayList<>(edges.size());
    for (String edge : edges) {
      sends.add(deliver(vertx, edge, op, key, frame, timeoutMs));
    }
    return Future.join(sends).transform(ar -> {
      int reached = 0;
      for (Future<Integer> f : sends) {
        reached += f.succeeded() ? f.result() : 0;
      }
      return Future.succeededFuture(reached);
    });
  }

  /** Sends a control operation ({@code sub}, {@code unsub}, {@code close}) to an edge. */
  public static <T> Future<T> control(Vertx vertx, String edgeNode, String op, JsonObject body, long timeoutMs) {
    DeliveryOptions opts = new DeliveryOptions().addHeader(OP, op).setSendTimeout(timeoutMs);
    return vertx.eventBus().<T>request(Addresses.edgeInbox(edgeNode), body, opts).map(m -> m.body());
  }
}
