package io.socketpush.stream;

/**
 * The position of a message in a stream: its {@code offset} (+1 per accepted publish) within an {@code epoch}
 * (which changes only when the stream's history was lost). Written {@code "<epoch>:<offset>"} by clients.
 */
public record Position(String epoch, long offset) {

  /** Parses {@code "<epoch>:<offset>"}; null when malformed. */
  public static Position parse(Object s) {
    if (!(s instanceof String str)) {
      return null;
    }
    int colon = str.lastIndexOf(':');
    if (colon <= 0 || colon == str.length() - 1 || colon > 64) {
      return null;
    }
    try {
      long off = Long.parseLong(str.substring(colon + 1));
      return off < 0 ? null : new Position(str.substring(0, colon), off);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  @Override
  public String toString() {
    return epoch + ":" + offset;
  }
}
