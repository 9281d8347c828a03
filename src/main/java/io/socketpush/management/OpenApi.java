package io.socketpush.management;

import io.socketpush.error.Failure;
import io.socketpush.management.ApiMethod.Param;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The OpenAPI 3.0 document of the management API ({@code GET /openapi.json}), generated from
 * {@link ApiCatalog}: one {@code POST /api/<service>/<method>} operation per method (and a GET for read-only ones), its named parameters as
 * the request body schema, {@code {"result":..}} on success and {@code {"error":{"code","message"}}} with
 * the failure catalogue's codes otherwise.
 */
public final class OpenApi {
  /** The OpenAPI version written. */
  public static final String VERSION = "3.0.3";

  private static final String ERROR_REF = "#/components/schemas/Error";

  private OpenApi() {
  }

  /**
   * The document.
   *
   * @param keysRequired whether API keys are configured: adds the bearer security scheme to every call
   */
  public static JsonObject document(boolean keysRequired) {
    JsonObject paths = new JsonObject();
    paths.put("/api", new JsonObject().put("get", new JsonObject()
        .put("operationId", "describe").put("tags", new JsonArray().add("meta"))
        .put("summary", "The self-description: services, methods, parameters (name, type, description, shard key).")
        .put("responses", new JsonObject().put("200", new JsonObject().put("description", "The description.")
            .put("content", json(new JsonObject().put("type", "object")))))));
    ApiCatalog.methods().forEach((service, methods) -> methods.forEach((name, m) ->
        paths.put("/api/" + service + "/" + name, m.readOnly()
            ? new JsonObject().put("post", operation(m, keysRequired)).put("get", getOperation(m, keysRequired))
            : new JsonObject().put("post", operation(m, keysRequired)))));

    JsonArray tags = new JsonArray();
    ApiCatalog.services().forEach((name, desc) -> tags.add(new JsonObject().put("name", name).put("description", desc)));
    tags.add(new JsonObject().put("name", "meta").put("description", "The API describing itself."));

    JsonObject components = new JsonObject().put("schemas", new JsonObject().put("Error", errorSchema()));
    JsonObject doc = new JsonObject()
        .put("openapi", VERSION)
        .put("info", new JsonObject().put("title", "socket-push management API").put("version", "1")
            .put("description", "Every call is POST /api/<service>/<method> with a JSON object of named parameters. "
                + "The same names are used by the Java interfaces, the Java HTTP proxies and the generated PHP classes."
                + (keysRequired ? " Calls need an API key: Authorization: Bearer <key>; read-only keys may call "
                    + "only the methods marked x-read-only." : "")))
        .put("tags", tags)
        .put("paths", paths)
        .put("components", components);
    if (keysRequired) {
      components.put("securitySchemes", new JsonObject().put("apiKey", new JsonObject()
          .put("type", "http").put("scheme", "bearer").put("description", "A key from management.apiKeys or "
              + "management.readOnlyApiKeys.")));
    }
    return doc;
  }

  private static JsonObject operation(ApiMethod m, boolean keysRequired) {
    JsonObject props = new JsonObject();
    JsonArray required = new JsonArray();
    for (Param p : m.params()) {
      props.put(p.name(), paramSchema(p));
      if (p.required()) {
        required.add(p.name());
      }
    }
    JsonObject body = new JsonObject().put("type", "object").put("properties", props).put("additionalProperties", false);
    if (!required.isEmpty()) {
      body.put("required", required);
    }
    JsonObject responses = new JsonObject().put("200", new JsonObject().put("description", "Success.")
        .put("content", json(new JsonObject().put("type", "object").put("required", new JsonArray().add("result"))
            .put("properties", new JsonObject().put("result", resultSchema(m.returns()))))));
    errorStatuses(keysRequired).forEach((status, codes) -> responses.put(String.valueOf(status), new JsonObject()
        .put("description", String.join(", ", codes)).put("content", json(new JsonObject().put("$ref", ERROR_REF)))));
    JsonObject op = new JsonObject()
        .put("operationId", m.service() + "_" + m.name())
        .put("tags", new JsonArray().add(m.service()))
        .put("summary", m.service() + "." + m.name())
        .put("description", m.description())
        .put("x-read-only", m.readOnly())
        .put("requestBody", new JsonObject().put("required", !required.isEmpty()).put("content", json(body)))
        .put("responses", responses);
    if (keysRequired) {
      op.put("security", new JsonArray().add(new JsonObject().put("apiKey", new JsonArray())));
    }
    return op;
  }

  /** The same read-only method by GET, its (string) parameters in the query. */
  private static JsonObject getOperation(ApiMethod m, boolean keysRequired) {
    JsonObject op = operation(m, keysRequired);
    op.remove("requestBody");
    JsonArray params = new JsonArray();
    for (Param p : m.params()) {
      params.add(new JsonObject().put("name", p.name()).put("in", "query").put("required", p.required())
          .put("schema", new JsonObject().put("type", "string")).put("description", paramSchema(p).getString("description")));
    }
    return op.put("operationId", m.service() + "_" + m.name() + "_get").put("parameters", params);
  }

  private static JsonObject paramSchema(Param p) {
    String desc = p.description() + (p.shardKey() ? " Shard key." : "");
    return switch (p.type()) {
      case STRING -> new JsonObject().put("type", "string").put("description", desc);
      case OBJECT -> new JsonObject().put("type", "object").put("description", desc);
      case INTEGER -> new JsonObject().put("type", "integer").put("format", "int32").put("minimum", 0).put("description", desc);
      // an empty schema allows any JSON value
      case JSON -> new JsonObject().put("description", desc).put("nullable", true);
    };
  }

  private static JsonObject resultSchema(ApiMethod.Result r) {
    return switch (r) {
      case NONE -> new JsonObject().put("type", "object").put("nullable", true).put("description", "Always null.");
      case STRING -> new JsonObject().put("type", "string");
      case INTEGER -> new JsonObject().put("type", "integer").put("format", "int32");
      case STRING_LIST -> new JsonObject().put("type", "array").put("items", new JsonObject().put("type", "string"));
      case PAGE -> new JsonObject().put("type", "object").put("required", new JsonArray().add("items").add("nextCursor"))
          .put("properties", new JsonObject()
              .put("items", new JsonObject().put("type", "array").put("items", new JsonObject().put("type", "string")))
              .put("nextCursor", new JsonObject().put("type", "string").put("nullable", true)
                  .put("description", "Cursor of the next page; null on the last page.")));
      case OBJECT -> new JsonObject().put("type", "object");
      case PUBLISH -> new JsonObject().put("type", "object").put("required", new JsonArray().add("sockets").add("epoch").add("offset"))
          .put("properties", new JsonObject()
              .put("sockets", new JsonObject().put("type", "integer").put("format", "int32").put("description", "Sockets reached."))
              .put("epoch", new JsonObject().put("type", "string").put("description", "The stream's epoch."))
              .put("offset", new JsonObject().put("type", "string").put("description",
                  "The message's offset in the stream (a 64-bit integer as a string).")));
    };
  }

  private static JsonObject errorSchema() {
    JsonArray codes = new JsonArray();
    for (Failure f : Failure.values()) {
      codes.add(f.name());
    }
    return new JsonObject().put("type", "object").put("required", new JsonArray().add("error"))
        .put("properties", new JsonObject().put("error", new JsonObject().put("type", "object")
            .put("required", new JsonArray().add("code").add("message"))
            .put("properties", new JsonObject()
                .put("code", new JsonObject().put("type", "string").put("enum", codes))
                .put("message", new JsonObject().put("type", "string")))));
  }

  /** HTTP status -> the failure codes answered with it (from the failure catalogue). */
  private static Map<Integer, List<String>> errorStatuses(boolean keysRequired) {
    Map<Integer, List<String>> out = new TreeMap<>();
    for (Failure f : Failure.values()) {
      if (!keysRequired && (f == Failure.UNAUTHORIZED || f == Failure.FORBIDDEN)) {
        continue;
      }
      out.computeIfAbsent(f.httpStatus, k -> new ArrayList<>()).add(f.name());
    }
    out.put(413, List.of(Failure.LIMIT_EXCEEDED.name() + " (request body larger than management.maxBodySize)"));
    return out;
  }

  private static JsonObject json(JsonObject schema) {
    return new JsonObject().put("application/json", new JsonObject().put("schema", schema));
  }
}
