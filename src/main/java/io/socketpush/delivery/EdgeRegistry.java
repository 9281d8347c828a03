package io.socketpush.delivery;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The one key -> edges registry of the delivery plane: which edge nodes hold sockets of a user (presence) or
 * local subscribers of a channel (interest). Soft state on the key's owner, rebuilt from the edges' attach/detach
 * calls and announcements and purged on ring changes. No key maps to an empty set. Not thread-safe: confined to
 * the owner verticle's event loop. The owner keeps its own reactions (offline timers, events) to what these
 * methods answer.
 */
public final class EdgeRegistry {
  private final Map<String, Set<String>> edges;

  private EdgeRegistry(Map<String, Set<String>> edges) {
    this.edges = edges;
  }

  /** A registry whose keys can be paged in order ({@link #keysAfter}). */
  public static EdgeRegistry sorted() {
    return new EdgeRegistry(new TreeMap<>());
  }

  /** A registry without key order (the cheapest lookups). */
  public static EdgeRegistry unordered() {
    return new EdgeRegistry(new HashMap<>());
  }

  /** Edge {@code edge} holds {@code key}; true when the key had no edge before. */
  public boolean add(String key, String edge) {
    Set<String> set = edges.get(key);
    boolean first = set == null;
    if (first) {
      set = new HashSet<>();
      edges.put(key, set);
    }
    set.add(edge);
    return first;
  }

  /** Edge {@code edge} no longer holds {@code key}; true when that was the key's last edge (the key is gone). */
  public boolean remove(String key, String edge) {
    Set<String> set = edges.get(key);
    if (set != null && set.remove(edge) && set.isEmpty()) {
      edges.remove(key);
      return true;
    }
    return false;
  }

  /**
   * Edge {@code edge}'s complete list: it holds every listed key (kept even for keys this owner does not own yet:
   * during a ring change the edge's ring may be ahead of the owner's; {@link #purge} drops them once the owner's
   * ring caught up) and no other. Answers the keys whose last edge that was (they are gone), in no order.
   */
  public List<String> announce(String edge, Collection<String> listed) {
    Set<String> keys = listed instanceof Set<String> s ? s : new HashSet<>(listed);
    for (String k : keys) {
      add(k, edge);
    }
    List<String> emptied = new ArrayList<>();
    for (String k : new ArrayList<>(edges.keySet())) {
      if (!keys.contains(k) && remove(k, edge)) {
        emptied.add(k);
      }
    }
    return emptied;
  }

  /**
   * After a ring change: drops the edges not in {@code live} and the keys not {@code owned} (their new owner
   * learns them from the edges' re-announcements). Answers the owned keys that lost their last edge (they are
   * gone too).
   */
  public List<String> purge(Set<String> live, Predicate<String> owned) {
    List<String> emptied = new ArrayList<>();
    for (String k : new ArrayList<>(edges.keySet())) {
      Set<String> set = edges.get(k);
      set.removeIf(e -> !live.contains(e));
      if (!owned.test(k)) {
        edges.remove(k);
      } else if (set.isEmpty()) {
        edges.remove(k);
        emptied.add(k);
      }
    }
    return emptied;
  }

  /** The edges holding {@code key}: a read-only view, empty when none. */
  public Set<String> edgesOf(String key) {
    Set<String> set = edges.get(key);
    return set == null ? Set.of() : Collections.unmodifiableSet(set);
  }

  /** Whether any edge holds {@code key}. */
  public boolean has(String key) {
    return edges.containsKey(key);
  }

  /** Number of keys held by at least one edge. */
  public int size() {
    return edges.size();
  }

  /** The keys after {@code cursor} (all keys when it is null or empty), in order; only for a {@link #sorted} registry. */
  public Collection<String> keysAfter(String cursor) {
    if (!(edges instanceof NavigableMap<String, Set<String>> m)) {
      throw new IllegalStateException("keysAfter needs a sorted registry");
    }
    return cursor == null || cursor.isEmpty() ? m.keySet() : m.tailMap(cursor, false).keySet();
  }
}
