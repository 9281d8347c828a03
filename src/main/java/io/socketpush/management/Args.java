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

  /** An optional integer parameter; null when absent. */
  public Integer integer(String name) {
    return values.getInteger(name);
  }

  public JsonObject object(String name) {
    return values.getJsonObject(name);
  }
}
