package io.socketpush.message;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * A message pushed to browsers: any JSON value (object, array, string, number, boolean or null).
 * Service proxies cannot carry a bare {@code Object}, so the value travels as {@code {"value": ...}}.
 */
@DataObject
public final class PushMessage {
  private final Object value;

  /** Wraps a JSON value; {@link JsonObject}, {@link JsonArray}, String, Number, Boolean or null. */
  public static PushMessage of(Object value) {
    return new PushMessage(new JsonObject().put("value", value));
  }

  /** Data-object constructor: reads {@code {"value": ...}}. */
  public PushMessage(JsonObject json) {
    Object v = json == null ? null : json.getValue("value");
    if (v != null && !(v instanceof JsonObject || v instanceof JsonArray || v instanceof String
        || v instanceof Number || v instanceof Boolean)) {
      throw new IllegalArgumentException("message must be a JSON value");
    }
    this.value = v;
  }

  /** The JSON value. */
  public Object value() {
    return value;
  }

  public JsonObject toJson() {
    return new JsonObject().put("value", value);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PushMessage p && Objects.equals(p.value, value);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(value);
  }

  @Override
  public String toString() {
    return String.valueOf(value);
  }
}
