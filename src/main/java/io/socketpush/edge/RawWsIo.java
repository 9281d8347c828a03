package io.socketpush.edge;

import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;

/**
 * The raw WebSocket endpoint ({@code GET /eventbus/websocket} with an upgrade) without SockJS's wrapper, speaking
 * exactly what SockJS's raw transport speaks: one text message per frame each way, a binary message read as a frame
 * too, the close code and reason as given. The WebSocket is taken from the request and nothing of the socket keeps the
 * {@link RoutingContext} (SockJS's socket does: ~0.5 KiB per socket with the router's wrappers and iterators). Vert.x
 * itself keeps the upgrade request and its HTTP/1 connection for the socket's life (the WebSocket's channel handler
 * holds the factory that made it); strict thread mode ({@link EdgeServer#http}) spares that connection its outbound
 * queue, and {@link StrictWebSocket} the WebSocket's own connection; {@link FlushBatching} sends the frames a socket
 * gets in one turn of the loop with one flush. The routes before this one (path check, origin check) apply as before; a GET without an upgrade goes on to
 * SockJS, which answers it as it always did. Runs on the edge verticle's event loop.
 */
final class RawWsIo extends TransportIo<ServerWebSocket> {
  private boolean closed;
  /** Whether the socket's flushes are batched ({@link FlushBatching}). */
  private final boolean batched;
  /**
   * The socket's event loop when it writes without Vert.x's outbound queue ({@link StrictWebSocket}), else null: a
   * write from another thread is then handed to that loop here, as Vert.x's queue would have done.
   */
  private final EventLoop strictLoop;

  private RawWsIo(ServerWebSocket ws, EdgeNode node, boolean batched, EventLoop strictLoop) {
    super(ws, node);
    this.batched = batched;
    this.strictLoop = strictLoop;
  }

  /** The route's handler: upgrades the request and opens a session on the WebSocket. */
  static void accept(EdgeNode node, int maxWriteQueueSize, RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    if (!req.canUpgradeToWebSocket()) {
      ctx.next(); // SockJS's raw transport answers it (400 "Can "Upgrade" only to "WebSocket".")
      return;
    }
    ChannelPipeline pipeline = FlushBatching.pipelineOf(req);
    if (pipeline != null) {
      FlushBatching.install(pipeline); // before the upgrade: its pipeline changes keep the handler first
    }
    // as SockJS does: a failed upgrade fails the route (a completed future lets go of this listener, and so of ctx)
    req.toWebSocket().onComplete(ar -> {
      if (ar.succeeded()) {
        boolean strict = pipeline != null && StrictWebSocket.apply(pipeline); // before anything is written to it
        bind(node, ar.result(), maxWriteQueueSize, pipeline != null, strict ? pipeline.channel().eventLoop() : null);
      } else {
        ctx.fail(ar.cause());
      }
    });
  }

  /** Opens a session on a new WebSocket and wires its messages, end and errors to it. */
  static ClientSession bind(EdgeNode node, ServerWebSocket ws, int maxWriteQueueSize, boolean batched, EventLoop strictLoop) {
    return bind(new RawWsIo(ws, node, batched, strictLoop), maxWriteQueueSize, ws, io -> {
      ws.textMessageHandler(text -> io.frame(Buffer.buffer(text)));
      ws.binaryMessageHandler(io::frame); // a binary message is a frame too, as SockJS's raw transport read it
    });
  }

  boolean batched() {
    return batched;
  }

  boolean strict() {
    return strictLoop != null;
  }

  @Override
  Future<Void> send(String frame) {
    if (strictLoop != null && !strictLoop.inEventLoop()) {
      Promise<Void> written = Promise.promise();
      strictLoop.execute(() -> socket.writeTextMessage(frame).onComplete(written));
      return written.future();
    }
    return socket.writeTextMessage(frame);
  }

  @Override
  public void close(int code, String reason) {
    if (closed) {
      return;
    }
    closed = true;
    socket.close((short) code, reason);
  }

  @Override
  SocketAddress remoteAddress() {
    return socket.remoteAddress();
  }
}
