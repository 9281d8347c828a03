package io.socketpush.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A validated config section: defaults merged with the given JSON, unknown keys and bad values rejected
 * with a message that names the option.
 */
final class Section {
  private final String name;
  private final Map<String, Option> options = new LinkedHashMap<>();
  private final JsonObject values;

  Section(String name, List<Option> opts, JsonObject given) {
    this.name = name;
    for (Option o : opts) {
      options.put(o.key(), o);
    }
    JsonObject in = given == null ? new JsonObject() : given;
    List<String> errors = new ArrayList<>();
    for (String k : in.fieldNames()) {
      Option o = options.get(k);
      if (o == null) {
        errors.add("unknown option " + name + "." + k);
      } else {
        String err = o.check(name, in.getValue(k));
        if (err != null) {
          errors.add(err);
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("invalid config: " + String.join("; ", errors));
    }
    values = new JsonObject();
    for (Option o : opts) {
      Object v = in.getValue(o.key());
      values.put(o.key(), v != null ? v : o.defaultValue());
    }
  }

  public String name() {
    return name;
  }

  public String string(String key) {
    return values.getString(key);
  }

  public int integer(String key) {
    return values.getNumber(key).intValue();
  }

  public long longValue(String key) {
    return values.getNumber(key).longValue();
  }

  public boolean bool(String key) {
    return values.getBoolean(key);
  }

  public List<String> strings(String key) {
    JsonArray a = values.getJsonArray(key);
    List<String> out = new ArrayList<>();
    if (a != null) {
      a.forEach(o -> out.add((String) o));
    }
    return out;
  }

  /** Effective values, defaults filled in. */
  public JsonObject toJson() {
    return values.copy();
  }

  /** Docs of every option of this section. */
  public JsonArray describe() {
    JsonArray out = new JsonArray();
    options.values().forEach(o -> out.add(o.describe(name)));
    return out;
  }
}
