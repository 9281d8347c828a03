package io.socketpush.edge;

import java.util.ArrayList;
import java.util.List;

/** A transport that records what a session writes, for unit tests of the edge's parts. */
final class FakeIo implements ClientIo {
  final List<String> written = new ArrayList<>();
  int closeCode = -1;

  /** A session on a fake transport, outside any node (for parts that only read and write sockets). */
  static ClientSession session() {
    return new ClientSession(new FakeIo(), null);
  }

  /** What was written to a session made by {@link #session()}. */
  static List<String> written(ClientSession s) {
    return ((FakeIo) s.io()).written;
  }

  @Override
  public void write(String frame) {
    written.add(frame);
  }

  @Override
  public boolean writeQueueFull() {
    return false;
  }

  @Override
  public void close(int code, String reason) {
    closeCode = code;
  }

  @Override
  public String remote() {
    return "fake:1";
  }
}
