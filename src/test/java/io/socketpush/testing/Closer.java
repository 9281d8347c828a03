package io.socketpush.testing;

/** Closes what a test started, in order: every one is closed even when an earlier one failed. */
public final class Closer {
  private Closer() {
  }

  /** Closes each non-null resource in order; throws the first failure (later ones added as suppressed). */
  public static void all(AutoCloseable... resources) throws Exception {
    Exception first = null;
    for (AutoCloseable r : resources) {
      if (r == null) {
        continue;
      }
      try {
        r.close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
