package io.socketpush.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.Appender;
import ch.qos.logback.classic.spi.ILoggingEvent;
import org.junit.jupiter.api.Test;

/** The shipped logback.xml: text by default with the node id, JSON when selected, level from a property. */
class LogbackConfigTest {

  private static LoggerContext configure(String format, String level) throws Exception {
    LoggerContext ctx = new LoggerContext();
    if (format != null) {
      ctx.putProperty("socketpush.log.format", format);
    }
    if (level != null) {
      ctx.putProperty("socketpush.log.level", level);
    }
    JoranConfigurator c = new JoranConfigurator();
    c.setContext(ctx);
    c.doConfigure(LogbackConfigTest.class.getResource("/logback.xml"));
    return ctx;
  }

  @Test
  void textByDefault() throws Exception {
    LoggerContext ctx = configure(null, null);
    ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    assertEquals(Level.INFO, root.getLevel());
    Appender<ILoggingEvent> a = root.getAppender("text");
    assertNotNull(a);
    PatternLayoutEncoder e = assertInstanceOf(PatternLayoutEncoder.class, ((ConsoleAppender<ILoggingEvent>) a).getEncoder());
    assertTrue(e.getPattern().contains("%property{node}"));
    assertEquals("-", ctx.getProperty("node"));
  }

  @Test
  void jsonWhenSelected() throws Exception {
    LoggerContext ctx = configure("json", "DEBUG");
    ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    assertEquals(Level.DEBUG, root.getLevel());
    Appender<ILoggingEvent> a = root.getAppender("json");
    assertNotNull(a);
    assertInstanceOf(JsonEncoder.class, ((ConsoleAppender<ILoggingEvent>) a).getEncoder());
  }
}
