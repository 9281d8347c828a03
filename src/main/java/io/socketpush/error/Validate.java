package io.socketpush.error;

import io.vertx.core.Future;

/** Input checks shared by facades and service instances; failures are BAD_REQUEST naming the field. */
public final class Validate {
  /** Longest user, session or channel id accepted. */
  public static final int MAX_ID_LENGTH = 200;

  private Validate() {
  }

  /**
   * The text of an id given as a JSON value: a string as it is, an integer (any size) as its exact decimal
   * digits; null for anything else, including non-integer numbers ({@code 1.0}, {@code 1e2}, {@code 1.5}): once
   * parsed their text is gone ({@code 1.0} would become "1" in one place and "1.0" in another), so they are
   * refused everywhere, by the management API and by the edge alike.
   */
  public static String idText(Object value) {
    if (value instanceof String s) {
      return s;
    }
    if (value instanceof Integer || value instanceof Long || value instanceof java.math.BigInteger
        || value instanceof Short || value instanceof Byte) {
      return value.toString();
    }
    return null;
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

  /** A failed BAD_REQUEST future when the message (a PushMessage) is missing, else null. */
  public static <T> Future<T> message(Object message) {
    return message == null ? Failure.BAD_REQUEST.fail("message is required") : null;
  }
}
