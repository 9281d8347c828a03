package io.socketpush.shard;

import io.socketpush.error.Validate;
import io.socketpush.message.Page;
import io.socketpush.message.Pages;
import io.socketpush.message.PushMessage;
import io.socketpush.stream.PublishResult;
import io.socketpush.user.UserService;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.IntSupplier;

/**
 * UserService of the whole cluster: calls go to the owner of the userId; listAll asks every shard for its
 * page after the cursor and merges them (sorted by userId, so the cursor is the last userId returned).
 */
public final class ShardedUserService implements UserService {
  private final Shard<UserService> shard;
  private final IntSupplier listLimit;

  public ShardedUserService(Shard<UserService> shard, IntSupplier listLimit) {
    this.shard = shard;
    this.listLimit = listLimit;
  }

  @Override
  public Future<PublishResult> publish(String userId, PushMessage message, String idempotencyKey) {
    Future<PublishResult> bad = Validate.ids("userId", userId);
    if (bad == null) {
      bad = Validate.message(message);
    }
    if (bad == null) {
      bad = io.socketpush.stream.StreamLog.validKey(idempotencyKey);
    }
    return bad != null ? bad : shard.routeOnce(userId, s -> s.publish(userId, message, idempotencyKey));
  }

  @Override
  public Future<Integer> remove(String userId) {
    Future<Integer> bad = Validate.ids("userId", userId);
    return bad != null ? bad : shard.route(userId, s -> s.remove(userId));
  }

  @Override
  public Future<List<String>> getFrontendServer(String userId) {
    Future<List<String>> bad = Validate.ids("userId", userId);
    return bad != null ? bad : shard.route(userId, s -> s.getFrontendServer(userId));
  }

  @Override
  public Future<Page> listAll(int limit, String cursor) {
    return Pages.sized(limit, listLimit.getAsInt(), n -> shard.all(s -> s.listAll(n, cursor)).map(pages -> merge(pages, n)));
  }

  /**
   * The first {@code n} users of the shards' pages. A shard that has more users than it returned bounds the
   * merged page at its last item: beyond it, users of that shard are missing from this round.
   */
  static Page merge(List<Page> pages, int n) {
    TreeSet<String> all = new TreeSet<>();
    String bound = null;
    for (Page p : pages) {
      all.addAll(p.items());
      if (p.nextCursor() != null && !p.items().isEmpty()) {
        String last = p.items().get(p.items().size() - 1);
        bound = bound == null || last.compareTo(bound) < 0 ? last : bound;
      }
    }
    List<String> items = new ArrayList<>();
    for (String u : bound == null ? all : all.headSet(bound, true)) {
      if (items.size() == n) {
        break;
      }
      items.add(u);
    }
    boolean more = bound != null || items.size() < all.size();
    return new Page(items, more && !items.isEmpty() ? items.get(items.size() - 1) : null);
  }

  @Override
  public Future<io.vertx.core.json.JsonObject> history(String userId, String since, int limit) {
    Future<io.vertx.core.json.JsonObject> bad = Validate.ids("userId", userId);
    if (bad == null) {
      bad = Pages.checkLimit(limit);
    }
    return bad != null ? bad : shard.route(userId, s -> s.history(userId, since, limit));
  }
}
