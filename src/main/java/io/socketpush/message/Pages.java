package io.socketpush.message;

import io.socketpush.error.Failure;
import io.socketpush.message.Page;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;

/** Helpers for paged lists: the limit rule of the API, and walking every page of a list. */
public final class Pages {
  /** Walks stop after this many pages (a guard against a cursor that never ends). */
  public static final int MAX_PAGES = 100_000;

  private Pages() {
  }

  /** A failed BAD_REQUEST future when {@code limit} is negative, else null. */
  public static <T> Future<T> checkLimit(int limit) {
    return limit < 0 ? Failure.BAD_REQUEST.fail("limit must be 0 (the default) or more") : null;
  }

  /** The page size for a requested {@code limit}: 0 means {@code max}, and nothing is larger than {@code max}. */
  public static int limit(int limit, int max) {
    return limit <= 0 ? max : Math.min(limit, max);
  }

  /** {@code page} called with the page size for {@code limit} ({@link #limit}); BAD_REQUEST for a negative limit. */
  public static <T> Future<T> sized(int limit, int max, IntFunction<Future<T>> page) {
    Future<T> bad = checkLimit(limit);
    return bad != null ? bad : page.apply(limit(limit, max));
  }

  /** Calls {@code each} with the items of every page, one page after the other. */
  public static Future<Void> forEach(Function<String, Future<Page>> fetch, Function<List<String>, Future<Void>> each) {
    return forEach(fetch, each, null, 0);
  }

  private static Future<Void> forEach(Function<String, Future<Page>> fetch, Function<List<String>, Future<Void>> each,
      String cursor, int pages) {
    if (pages >= MAX_PAGES) {
      return Failure.UNAVAILABLE.fail("more than " + MAX_PAGES + " pages");
    }
    return fetch.apply(cursor).compose(page -> each.apply(page.items()).compose(v -> page.nextCursor() == null
        ? Future.succeededFuture() : forEach(fetch, each, page.nextCursor(), pages + 1)));
  }

  /** Every item of every page, in order. */
  public static Future<List<String>> all(Function<String, Future<Page>> fetch) {
    List<String> out = new ArrayList<>();
    return forEach(fetch, items -> {
      out.addAll(items);
      return Future.succeededFuture();
    }).map(out);
  }
}
