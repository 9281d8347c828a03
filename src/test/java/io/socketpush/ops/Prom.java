package io.socketpush.ops;

import java.util.Arrays;

/** Reads values out of a Prometheus text exposition, for tests. */
final class Prom {
  private Prom() {
  }

  /** Sum of the samples of {@code name} whose labels contain every fragment (e.g. {@code kind="user"}); -1 if none. */
  static double value(String text, String name, String... labelFragments) {
    double sum = 0;
    boolean found = false;
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
        continue;
      }
      if (Arrays.stream(labelFragments).allMatch(line::contains)) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        found = true;
      }
    }
    return found ? sum : -1;
  }

  /** Whether any sample name starts with {@code prefix}. */
  static boolean has(String text, String prefix) {
    return Arrays.stream(text.split("\n")).anyMatch(l -> l.startsWith(prefix));
  }
}
