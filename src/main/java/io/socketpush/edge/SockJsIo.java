package io.socketpush.edge;

import io.vertx.core.Future;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

/** A SockJS socket as the edge's sessions see it ({@link TransportIo}). Runs on the edge verticle's event loop. */
final class SockJsIo extends TransportIo<SockJSSocket> {
  private SockJsIo(SockJSSocket sock, EdgeNode node) {
    super(sock, node);
  }

  /** Opens a session on a new socket and wires the socket's frames, end and errors to it. */
  static ClientSession bind(EdgeNode node, SockJSSocket sock, int maxWriteQueueSize) {
    return bind(new SockJsIo(sock, node), maxWriteQueueSize, sock, io -> sock.handler(io::frame));
  }

  @Override
  Future<Void> send(String frame) {
    return socket.write(frame);
  }

  @Override
  public void close(int code, String reason) {
    socket.close(code, reason);
  }

  @Override
  SocketAddress remoteAddress() {
    return socket.remoteAddress();
  }
}
