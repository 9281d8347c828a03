package io.socketpush.browser;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.message.PushMessage;
import io.socketpush.testing.Await;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The browser client (webroot/js/socketpush.js) given two edges: when the edge it is on stops, it
 * reconnects to the other one, authenticates again and keeps receiving. Two nodes share one Vert.x event
 * bus, so they form a two-node ring without a cluster manager.
 */
class FailoverBrowserTest extends TwoEdgesBrowser {
  @Test
  void clientOfAStoppedEdgeReconnectsToTheOtherAndKeepsReceiving() {
    Await.result(a.verticle.services().auth().set("42", "s"));
    String edgeA = sockJsUrl(a);
    String edgeB = sockJsUrl(b);
    driver.get("http://127.0.0.1:" + a.edgePort() + "/");
    js("window.got = []; window.states = [];"
        + "window.fo = SocketPush.connect({urls: ['" + edgeA + "', '" + edgeB + "'], userId: '42', sessionId: 's',"
        + " reconnectMin: 200, reconnectMax: 1000,"
        + " onMessage: function (a, b) { window.got.push(JSON.stringify(b)); },"
        + " onStatus: function (t, s) { window.states.push(s + '@' + window.fo_url()); } });"
        + "window.fo_url = function () { return window.fo ? window.fo.url : ''; };");
    waitFor("connected to edge A", "window.states.some(function (s) { return s.indexOf('connected@" + edgeA + "') === 0; })");
    Await.result(b.verticle.services().user().publish("42", PushMessage.of("before"), null));
    waitFor("message through edge A", "window.got.indexOf('\"before\"') >= 0");

    Await.result(a.stop(), 30_000); // edge A goes away: its clients are told to reconnect elsewhere
    waitFor("reconnected to edge B", "window.states.some(function (s) { return s.indexOf('connected@" + edgeB + "') === 0; })");
    Await.until(() -> Await.result(b.verticle.services().user().getFrontendServer("42")).equals(List.of("http://127.0.0.1:" + b.edgePort())),
        10_000, "presence moved to edge B");
    Await.result(b.verticle.services().user().publish("42", PushMessage.of("after"), null));
    waitFor("message through edge B", "window.got.indexOf('\"after\"') >= 0");
    Object states = js("return window.states.join(',');");
    assertTrue(String.valueOf(states).contains("reconnecting"), "went through a reconnect: " + states);
  }
}
