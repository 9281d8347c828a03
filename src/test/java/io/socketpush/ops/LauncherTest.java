package io.socketpush.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import org.junit.jupiter.api.Test;

/** The jar's launcher turns Prometheus metrics on unless the operator configured metrics or opted out. */
class LauncherTest {

  @Test
  void addsPrometheusMetricsWhenNoneGiven() {
    JsonObject o = Launcher.withDefaultMetrics(null, true);
    // what VertxApplication does with it: the SPI factory builds the options from the JSON
    MicrometerMetricsOptions m = (MicrometerMetricsOptions) new MicrometerMetricsFactory().newOptions(o.getJsonObject("metricsOptions"));
    assertTrue(m.isEnabled());
    assertTrue(m.isJvmMetricsEnabled());
    assertTrue(m.getPrometheusOptions().isEnabled());
  }

  @Test
  void keepsOperatorsMetricsOptions() {
    JsonObject given = new JsonObject().put("metricsOptions", new JsonObject().put("enabled", false));
    assertEquals(new JsonObject().put("enabled", false), Launcher.withDefaultMetrics(given, true).getJsonObject("metricsOptions"));
  }

  @Test
  void oneEventLoopPerCoreUnlessTheOperatorSetsIt() {
    assertEquals(1, Launcher.withDefaultEventLoops(null, 1).getInteger("eventLoopPoolSize"));
    assertEquals(4, Launcher.withDefaultEventLoops(new JsonObject(), 4).getInteger("eventLoopPoolSize"));
    assertEquals(1, Launcher.withDefaultEventLoops(new JsonObject(), 0).getInteger("eventLoopPoolSize"));
    JsonObject given = new JsonObject().put("eventLoopPoolSize", 8);
    assertEquals(8, Launcher.withDefaultEventLoops(given, 2).getInteger("eventLoopPoolSize"));
    // what VertxApplication does with it
    assertEquals(2, new io.vertx.core.VertxOptions(Launcher.withDefaultEventLoops(null, 2)).getEventLoopPoolSize());
  }

  @Test
  void optOut() {
    assertFalse(Launcher.withDefaultMetrics(new JsonObject(), false).containsKey("metricsOptions"));
  }
}
