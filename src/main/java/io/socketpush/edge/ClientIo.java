package io.socketpush.edge;

import io.vertx.core.buffer.Buffer;

/** What a client session needs of its socket; a SockJS socket in production, a fake in unit tests. */
public interface ClientIo {
  void write(Buffer frame);

  boolean writeQueueFull();

  void close(int code, String reason);

  /** Remote address, for logs. */
  String remote();
}
