import { strict as assert } from "node:assert";
import { contactPrefill, htmlToText, messageSourceFromPayload, messageSourceOf, withMessageSource } from "../../src/domain";

const NOW = new Date("2026-03-10T10:00:00Z");
const payload = (content: string, extra: Record<string, unknown> = {}) => ({
  createdDateTime: "2026-03-09T14:05:00.000Z",
  body: { contentType: "html", content },
  ...extra,
});

describe("a Teams message logged as a contact (messageSource)", () => {
  it("reads a message body's HTML as the text a person sees: lines where blocks and breaks are, mentions and emoji as text", () => {
    assert.equal(htmlToText('<div><div><at id="0">PALS Team</at>&nbsp;please ring Mrs&nbsp;Ali</div></div>'), "PALS Team please ring Mrs Ali");
    assert.equal(htmlToText("<p>One</p><p>Two<br>Three</p>\n<ul><li>a</li><li>b</li></ul>"), "One\n\nTwo\nThree\n\n* a\n* b");
    assert.equal(htmlToText("Line one\n   continues<br><br>After a gap"), "Line one continues\n\nAfter a gap");
    assert.equal(htmlToText('Thanks <emoji id="smile" alt="🙂" title="Smile"></emoji> all'), "Thanks 🙂 all");
    assert.equal(htmlToText("<style>p { color: red }</style><!-- hidden --><p>Shown</p><script>steal()</script>"), "Shown");
  });

  it("decodes entities once (as browsers do, with html-to-text), and drops control characters an entity could smuggle in", () => {
    assert.equal(htmlToText("Fish &amp; chips &amp;lt;b&amp;gt; &#163;5 &#x20AC;6 &pound;7 &unknown;"), "Fish & chips &lt;b&gt; £5 €6 £7 &unknown;");
    // A character that cannot be (NUL, a lone surrogate, past U+10FFFF) reads as U+FFFD, as in a browser.
    assert.equal(htmlToText("a&#0;b&#x1b;c&#xD800;d&#1114112;e"), "a\uFFFDbc\uFFFDd\uFFFDe");
  });

  it("keeps the subject, the London date it was posted, and whether it came by email; drops a link outside Teams", () => {
    const email = messageSourceFromPayload(
      payload("<p>Body</p>", {
        subject: "Complaint about Ward 7",
        createdDateTime: "2026-10-24T23:10:00Z",
        from: { user: { id: "someone@example.com", userIdentityType: "emailUser" } },
        linkToMessage: "https://teams.microsoft.com/l/message/19:abc@thread.tacv2/1",
      }),
      NOW,
    );
    assert.ok(email.ok);
    assert.equal(email.source.text, "Complaint about Ward 7\n\nBody");
    assert.equal(email.source.viaEmail, true);
    assert.equal(email.source.link, "https://teams.microsoft.com/l/message/19:abc@thread.tacv2/1");
    assert.deepEqual(contactPrefill(email.source), { summary: "Complaint about Ward 7\n\nBody", receivedOn: "2026-10-25", receivedVia: "email" });

    for (const link of [
      "javascript:alert(1)",
      "http://teams.microsoft.com/l/message/1",
      "https://teams.microsoft.com.evil.example/l/message/1",
      "https://user:pw@teams.microsoft.com/x",
      "",
    ]) {
      const chat = messageSourceFromPayload(payload("Hi", { linkToMessage: link, from: { user: { userIdentityType: "aadUser" } } }), NOW);
      assert.ok(chat.ok);
      assert.equal(chat.source.link, undefined, link);
      assert.equal(chat.source.viaEmail, false);
      assert.equal(contactPrefill(chat.source).receivedVia, undefined, "a Teams message's route is the officer's to choose");
    }
  });

  it("cuts a long message to the summary's limit at a word, and bounds what it reads", () => {
    const long = messageSourceFromPayload(payload(`<p>${"word ".repeat(2000)}</p>`), NOW);
    assert.ok(long.ok);
    assert.ok(long.source.text.length <= 4000);
    assert.match(long.source.text, /word…$/);
    const huge = messageSourceFromPayload(payload("x".repeat(5_000_000)), NOW);
    assert.ok(huge.ok && huge.source.text.length <= 4000);
  });

  it("says when there is nothing to log, or nothing like a message", () => {
    assert.deepEqual(messageSourceFromPayload(payload('<img src="x.png"><attachment id="1"></attachment>'), NOW), { ok: false, problem: "no-text" });
    for (const bad of [undefined, null, "text", { body: "text" }, { body: { content: 42 } }])
      assert.deepEqual(messageSourceFromPayload(bad, NOW), { ok: false, problem: "not-a-message" }, JSON.stringify(bad));
    const plain = messageSourceFromPayload({ body: { contentType: "text", content: "  <b>not HTML</b>  " }, createdDateTime: "garbage" }, NOW);
    assert.ok(plain.ok);
    assert.equal(plain.source.text, "<b>not HTML</b>", "a text body is taken as typed");
    assert.equal(plain.source.sentAt, NOW.toISOString(), "no usable timestamp: now");
  });

  it("reads the message back from a submitted form only when it is exactly what a form carries", () => {
    const source = { text: "Hello", sentAt: "2026-03-09T14:05:00.000Z", viaEmail: false };
    assert.deepEqual(messageSourceOf({ messageSource: { ...source, extra: "dropped" } }), source);
    assert.equal(messageSourceOf({}), undefined);
    assert.equal(messageSourceOf({ messageSource: { ...source, text: "" } }), undefined);
    assert.equal(messageSourceOf({ messageSource: { ...source, link: "https://evil.example/" } }), undefined);
  });

  it("marks the created timeline entry and keeps the original as its free text", () => {
    const created = { kind: "created" as const, summary: "Concern logged (received by email on Monday 9 March 2026)" };
    assert.deepEqual(withMessageSource(created, undefined), created);
    const marked = withMessageSource(created, {
      text: "Original words",
      sentAt: "2026-03-09T14:05:00.000Z",
      viaEmail: true,
      link: "https://teams.microsoft.com/l/message/1",
    });
    assert.equal(marked.summary, "Concern logged (received by email on Monday 9 March 2026), from a Teams message");
    assert.equal(
      marked.detail,
      "Logged from a Teams message (an email sent to a channel), sent 9 Mar 2026, 14:05.\nLink to the message: https://teams.microsoft.com/l/message/1\nOriginal text:\nOriginal words",
    );
  });
});
