package io.socketpush.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * One documented config option: its key, type, default and meaning. Sections are lists of these, so
 * validation, defaults and the docs the management API shows come from one place.
 */
public record Option(String key, Type type, Object defaultValue, String doc, long min, long max) {

  /** JSON types an option can take. */
  public enum Type { STRING, INT, LONG, BOOLEAN, STRING_LIST }

  public static Option string(String key, String def, String doc) {
    return new Option(key, Type.STRING, def, doc, 0, 0);
  }

  public static Option integer(String key, int def, int min, int max, String doc) {
    return new Option(key, Type.INT, def, doc, min, max);
  }

  public static Option longValue(String key, long def, long min, long max, String doc) {
    return new Option(key, Type.LONG, def, doc, min, max);
  }

  public static Option bool(String key, boolean def, String doc) {
    return new Option(key, Type.BOOLEAN, def, doc, 0, 0);
  }

  public static Option strings(String key, JsonArray def, String doc) {
    return new Option(key, Type.STRING_LIST, def, doc, 0, 0);
  }

  /**
   * Checks {@code value} against this option; returns an error naming the option, or null when valid.
   */
  String check(String section, Object value) {
    String name = section + "." + key;
    if (value == null) {
      return null;
    }
    switch (type) {
      case STRING:
        return value instanceof String ? null : name + " must be a string";
      case INT:
      case LONG:
        if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
          return name + " must be an integer";
        }
        long v = n.longValue();
        return v < min || v > max ? name + " must be between " + min + " and " + max + " (was " + v + ")" : null;
      case BOOLEAN:
        return value instanceof Boolean ? null : name + " must be true or false";
      case STRING_LIST:
        if (!(value instanceof JsonArray a)) {
          return name + " must be an array of strings";
        }
        for (Object o : a) {
          if (!(o instanceof String)) {
            return name + " must be an array of strings";
          }
        }
        return null;
      default:
        return name + ": unknown type";
    }
  }

  /** A JSON description of this option for docs and the management API. */
  public JsonObject describe(String section) {
    JsonObject o = new JsonObject().put("name", section + "." + key).put("type", type.name().toLowerCase())
        .put("default", defaultValue).put("description", doc);
    if (type == Type.INT || type == Type.LONG) {
      o.put("min", min).put("max", max);
    }
    return o;
  }
}
