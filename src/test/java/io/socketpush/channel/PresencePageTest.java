package io.socketpush.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Merging the edges' presence answers: one item per user across edges, sorted, paged exactly. */
class PresencePageTest {
  static JsonObject item(String u, int sockets, JsonObject info) {
    return new JsonObject().put("userId", u).put("sockets", sockets).put("info", info);
  }

  @Test
  void aUserOnTwoEdgesIsOneItemWithItsSocketsSummedAndTheFirstInfo() {
    JsonObject info = new JsonObject().put("name", "Ann");
    JsonObject e1 = new JsonObject().put("items", new JsonArray().add(item("a", 1, null)).add(item("c", 2, null)));
    JsonObject e2 = new JsonObject().put("items", new JsonArray().add(item("a", 2, info)).add(item("b", 1, null)));
    JsonObject page = PresencePage.merge(List.of(e1, e2), 10);
    assertEquals(new JsonArray().add(item("a", 3, info)).add(item("b", 1, null)).add(item("c", 2, null)), page.getJsonArray("items"));
    assertEquals(null, page.getString("nextCursor"));
  }

  @Test
  void aPageHasANextCursorOnlyWhenMoreUsersFollow() {
    // each edge answers its first limit + 1 users after the cursor
    JsonObject e1 = new JsonObject().put("items", new JsonArray().add(item("a", 1, null)).add(item("c", 1, null)).add(item("e", 1, null)));
    JsonObject e2 = new JsonObject().put("items", new JsonArray().add(item("b", 1, null)).add(item("c", 1, null)));
    JsonObject page = PresencePage.merge(List.of(e1, e2), 2);
    assertEquals(new JsonArray().add(item("a", 1, null)).add(item("b", 1, null)), page.getJsonArray("items"));
    assertEquals("b", page.getString("nextCursor"));
    JsonObject exact = PresencePage.merge(List.of(new JsonObject().put("items", new JsonArray().add(item("a", 1, null)).add(item("b", 1, null)))), 2);
    assertEquals(null, exact.getString("nextCursor"), "exactly limit users: no next page");
  }

  @Test
  void statsCountAUserOnSeveralEdgesOnce() {
    JsonObject e1 = new JsonObject().put("users", 2).put("sockets", 3).put("ids", new JsonArray().add("a").add("b"));
    JsonObject e2 = new JsonObject().put("users", 2).put("sockets", 2).put("ids", new JsonArray().add("b").add("c"));
    assertEquals(new JsonObject().put("users", 3).put("sockets", 5L), PresencePage.stats(List.of(e1, e2)));
    assertEquals(new JsonObject().put("users", 0).put("sockets", 0L), PresencePage.stats(List.of()));
  }
}
