package io.socketpush.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** An edge's answer to a presence query: counts, pages of items with info, ids. */
class EdgePresenceTest {
  final TreeMap<String, Set<ClientSession>> present = new TreeMap<>();

  void user(String u, int sockets, JsonObject info) {
    Set<ClientSession> ss = new LinkedHashSet<>();
    for (int i = 0; i < sockets; i++) {
      ClientSession s = FakeIo.session();
      if (i == sockets - 1) {
        s.info(info); // only the last socket has info: the first that has one is shown
      }
      ss.add(s);
    }
    present.put(u, ss);
  }

  @Test
  void countsWithoutALimitHaveNoItems() {
    user("a", 2, null);
    user("b", 1, null);
    JsonObject out = EdgePresence.answer(present, new JsonObject());
    assertEquals(2, out.getInteger("users"));
    assertEquals(3, out.getInteger("sockets"));
    assertFalse(out.containsKey("items"));
    assertFalse(out.containsKey("ids"));
  }

  @Test
  void pagesStartAfterTheCursorAndCarryTheFirstInfo() {
    user("a", 1, null);
    user("b", 3, new JsonObject().put("name", "B"));
    user("c", 1, null);
    user("d", 1, null);
    JsonObject out = EdgePresence.answer(present, new JsonObject().put("limit", 1).put("after", "a"));
    // one more item than the limit: the caller sees whether a next page exists
    JsonArray items = out.getJsonArray("items");
    assertEquals(2, items.size());
    assertEquals(new JsonObject().put("userId", "b").put("sockets", 3).put("info", new JsonObject().put("name", "B")),
        items.getJsonObject(0));
    assertEquals("c", items.getJsonObject(1).getString("userId"));
    assertNull(items.getJsonObject(1).getValue("info"));
    assertEquals(4, out.getInteger("users"));
  }

  @Test
  void idsListEveryPresentUserInOrder() {
    user("b", 1, null);
    user("a", 1, null);
    JsonObject out = EdgePresence.answer(present, new JsonObject().put("ids", true));
    assertEquals(new JsonArray().add("a").add("b"), out.getJsonArray("ids"));
  }
}
