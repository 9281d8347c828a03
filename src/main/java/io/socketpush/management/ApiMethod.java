package io.socketpush.management;

import io.socketpush.shard.Services;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** One method of the management API: its description, parameters and how to invoke it on the cluster. */
public record ApiMethod(String service, String name, String description, boolean readOnly, List<Param> params,
                        Invoker invoker) {

  /** Parameter types of the API description. */
  public enum Type { STRING, JSON, OBJECT }

  /** One named parameter. */
  public record Param(String name, Type type, String description, boolean shardKey, boolean required) {
    JsonObject describe() {
      JsonObject o = new JsonObject().put("name", name).put("type", type.name().toLowerCase()).put("description", description);
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
    return new JsonObject().put("description", description).put("readOnly", readOnly).put("params", ps);
  }
}
