package io.socketpush.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.auth.AuthService;
import io.socketpush.channel.ChannelService;
import io.socketpush.cluster.ClusterService;
import io.socketpush.management.ApiMethod.Param;
import io.socketpush.management.ApiMethod.Result;
import io.socketpush.message.Page;
import io.socketpush.message.PushMessage;
import io.socketpush.user.UserService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The one source of truth: every non-static method of the service interfaces is in {@link ApiCatalog} with the
 * same parameter names, order and types and the same result type, and the catalogue has nothing else.
 */
class ApiCatalogContractTest {
  /** The public services; a new service interface must be added here and to the catalogue. */
  private static final Map<String, Class<?>> SERVICES = Map.of(
      "auth", AuthService.class, "channel", ChannelService.class, "user", UserService.class,
      "cluster", ClusterService.class);

  @Test
  void catalogueListsExactlyTheServiceInterfaces() {
    assertEquals(new TreeSet<>(SERVICES.keySet()), new TreeSet<>(ApiCatalog.methods().keySet()));
    assertEquals(new TreeMap<>(SERVICES), new TreeMap<>(ApiCatalog.interfaces()));
  }

  @Test
  void everyInterfaceMethodIsInTheCatalogueAndViceVersa() {
    List<String> problems = new ArrayList<>();
    SERVICES.forEach((service, iface) -> {
      Map<String, Method> javaMethods = new TreeMap<>();
      for (Method m : iface.getDeclaredMethods()) {
        if (!Modifier.isStatic(m.getModifiers()) && !m.isSynthetic()) {
          if (javaMethods.put(m.getName(), m) != null) {
            problems.add(service + "." + m.getName() + " is overloaded (service proxies forbid overloads)");
          }
        }
      }
      Map<String, ApiMethod> catalogue = ApiCatalog.methods().getOrDefault(service, Map.of());
      for (String name : javaMethods.keySet()) {
        if (!catalogue.containsKey(name)) {
          problems.add(iface.getSimpleName() + "." + name + " is missing from ApiCatalog");
        }
      }
      for (String name : catalogue.keySet()) {
        if (!javaMethods.containsKey(name)) {
          problems.add("ApiCatalog " + service + "." + name + " is not a method of " + iface.getSimpleName());
        }
      }
      javaMethods.forEach((name, m) -> {
        ApiMethod am = catalogue.get(name);
        if (am != null) {
          compare(service, m, am, problems);
        }
      });
    });
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }

  private static void compare(String service, Method m, ApiMethod am, List<String> problems) {
    String where = service + "." + m.getName();
    List<String> javaNames = new ArrayList<>();
    List<Type> javaTypes = new ArrayList<>();
    for (Parameter p : m.getParameters()) {
      if (!p.isNamePresent()) {
        problems.add(where + ": parameter names are not in the class file; compile with -parameters (see pom.xml)");
        return;
      }
      javaNames.add(p.getName());
      javaTypes.add(p.getParameterizedType());
    }
    List<String> catNames = am.params().stream().map(Param::name).toList();
    if (!javaNames.equals(catNames)) {
      problems.add(where + ": parameters " + javaNames + " in Java but " + catNames + " in ApiCatalog");
      return;
    }
    for (int i = 0; i < javaTypes.size(); i++) {
      ApiMethod.Type expected = paramType(javaTypes.get(i));
      if (expected != am.params().get(i).type()) {
        problems.add(where + ": parameter " + javaNames.get(i) + " is " + javaTypes.get(i).getTypeName() + " in Java but "
            + am.params().get(i).type() + " in ApiCatalog");
      }
    }
    Result expectedResult = resultType(m.getGenericReturnType());
    if (expectedResult != am.returns()) {
      problems.add(where + ": returns " + m.getGenericReturnType().getTypeName() + " in Java but " + am.returns()
          + " in ApiCatalog");
    }
  }

  private static ApiMethod.Type paramType(Type t) {
    if (t == String.class) {
      return ApiMethod.Type.STRING;
    }
    if (t == PushMessage.class) {
      return ApiMethod.Type.JSON;
    }
    if (t == JsonObject.class) {
      return ApiMethod.Type.OBJECT;
    }
    if (t == int.class) {
      return ApiMethod.Type.INTEGER;
    }
    return null;
  }

  private static Result resultType(Type t) {
    if (!(t instanceof ParameterizedType pt) || pt.getRawType() != Future.class) {
      return null;
    }
    Type arg = pt.getActualTypeArguments()[0];
    if (arg == Void.class) {
      return Result.NONE;
    }
    if (arg == String.class) {
      return Result.STRING;
    }
    if (arg == Integer.class) {
      return Result.INTEGER;
    }
    if (arg == JsonObject.class) {
      return Result.OBJECT;
    }
    if (arg == Page.class) {
      return Result.PAGE;
    }
    if (arg == io.socketpush.stream.PublishResult.class) {
      return Result.PUBLISH;
    }
    if (arg instanceof ParameterizedType list && list.getRawType() == List.class
        && list.getActualTypeArguments()[0] == String.class) {
      return Result.STRING_LIST;
    }
    return null;
  }

  /**
   * The interfaces' Javadoc documents the same parameters (by {@code @param}, in order) as the catalogue, and
   * every method and parameter has a description in the catalogue.
   */
  @Test
  void javadocDocumentsTheSameParameters() throws IOException {
    List<String> problems = new ArrayList<>();
    Pattern method = Pattern.compile("/\\*\\*((?:(?!\\*/).)*)\\*/\\s*(?:@\\w+\\s*)*Future<[^(]*>\\s+(\\w+)\\s*\\(",
        Pattern.DOTALL);
    Pattern param = Pattern.compile("@param\\s+(\\w+)");
    for (Map.Entry<String, Class<?>> e : SERVICES.entrySet()) {
      Class<?> iface = e.getValue();
      Path src = Path.of("src/main/java", iface.getName().replace('.', '/') + ".java");
      assertTrue(Files.exists(src), "source of " + iface.getName() + " not found at " + src.toAbsolutePath());
      Matcher mm = method.matcher(Files.readString(src));
      int documented = 0;
      while (mm.find()) {
        documented++;
        ApiMethod am = ApiCatalog.find(e.getKey(), mm.group(2));
        assertNotNull(am, "documented method " + e.getKey() + "." + mm.group(2) + " not in ApiCatalog");
        List<String> tags = new ArrayList<>();
        Matcher pm = param.matcher(mm.group(1));
        while (pm.find()) {
          tags.add(pm.group(1));
        }
        List<String> names = am.params().stream().map(Param::name).toList();
        if (!tags.equals(names)) {
          problems.add(e.getKey() + "." + mm.group(2) + ": Javadoc @param " + tags + " but parameters " + names);
        }
        if (am.description() == null || am.description().isBlank()
            || am.params().stream().anyMatch(p -> p.description() == null || p.description().isBlank())) {
          problems.add(e.getKey() + "." + mm.group(2) + ": missing description in ApiCatalog");
        }
      }
      assertEquals(ApiCatalog.methods().get(e.getKey()).size(), documented,
          "every method of " + iface.getSimpleName() + " needs Javadoc");
    }
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }

  /** The self-description carries the names, types and result types of the catalogue. */
  @Test
  void selfDescriptionHasTheOriginalShape() {
    JsonObject d = ApiCatalog.describe();
    JsonObject set = d.getJsonObject("services").getJsonObject("auth").getJsonObject("methods").getJsonObject("set");
    assertEquals("userId", set.getJsonArray("params").getJsonObject(0).getString("name"));
    assertEquals("string", set.getJsonArray("params").getJsonObject(0).getString("type"));
    assertEquals(Boolean.TRUE, set.getJsonArray("params").getJsonObject(0).getBoolean("shardKey"));
    assertEquals("none", set.getString("returns"));
    JsonObject publish = d.getJsonObject("services").getJsonObject("user").getJsonObject("methods").getJsonObject("publish");
    assertEquals(Arrays.asList("userId", "message", "idempotencyKey"),
        publish.getJsonArray("params").stream().map(p -> ((JsonObject) p).getString("name")).toList());
    assertEquals("json", publish.getJsonArray("params").getJsonObject(1).getString("type"));
    assertEquals("publish_result", publish.getString("returns"));
  }
}
