package io.socketpush.management;

import static io.socketpush.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.error.Failure;
import io.socketpush.testing.Http;
import io.socketpush.testing.EdgeFixture;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** GET /openapi.json: generated from ApiCatalog and valid OpenAPI 3.0 according to swagger-parser. */
class OpenApiTest {
  @RegisterExtension
  static final EdgeFixture NODE = EdgeFixture.node("openapi-node", new JsonObject());



  private static SwaggerParseResult parse(String json) {
    ParseOptions o = new ParseOptions();
    o.setResolve(true);
    return new OpenAPIV3Parser().readContents(json, null, o);
  }

  private static OpenAPI valid(String json) {
    SwaggerParseResult r = parse(json);
    assertTrue(r.getMessages() == null || r.getMessages().isEmpty(), "validator messages: " + r.getMessages());
    assertNotNull(r.getOpenAPI());
    return r.getOpenAPI();
  }

  @Test
  void servedDocumentIsValidAndCoversEveryMethod() {
    Http.Response resp = result(NODE.http().request(HttpMethod.GET, "/openapi.json", null, null));
    assertEquals(200, resp.status());
    assertEquals(OpenApi.document(false), resp.body());
    OpenAPI api = valid(resp.body().encode());
    assertTrue(api.getOpenapi().startsWith("3.0."), api.getOpenapi());

    int methods = 0;
    for (var service : ApiCatalog.methods().entrySet()) {
      for (ApiMethod m : service.getValue().values()) {
        methods++;
        var path = api.getPaths().get("/api/" + m.service() + "/" + m.name());
        assertNotNull(path, m.service() + "." + m.name() + " has a path");
        Operation op = path.getPost();
        assertNotNull(op, m.service() + "." + m.name() + " is POST");
        Schema<?> body = op.getRequestBody().getContent().get("application/json").getSchema();
        assertEquals(java.util.Set.copyOf(m.params().stream().map(ApiMethod.Param::name).toList()),
            body.getProperties() == null ? java.util.Set.of() : body.getProperties().keySet(),
            m.service() + "." + m.name() + " request body names the parameters");
        // the served JSON keeps the catalogue's parameter order (the legacy GET URLs are positional)
        JsonObject served = resp.body().getJsonObject("paths").getJsonObject("/api/" + m.service() + "/" + m.name())
            .getJsonObject("post").getJsonObject("requestBody").getJsonObject("content")
            .getJsonObject("application/json").getJsonObject("schema").getJsonObject("properties");
        assertEquals(m.params().stream().map(ApiMethod.Param::name).toList(), List.copyOf(served.fieldNames()));
        List<String> required = m.params().stream().filter(ApiMethod.Param::required).map(ApiMethod.Param::name).toList();
        assertEquals(java.util.Set.copyOf(required), body.getRequired() == null ? java.util.Set.of() : java.util.Set.copyOf(body.getRequired()));
        assertNotNull(op.getResponses().get("200"));
        assertNotNull(op.getResponses().get("400"), "errors documented");
        assertNull(op.getSecurity(), "no security without keys");
      }
    }
    assertEquals(methods + 1, api.getPaths().size(), "one path per method plus GET /api");

    Schema<?> error = api.getComponents().getSchemas().get("Error");
    Schema<?> code = (Schema<?>) ((Schema<?>) error.getProperties().get("error")).getProperties().get("code");
    assertEquals(Failure.values().length, code.getEnum().size(), "every failure code is listed");
    assertTrue(code.getEnum().contains("NOT_CONNECTED"));
  }

  @Test
  void withKeysEveryCallNeedsBearer() {
    OpenAPI api = valid(OpenApi.document(true).encode());
    SecurityScheme s = api.getComponents().getSecuritySchemes().get("apiKey");
    assertEquals(SecurityScheme.Type.HTTP, s.getType());
    assertEquals("bearer", s.getScheme());
    Operation set = api.getPaths().get("/api/auth/set").getPost();
    assertEquals(1, set.getSecurity().size());
    assertTrue(set.getSecurity().get(0).containsKey("apiKey"));
    assertNotNull(set.getResponses().get("401"));
    assertNotNull(set.getResponses().get("403"));
    assertEquals(Boolean.TRUE, api.getPaths().get("/api/auth/check").getPost().getExtensions().get("x-read-only"));
  }

  /** The validator is not a rubber stamp: a broken document yields messages. */
  @Test
  void validatorRejectsABrokenDocument() {
    JsonObject broken = OpenApi.document(false);
    broken.getJsonObject("paths").getJsonObject("/api/auth/set").getJsonObject("post").remove("responses");
    broken.getJsonObject("info").remove("title");
    SwaggerParseResult r = parse(broken.encode());
    assertFalse(r.getMessages() == null || r.getMessages().isEmpty(), "expected validation messages");
  }
}
