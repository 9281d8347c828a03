package io.socketpush.edge;

import io.vertx.core.Future;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

/**
 * A SockJS socket as the edge's sessions see it ({@link ClientIo}): counts frames in and out and the bytes queued
 * for the node-wide outbound budget. Runs on the edge verticle's event loop.
 */
final class SockJsIo implements ClientIo {
  private final SockJSSocket sock;
  private final EdgeNode node;
  private ClientSession session;

  private SockJsIo(SockJSSocket sock, EdgeNode node) {
    this.sock = sock;
    this.node = node;
  }

  /** Opens a session on a new socket and wires the socket's frames, end and errors to it. */
  static ClientSession bind(EdgeNode node, SockJSSocket sock, int maxWriteQueueSize) {
    sock.setWriteQueueMaxSize(maxWriteQueueSize);
    SockJsIo io = new SockJsIo(sock, node);
    ClientSession session = node.open(io);
    io.session = session;
    sock.handler(frame -> {
      node.metrics().frameIn();
      session.onFrame(frame);
    });
    sock.endHandler(v -> node.closed(session));
    sock.exceptionHandler(err -> node.closed(session));
    return session;
  }

  @Override
  public void write(String frame) {
    node.metrics().frameOut();
    Future<Void> written = sock.write(frame);
    if (session != null) {
      node.queued(session, frame.length(), written); // the node-wide outbound budget
    }
  }

  @Override
  public boolean writeQueueFull() {
    return sock.writeQueueFull();
  }

  @Override
  public void close(int code, String reason) {
    sock.close(code, reason);
  }

  @Override
  public String remote() {
    return String.valueOf(sock.remoteAddress());
  }

  @Override
  public String remoteHost() {
    return sock.remoteAddress() == null ? "?" : sock.remoteAddress().host();
  }
}
