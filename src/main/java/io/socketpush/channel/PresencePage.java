package io.socketpush.channel;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Merges the edges' answers to a presence query (see {@code EdgeOps.PRESENCE}) into one page or one count. A
 * user with sockets on several edges is one item (its sockets summed) and counts once.
 */
final class PresencePage {
  private PresencePage() {
  }

  /**
   * One page of at most {@code limit} users. Each edge answered its first {@code limit + 1} users after the
   * cursor, sorted; so the first {@code limit + 1} distinct users of the union are exactly the cluster's, and a
   * next page exists when there are more than {@code limit}.
   */
  static JsonObject merge(List<JsonObject> answers, int limit) {
    TreeMap<String, JsonObject> users = new TreeMap<>();
    for (JsonObject a : answers) {
      JsonArray items = a.getJsonArray("items", new JsonArray());
      for (int i = 0; i < items.size(); i++) {
        JsonObject it = items.getJsonObject(i);
        JsonObject known = users.get(it.getString("userId"));
        if (known == null) {
          users.put(it.getString("userId"), it.copy());
        } else {
          known.put("sockets", known.getInteger("sockets") + it.getInteger("sockets"));
          if (known.getValue("info") == null) {
            known.put("info", it.getValue("info"));
          }
        }
      }
    }
    JsonArray page = new JsonArray();
    String next = null;
    for (Map.Entry<String, JsonObject> e : users.entrySet()) {
      if (page.size() == limit) {
        next = page.getJsonObject(limit - 1).getString("userId");
        break;
      }
      page.add(e.getValue());
    }
    return new JsonObject().put("items", page).put("nextCursor", next);
  }

  /** Users (distinct across edges) and sockets. */
  static JsonObject stats(List<JsonObject> answers) {
    Set<String> users = new HashSet<>();
    long sockets = 0;
    for (JsonObject a : answers) {
      a.getJsonArray("ids", new JsonArray()).forEach(u -> users.add((String) u));
      sockets += a.getLong("sockets", 0L);
    }
    return new JsonObject().put("users", users.size()).put("sockets", sockets);
  }
}
