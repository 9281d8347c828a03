package io.socketpush.ops;

import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusListener;

/**
 * Prints logback's own warnings and errors about its configuration to stderr, except the expected one:
 * {@code logback.xml} declares a text and a JSON appender and attaches only the one selected, so logback
 * warns that the other is "not referenced". Without a listener logback would dump its whole status on that
 * warning at every start.
 */
public final class LogStatusListener extends ContextAwareBase implements StatusListener {
  @Override
  public void addStatusEvent(Status status) {
    if (status.getLevel() >= Status.WARN && !String.valueOf(status.getMessage()).contains("not referenced")) {
      System.err.println("logback: " + status);
    }
  }
}
