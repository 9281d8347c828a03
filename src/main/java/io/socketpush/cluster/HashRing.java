package io.socketpush.cluster;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An immutable consistent-hashing ring of node ids with virtual nodes. Pure Java: it knows nothing of
 * Vert.x, so it can be tested and reasoned about alone. A new membership gives a new ring with a higher
 * version.
 */
public final class HashRing {
  /** Default number of virtual nodes per member. */
  public static final int DEFAULT_VIRTUAL_NODES = 128;

  private final long version;
  private final int virtualNodes;
  private final SortedSet<String> members;
  private final long[] points;
  private final String[] owners;

  private HashRing(long version, int virtualNodes, Collection<String> members) {
    if (virtualNodes < 1) {
      throw new IllegalArgumentException("virtualNodes must be >= 1");
    }
    this.version = version;
    this.virtualNodes = virtualNodes;
    this.members = Collections.unmodifiableSortedSet(new TreeSet<>(members));
    TreeMap<Long, String> ring = new TreeMap<>();
    for (String m : this.members) {
      for (int i = 0; i < virtualNodes; i++) {
        long h = hash(m + "#" + i);
        // on the (astronomically rare) collision the smaller node id wins, so every node builds the same ring
        ring.merge(h, m, (a, b) -> a.compareTo(b) <= 0 ? a : b);
      }
    }
    points = new long[ring.size()];
    owners = new String[ring.size()];
    int i = 0;
    for (Map.Entry<Long, String> e : ring.entrySet()) {
      points[i] = e.getKey();
      owners[i] = e.getValue();
      i++;
    }
  }

  /** An empty ring. */
  public static HashRing empty() {
    return new HashRing(0, DEFAULT_VIRTUAL_NODES, List.of());
  }

  /** A ring of the given members. */
  public static HashRing of(long version, int virtualNodes, Collection<String> members) {
    return new HashRing(version, virtualNodes, members);
  }

  /** A ring with these members and version + 1, or this ring if the members are unchanged. */
  public HashRing withMembers(Collection<String> newMembers) {
    if (members.equals(new TreeSet<>(newMembers))) {
      return this;
    }
    return new HashRing(version + 1, virtualNodes, newMembers);
  }

  public long version() {
    return version;
  }

  public SortedSet<String> members() {
    return members;
  }

  public boolean isEmpty() {
    return members.isEmpty();
  }

  /** The member owning {@code key}, empty when the ring has no members. */
  public Optional<String> owner(String key) {
    if (points.length == 0) {
      return Optional.empty();
    }
    long h = hash(key);
    int idx = java.util.Arrays.binarySearch(points, h);
    if (idx < 0) {
      idx = -idx - 1;
    }
    if (idx == points.length) {
      idx = 0;
    }
    return Optional.of(owners[idx]);
  }

  /** Whether {@code node} owns {@code key} in this ring. */
  public boolean owns(String node, String key) {
    return owner(key).map(node::equals).orElse(false);
  }

  /** Share of the hash space (0..1) owned by each member. */
  public Map<String, Double> shares() {
    Map<String, Double> out = new HashMap<>();
    if (points.length == 0) {
      return out;
    }
    for (int i = 0; i < points.length; i++) {
      // point i owns the arc (points[i-1], points[i]]
      long prev = i == 0 ? points[points.length - 1] : points[i - 1];
      double arc = points.length == 1 ? 1.0 : unsignedToDouble(points[i] - prev) / Math.pow(2, 64);
      out.merge(owners[i], arc, Double::sum);
    }
    return out;
  }

  private static double unsignedToDouble(long v) {
    double d = (double) (v >>> 1) * 2.0;
    return d + (v & 1);
  }

  /** 64-bit FNV-1a over UTF-8 followed by the murmur3 finalizer for a good spread. */
  public static long hash(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb1a9fe1a85ecL;
    h ^= h >>> 33;
    return h;
  }

  @Override
  public String toString() {
    return "HashRing{v" + version + ", " + members + "}";
  }
}
