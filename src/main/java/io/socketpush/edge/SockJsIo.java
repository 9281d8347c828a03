package io.socketpush.edge;

import io.vertx.core.Future;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

/** A SockJS socket as the edge's sessions see it ({@link TransportIo}). Runs on the edge verticle's event loop. */
final class SockJsIo extends TransportIo {
  private final SockJSSocket sock;

  private SockJsIo(SockJSSocket sock, EdgeNode node) {
    super(node);
    this.sock = sock;
  }

  /** Opens a session on a new socket and wires the socket's frames, end and errors to it. */
  static ClientSession bind(EdgeNode node, SockJSSocket sock, int maxWriteQueueSize) {
    sock.setWriteQueueMaxSize(maxWriteQueueSize);
    SockJsIo io = new SockJsIo(sock, node);
    ClientSession session = io.open();
    sock.handler(io::frame);
    sock.endHandler(io::ended);
    sock.exceptionHandler(io::ended);
    return session;
  }

  @Override
  Future<Void> send(String frame) {
    return sock.write(frame);
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
  SocketAddress remoteAddress() {
    return sock.remoteAddress();
  }
}
