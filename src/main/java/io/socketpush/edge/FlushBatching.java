package io.socketpush.edge;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.HttpServerConnection;

/**
 * Several frames per flush for a raw WebSocket that is sent several in one turn of its event loop, with no delay for a
 * lone frame: Netty's {@link FlushConsolidationHandler} at the head of the connection's pipeline. A write outside a
 * read of that socket (every delivery: it comes from a publish, not from the socket) asks for a flush; the handler
 * runs that flush as a task on the socket's event loop, after the tasks already queued there, and a socket that got
 * more frames meanwhile sends them with one system call. An idle loop runs the task at once, so a lone frame waits for
 * no timer; a busy one (deliveries of many publishes queued) pays one {@code write(2)} per socket per turn instead of
 * one per frame. Every {@value #MAX_FRAMES_PER_FLUSH}th pending flush goes out at once.
 *
 * <p>Vert.x has no public way to defer a WebSocket's flush: the handler is added through the upgrade request's
 * connection, {@code io.vertx.core.http.impl.HttpServerConnection} (an implementation interface of Vert.x 5;
 * {@code RawWebSocketTest} fails if a Vert.x upgrade changes it), before the upgrade, so the upgrade's own pipeline
 * changes keep it in front.
 */
final class FlushBatching {
  static final String HANDLER = "socketpush-flush-batching";
  /** Flushes a socket may have pending before one goes out at once (Netty's default). */
  static final int MAX_FRAMES_PER_FLUSH = FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES;

  private FlushBatching() {
  }

  /** The Netty pipeline of {@code req}'s connection, which its WebSocket keeps after the upgrade; null if unknown. */
  static ChannelPipeline pipelineOf(HttpServerRequest req) {
    return req.connection() instanceof HttpServerConnection c ? c.channelHandlerContext().pipeline() : null;
  }

  static void install(ChannelPipeline pipeline) {
    if (pipeline.get(HANDLER) == null) {
      pipeline.addFirst(HANDLER, new FlushConsolidationHandler(MAX_FRAMES_PER_FLUSH, true));
    }
  }

  /** Whether {@code pipeline} batches its flushes. */
  static boolean installed(ChannelPipeline pipeline) {
    return pipeline.get(HANDLER) != null;
  }
}
