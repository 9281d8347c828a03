package io.socketpush.edge;

/** What a client session needs of its socket; a SockJS socket in production, a fake in unit tests. */
public interface ClientIo {
  /** Writes one text frame (raw WebSocket text message or SockJS message). */
  void write(String frame);

  boolean writeQueueFull();

  void close(int code, String reason);

  /** Remote address, for logs. */
  String remote();

  /** Remote IP (no port): the key of per-IP limits. */
  default String remoteHost() {
    String r = remote();
    int colon = r.lastIndexOf(':');
    return colon > 0 ? r.substring(0, colon) : r;
  }
}
