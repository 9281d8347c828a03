package io.socketpush.error;

import io.socketpush.message.PushMessage;
import io.vertx.core.Future;

/** Input checks shared by facades and service instances; failures are BAD_REQUEST naming the field. */
public final class Validate {
  /** Longest user, session or channel id accepted. */
  public static final int MAX_ID_LENGTH = 200;

  private Validate() {
  }

  /** Null when {@code value} is a valid id, else the reason. */
  public static String idError(String name, String value) {
    if (value == null || value.isEmpty()) {
      return name + " is required";
    }
    if (value.length() > MAX_ID_LENGTH) {
      return name + " is longer than " + MAX_ID_LENGTH + " characters";
    }
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) {
        return name + " contains control characters";
      }
    }
    return null;
  }

  /** A failed BAD_REQUEST future for the first invalid id among name/value pairs, or null when all are valid. */
  public static <T> Future<T> ids(String... nameValues) {
    for (int i = 0; i + 1 < nameValues.length; i += 2) {
      String err = idError(nameValues[i], nameValues[i + 1]);
      if (err != null) {
        return Failure.BAD_REQUEST.fail(err);
      }
    }
    return null;
  }

  /** A failed BAD_REQUEST future when the message is missing, else null. */
  public static <T> Future<T> message(PushMessage message) {
    return message == null ? Failure.BAD_REQUEST.fail("message is required") : null;
  }
}
