package io.socketpush.management;

import io.socketpush.message.PushMessage;
import io.vertx.core.json.JsonObject;

/** Validated arguments of one API call, by parameter name. */
public final class Args {
  private final JsonObject values;

  Args(JsonObject values) {
    this.values = values;
  }

  public String string(String name) {
    return values.getString(name);
  }

  public PushMessage message(String name) {
    return PushMessage.of(values.getValue(name));
  }

  /** An integer parameter; 0 when absent. */
  public int integer(String name) {
    Integer v = values.getInteger(name);
    return v == null ? 0 : v;
  }

  public JsonObject object(String name) {
    return values.getJsonObject(name);
  }
}
