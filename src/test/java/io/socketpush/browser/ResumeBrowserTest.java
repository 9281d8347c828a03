package io.socketpush.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.socketpush.message.PushMessage;
import io.socketpush.testing.Await;
import io.socketpush.testing.Chromium;
import org.junit.jupiter.api.Test;

/**
 * The webroot JS client in Chromium resumes its streams by itself (issue 15, step 6): the page on an edge that
 * goes away reconnects to the other with its positions and shows every sequence number once and in order,
 * including those published while it was between sockets; a stream it cannot recover is reported false.
 */
class ResumeBrowserTest extends TwoEdgesBrowser {
  @Test
  void thePageOfAStoppedEdgeGetsEveryMessageOnceInOrderAndSeesWhatWasNotRecovered() {
    var services = b.verticle.services();
    Await.result(services.auth().set("43", "s"));
    Await.result(services.channel().subscribe("43", "seq"));
    String edgeA = sockJsUrl(a);
    String edgeB = sockJsUrl(b);
    driver.get("http://127.0.0.1:" + a.edgePort() + "/");
    js("window.got = {}; window.states = []; window.resumes = [];"
        + "window.sp = SocketPush.connect({urls: ['" + edgeA + "', '" + edgeB + "'], userId: '43', sessionId: 's',"
        + " reconnectMin: 300, reconnectMax: 1000,"
        + " onMessage: function (a, b) { (window.got[a] = window.got[a] || []).push(b); },"
        + " onResume: function (r) { window.resumes.push(JSON.stringify(r)); },"
        + " onStatus: function (t, s) { window.states.push(s); } });");
    waitFor("connected to edge A", "window.states.indexOf('connected') >= 0");
    for (int i = 1; i <= 5; i++) {
      Await.result(services.user().publish("43", PushMessage.of(i), null));
      Await.result(services.channel().publish("seq", PushMessage.of(i), null));
    }
    waitFor("1..5 through edge A", "(window.got['channel.seq'] || []).length === 5 && (window.got['user.43'] || []).length === 5");

    Await.result(a.stop(), 30_000); // edge A goes away; the user is between sockets until it is back on B
    for (int i = 6; i <= 15; i++) {
      Await.result(services.user().publish("43", PushMessage.of(i), null));
      Await.result(services.channel().publish("seq", PushMessage.of(i), null));
    }
    waitFor("resumed on edge B", "window.resumes.length === 1");
    for (int i = 16; i <= 20; i++) {
      Await.result(services.user().publish("43", PushMessage.of(i), null));
      Await.result(services.channel().publish("seq", PushMessage.of(i), null));
    }
    waitFor("1..20 of both streams", "window.got['channel.seq'].length >= 20 && window.got['user.43'].length >= 20");
    assertEquals("{\"user.43\":true,\"channel.seq\":true}", String.valueOf(js("return window.resumes[0];")));
    String expected = "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20";
    assertEquals(expected, String.valueOf(js("return window.got['user.43'].join(',');")), "user stream: once each, in order");
    assertEquals(expected, String.valueOf(js("return window.got['channel.seq'].join(',');")), "channel stream: once each, in order");

    // a position the edge cannot replay (another epoch) is reported to the page as not recovered
    js("window.sp.positions['channel.seq'] = 'gone:3'; window.sp.eb.close();");
    waitFor("second resume", "window.resumes.length === 2");
    assertEquals("{\"user.43\":true,\"channel.seq\":false}", String.valueOf(js("return window.resumes[1];")));
    Await.result(services.channel().publish("seq", PushMessage.of(21), null));
    waitFor("live again", "window.got['channel.seq'].indexOf(21) >= 0");
    assertEquals(expected + ",21", String.valueOf(js("return window.got['channel.seq'].join(',');")));
  }
}
