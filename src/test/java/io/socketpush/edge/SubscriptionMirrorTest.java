package io.socketpush.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The edge's mirror of local users, channels and public registrations, and the interest it starts and ends. */
class SubscriptionMirrorTest {
  final List<String> interest = new ArrayList<>();
  final SubscriptionMirror mirror = new SubscriptionMirror(new SubscriptionMirror.Interest() {
    @Override
    public void add(String channelId) {
      interest.add("+" + channelId);
    }

    @Override
    public void drop(String channelId) {
      interest.add("-" + channelId);
    }
  });

  /** A local user with {@code sockets} new sockets, subscribed to {@code channels}. */
  LocalUser user(String u, int sockets, String... channels) {
    LocalUser lu = mirror.addUser(u);
    for (int i = 0; i < sockets; i++) {
      mirror.addSocket(lu, FakeIo.session());
    }
    for (String c : channels) {
      mirror.addChannel(u, lu, c);
    }
    return lu;
  }

  @Test
  void onlyTheFirstLocalSubscriberOfAChannelNeedsInterest() {
    LocalUser a = mirror.addUser("a");
    LocalUser b = mirror.addUser("b");
    assertTrue(mirror.addChannel("a", a, "news"));
    assertFalse(mirror.addChannel("b", b, "news"));
    assertFalse(mirror.addChannel("a", a, "news"));
    assertEquals(List.of("news"), mirror.channelIds());
  }

  @Test
  void channelTargetsFollowEveryChangeOfItsUsersAndSockets() {
    LocalUser a = user("a", 2, "news");
    user("b", 1, "news");
    assertEquals(3, mirror.channelTargets("news").length);
    ClientSession third = FakeIo.session();
    mirror.addSocket(a, third);
    assertEquals(4, mirror.channelTargets("news").length);
    assertTrue(mirror.removeSocket(a, third));
    assertFalse(mirror.removeSocket(a, third));
    assertEquals(3, mirror.channelTargets("news").length);
    assertEquals(1, mirror.unsubscribed("b", "news"));
    assertEquals(2, mirror.channelTargets("news").length);
    assertEquals(1, mirror.subscribed("b", "news"));
    assertEquals(3, mirror.channelTargets("news").length);
    assertEquals(0, mirror.channelTargets("other").length);
    assertEquals(0, mirror.subscribed("nobody", "news"));
  }

  @Test
  void aSocketOnAChannelBothAsSubscriberAndPublicIsWrittenOnce() {
    LocalUser b = user("b", 1);
    ClientSession s = b.sockets.iterator().next();
    assertTrue(mirror.mayRegister("b", s, "channel.lobby", Set.of("lobby")));
    assertEquals(List.of("+lobby"), interest);
    assertEquals(1, mirror.subscribed("b", "lobby"));
    assertEquals(1, mirror.channelTargets("lobby").length);
    assertEquals(1, mirror.unsubscribed("b", "lobby"));
    assertEquals(List.of("+lobby"), interest); // the public registration still holds the interest
    assertEquals(1, mirror.channelTargets("lobby").length);
  }

  @Test
  void registrationsArePermittedForTheOwnUserTheSubscribedAndThePublicChannelsOnly() {
    LocalUser a = user("a", 1, "mine");
    ClientSession s = a.sockets.iterator().next();
    assertTrue(mirror.mayRegister("a", s, "user.a", Set.of()));
    assertFalse(mirror.mayRegister("a", s, "user.b", Set.of()));
    assertTrue(mirror.mayRegister("a", s, "channel.mine", Set.of()));
    assertFalse(mirror.mayRegister("a", s, "channel.secret", Set.of("lobby")));
    assertFalse(mirror.mayRegister("a", s, "socketpush.auth", Set.of("lobby")));
    assertTrue(mirror.mayRegister("a", s, "channel.lobby", Set.of("lobby")));
    assertEquals(List.of("+lobby"), interest);
  }

  @Test
  void interestEndsWithTheChannelsLastLocalRecipient() {
    LocalUser a = user("a", 1, "lobby", "news");
    ClientSession pub = FakeIo.session();
    assertTrue(mirror.mayRegister("anon", pub, "channel.lobby", Set.of("lobby")));
    assertTrue(mirror.removeUser("a", a));
    assertEquals(List.of("-news"), interest); // lobby still has a public socket
    assertEquals(1, mirror.channelTargets("lobby").length);
    mirror.unregistered(pub, "channel.lobby");
    assertEquals(List.of("-news", "-lobby"), interest);
    assertEquals(List.of(), mirror.channelIds());
    assertEquals(List.of(), mirror.userIds());
    assertFalse(mirror.removeUser("a", a)); // a stale entry is not removed twice
  }

  @Test
  void unsubscribingEndsTheChannelsRegistrationsButNotAPublicOne() {
    LocalUser a = user("a", 2, "news");
    ClientSession[] s = a.sockets.toArray(new ClientSession[0]);
    assertTrue(mirror.mayRegister("a", s[0], "channel.lobby", Set.of("lobby"))); // public, before a subscription
    s[0].registered().add("channel.lobby");
    assertEquals(2, mirror.subscribed("a", "lobby"));
    assertTrue(mirror.mayRegister("a", s[1], "channel.lobby", Set.of("lobby")));
    s[1].registered().add("channel.lobby");
    s[0].registered().add("channel.news");
    s[1].registered().add("channel.news");
    assertEquals(2, mirror.unsubscribed("a", "news"));
    assertEquals(2, mirror.unsubscribed("a", "lobby"));
    assertEquals(Set.of(), s[1].registered());
    assertEquals(Set.of("channel.lobby"), s[0].registered());
    assertEquals(List.of("+lobby", "-news"), interest);
    assertEquals(1, mirror.channelTargets("lobby").length);
  }

  @Test
  void aSocketResumesItsOwnUserStreamAndItsSubscribedChannelsOnly() {
    LocalUser a = user("a", 1, "news");
    assertTrue(StreamResume.mayResume("a", a, "user.a"));
    assertTrue(StreamResume.mayResume("a", a, "channel.news"));
    assertFalse(StreamResume.mayResume("a", a, "channel.other"));
    assertFalse(StreamResume.mayResume("a", a, "user.b"));
    assertFalse(StreamResume.mayResume("b", mirror.user("b"), "channel.news"));
  }

  @Test
  void presentUsersHaveASocketAndStatsCountTheMirror() {
    user("a", 2, "news");
    user("b", 0, "news");
    user("c", 1, "other");
    assertEquals(Set.of("a"), mirror.present("news").keySet());
    assertEquals(0, mirror.present(null).size());
    mirror.channelTargets("news");
    assertEquals(3, mirror.stats().getInteger("joined"));
    assertEquals(3, mirror.stats().getInteger("users"));
    assertEquals(2, mirror.stats().getInteger("channels"));
    assertEquals(0, mirror.stats().getInteger("publicChannels"));
    assertEquals(1, mirror.stats().getInteger("cachedChannels"));
  }
}
