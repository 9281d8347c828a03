package io.socketpush.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.cluster.HashRing;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** An edge's announcement split by owner (presence and interest alike), and the owners' answers merged. */
class AnnouncementsTest {

  @Test
  void everyOwnerGetsExactlyItsKeysAndOwnersWithoutKeysAnEmptyList() {
    HashRing ring = HashRing.of(1, 16, List.of("n1", "n2", "n3"));
    List<String> keys = IntStream.range(0, 50).mapToObj(i -> "k" + i).toList();
    Map<String, List<String>> split = Announcements.byOwner(ring, keys);
    assertEquals(ring.members(), new java.util.TreeSet<>(split.keySet()));
    List<String> all = new ArrayList<>();
    split.forEach((owner, mine) -> {
      mine.forEach(k -> assertEquals(owner, ring.owner(k).orElseThrow()));
      all.addAll(mine);
    });
    assertEquals(keys.size(), all.size());
    assertTrue(all.containsAll(keys));
    Map<String, List<String>> none = Announcements.byOwner(ring, List.of());
    assertEquals(3, none.size());
    none.values().forEach(l -> assertTrue(l.isEmpty()));
  }

  @Test
  void answersAreMergedAndOnlyAllFailedIsAFailure() {
    JsonObject merged = Announcements.merged(List.of(Future.succeededFuture(new JsonObject().put("user.1", "e:1")),
        Future.failedFuture("down"), Future.succeededFuture(null), Future.succeededFuture(new JsonObject().put("user.2", "e:2"))))
        .result();
    assertEquals(new JsonObject().put("user.1", "e:1").put("user.2", "e:2"), merged);
    RuntimeException down = new RuntimeException("down");
    assertSame(down, Announcements.merged(List.of(Future.failedFuture(down), Future.failedFuture(down))).cause());
    assertEquals(new JsonObject(), Announcements.merged(List.of()).result());
  }
}
