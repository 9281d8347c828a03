package io.socketpush.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.socketpush.message.Page;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Merging the user shards' listAll pages: sorted, at most the limit, nobody skipped. */
class UserListMergeTest {

  @Test
  void aShardWithMoreBoundsThePage() {
    // shard A has more after "c"; shard B returned everything it has: "d" and "e" must wait for the next round,
    // since A's users between "c" and "d" were not asked for
    Page merged = ShardedUserService.merge(List.of(new Page(List.of("a", "c"), "c"), new Page(List.of("b", "d", "e"), null)), 10);
    assertEquals(new Page(List.of("a", "b", "c"), "c"), merged);
  }

  @Test
  void theLimitCutsTheUnion() {
    Page merged = ShardedUserService.merge(List.of(new Page(List.of("a", "c"), null), new Page(List.of("b", "d"), null)), 3);
    assertEquals(new Page(List.of("a", "b", "c"), "c"), merged);
  }

  @Test
  void theLastPageHasNoCursor() {
    assertEquals(new Page(List.of("a", "b"), null),
        ShardedUserService.merge(List.of(new Page(List.of("b"), null), new Page(List.of("a"), null)), 2));
    assertEquals(new Page(List.of(), null), ShardedUserService.merge(List.of(), 2));
  }
}
