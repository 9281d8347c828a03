package io.socketpush.message;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One page of a list: at most the requested number of items, and the cursor to pass for the next page
 * ({@code null} when this was the last). A page may hold fewer items than asked for and still have a next
 * cursor: keep going until {@code nextCursor} is null. JSON: {@code {"items": [...], "nextCursor": ...}}.
 */
@DataObject
public final class Page {
  private final List<String> items;
  private final String nextCursor;

  public Page(List<String> items, String nextCursor) {
    this.items = List.copyOf(items);
    this.nextCursor = nextCursor;
  }

  /** Data-object constructor: reads {@code {"items": [...], "nextCursor": ...}}. */
  public Page(JsonObject json) {
    List<String> in = new ArrayList<>();
    JsonArray a = json == null ? null : json.getJsonArray("items");
    if (a != null) {
      a.forEach(o -> in.add((String) o));
    }
    this.items = List.copyOf(in);
    this.nextCursor = json == null ? null : json.getString("nextCursor");
  }

  /** The items of this page. */
  public List<String> items() {
    return items;
  }

  /** The cursor of the next page; null when there is none. */
  public String nextCursor() {
    return nextCursor;
  }

  public JsonObject toJson() {
    return new JsonObject().put("items", new JsonArray(new ArrayList<>(items))).put("nextCursor", nextCursor);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Page p && p.items.equals(items) && Objects.equals(p.nextCursor, nextCursor);
  }

  @Override
  public int hashCode() {
    return Objects.hash(items, nextCursor);
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
