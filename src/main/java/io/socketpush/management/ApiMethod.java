package io.socketpush.management;

import io.socketpush.shard.Services;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;

/**
 * One method of the management API: its description, parameters, result type and how to invoke it on the
 * cluster.
 */
public record ApiMethod(String service, String name, String description, boolean readOnly, List<Param> params,
                        Result returns, Invoker invoker) {

  /** Parameter types of the API description. */
  public enum Type {
    /** A string; JSON integers are accepted and converted (numeric ids). */
    STRING,
    /** Any JSON value (a push message). */
    JSON,
    /** A JSON object. */
    OBJECT,
    /** A non-negative JSON integer. */
    INTEGER;

    /** The name used in the self-description. */
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Result types: what {@code "result"} holds in a successful answer. */
  public enum Result {
    /** Always null. */
    NONE("none"),
    STRING("string"),
    INTEGER("integer"),
    /** A JSON array of strings. */
    STRING_LIST("string_list"),
    /** A page of a list: {@code {"items": [strings], "nextCursor": string or null}}. */
    PAGE("page"),
    OBJECT("object"),
    /** A publish's outcome: {@code {"sockets": n, "epoch": "..", "offset": ".."}} (PublishResult). */
    PUBLISH("publish_result");

    private final String id;

    Result(String id) {
      this.id = id;
    }

    /** The name used in the self-description. */
    public String id() {
      return id;
    }
  }

  /** One named parameter. */
  public record Param(String name, Type type, String description, boolean shardKey, boolean required) {
    JsonObject describe() {
      JsonObject o = new JsonObject().put("name", name).put("type", type.id()).put("description", description);
      if (shardKey) {
        o.put("shardKey", true);
      }
      if (!required) {
        o.put("required", false);
      }
      return o;
    }
  }

  /** Calls the sharded service with validated, named arguments. */
  @FunctionalInterface
  public interface Invoker {
    Future<?> invoke(Services services, Args args);
  }

  JsonObject describe() {
    JsonArray ps = new JsonArray();
    params.forEach(p -> ps.add(p.describe()));
    return new JsonObject().put("description", description).put("readOnly", readOnly).put("params", ps)
        .put("returns", returns.id());
  }
}
