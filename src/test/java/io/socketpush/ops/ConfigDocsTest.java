package io.socketpush.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.config.NodeConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * conf/README.md is generated from NodeConfig.describe(); this fails when the committed file is stale.
 * Regenerate: {@code mvn -o -q test -Dtest=ConfigDocsTest -Dsocketpush.writeDocs=true}.
 */
class ConfigDocsTest {

  @Test
  void committedDocsAreCurrent() throws Exception {
    String expected = ConfigDocs.render();
    if (Boolean.getBoolean("socketpush.writeDocs")) {
      Files.writeString(ConfigDocs.FILE, expected, StandardCharsets.UTF_8);
    }
    assertTrue(Files.exists(ConfigDocs.FILE), ConfigDocs.FILE + " is missing: regenerate it");
    assertEquals(expected, Files.readString(ConfigDocs.FILE, StandardCharsets.UTF_8),
        "conf/README.md is stale: regenerate with -Dsocketpush.writeDocs=true");
  }

  @Test
  void everyOptionIsDocumented() {
    String docs = ConfigDocs.render();
    for (Object o : NodeConfig.describe()) {
      String name = ((io.vertx.core.json.JsonObject) o).getString("name");
      assertTrue(docs.contains("| `" + name + "` |"), name);
    }
  }
}
