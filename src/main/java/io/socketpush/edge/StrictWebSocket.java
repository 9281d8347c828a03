package io.socketpush.edge;

import io.netty.channel.ChannelPipeline;
import io.vertx.core.net.impl.VertxConnection;
import io.vertx.core.net.impl.VertxHandler;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Vert.x's strict thread mode for a raw WebSocket's own connection. Vert.x 5.0.7 applies
 * {@code HttpServerOptions.setStrictThreadMode} to HTTP/1 connections only: every upgraded WebSocket still gets an
 * outbound message queue for writes from other threads, a jctools queue with a 1,025-slot first chunk, 4.8 KiB per
 * socket, 40% of an idle socket's heap (bench/FINDINGS.md). The edge writes to its sockets from its own event loop
 * only ({@link EdgeNode} fails any call from elsewhere), the same promise strict mode asks of the HTTP/1 connection, so
 * the WebSocket's connection gets the direct queue strict mode gives: a write goes straight to Netty, whose buffer
 * {@code writeQueueFull} (Netty's water marks, set by {@code setWriteQueueMaxSize}) bounds as before.
 *
 * <p>Vert.x has no option for it, so the queue is swapped by reflection, right after the upgrade and before the first
 * write, on the socket's event loop. If a Vert.x version changes those internals, the socket keeps Vert.x's queue
 * (correct, only larger) and a warning is logged once; {@code RawWebSocketTest} fails on such a version.
 */
final class StrictWebSocket {
  private static final Logger LOG = LoggerFactory.getLogger(StrictWebSocket.class);
  private static final Field QUEUE;
  private static final Constructor<?> DIRECT;
  private static final String UNAVAILABLE;
  private static volatile boolean warned;

  static {
    Field queue = null;
    Constructor<?> direct = null;
    String why = null;
    try {
      queue = VertxConnection.class.getDeclaredField("outboundMessageQueue");
      queue.setAccessible(true);
      direct = Class.forName(VertxConnection.class.getName() + "$DirectOutboundMessageQueue")
          .getDeclaredConstructor(VertxConnection.class);
      direct.setAccessible(true);
    } catch (ReflectiveOperationException | RuntimeException e) {
      why = e.toString();
      queue = null;
      direct = null;
    }
    QUEUE = queue;
    DIRECT = direct;
    UNAVAILABLE = why;
  }

  private StrictWebSocket() {
  }

  /**
   * Gives the WebSocket connection of {@code pipeline} (just upgraded, nothing written yet) the direct outbound queue;
   * false when the pipeline holds no Vert.x WebSocket connection or this Vert.x has other internals (warned once).
   * Must run on the socket's event loop.
   */
  static boolean apply(ChannelPipeline pipeline) {
    VertxConnection conn = pipeline.get(VertxHandler.class) instanceof VertxHandler<?> h ? h.getConnection() : null;
    if (conn == null || !conn.getClass().getSimpleName().equals("WebSocketConnectionImpl")) {
      warn("no Vert.x WebSocket connection in the pipeline " + pipeline.names());
      return false;
    }
    if (QUEUE == null) {
      warn(UNAVAILABLE);
      return false;
    }
    try {
      QUEUE.set(conn, DIRECT.newInstance(conn));
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      warn(e.toString());
      return false;
    }
  }

  private static void warn(String why) {
    if (!warned) {
      warned = true;
      LOG.warn("raw WebSockets keep Vert.x's outbound queue (~4.8 KiB each): strict mode cannot be applied: {}", why);
    }
  }
}
