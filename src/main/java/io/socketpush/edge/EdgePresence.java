package io.socketpush.edge;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/** The answer to an owner's presence query ({@code EdgeOps.PRESENCE}) from this edge's present users. */
final class EdgePresence {
  private EdgePresence() {
  }

  /**
   * This edge's part of a channel's presence: its local users subscribed to the channel (with at least one
   * socket), their socket counts and info (the first socket's that has one). The query's {@code after} and
   * {@code limit} page the items (none without a limit), {@code ids} adds every user id.
   */
  static JsonObject answer(TreeMap<String, Set<ClientSession>> present, JsonObject q) {
    String after = q.getString("after");
    int limit = q.getInteger("limit", 0);
    int sockets = 0;
    for (Set<ClientSession> ss : present.values()) {
      sockets += ss.size();
    }
    JsonArray items = new JsonArray();
    SortedMap<String, Set<ClientSession>> page = after == null || after.isEmpty() ? present : present.tailMap(after + "\0");
    for (Map.Entry<String, Set<ClientSession>> e : page.entrySet()) {
      if (items.size() > limit) {
        break;
      }
      JsonObject info = null;
      for (ClientSession s : e.getValue()) {
        if (s.info() != null) {
          info = s.info();
          break;
        }
      }
      items.add(new JsonObject().put("userId", e.getKey()).put("sockets", e.getValue().size()).put("info", info));
    }
    JsonObject out = new JsonObject().put("users", present.size()).put("sockets", sockets);
    if (limit > 0) {
      out.put("items", items);
    }
    if (q.getBoolean("ids", false)) {
      out.put("ids", new JsonArray(new ArrayList<>(present.keySet())));
    }
    return out;
  }
}
