// The depth-safe HTML reader used wherever HTML from outside is made plain: a Teams message's body ("Log as a PALS
// contact") and an email's HTML part (src/mail/parseEmail.ts).
import { strict as assert } from "node:assert";
import { htmlToText } from "../../src/domain";
import { flatHtmlToText, HTML_DEPTH_LIMIT, htmlNestsDeeperThan, htmlToPlainText } from "../../src/domain/case/plainText";

const nested = (depth: number, tag = "div", text = "Patient in bed 4 unhappy &amp; cold.") => `${`<${tag}>`.repeat(depth)}${text}${`</${tag}>`.repeat(depth)}`;

describe("HTML from outside made plain, however deep it nests (plainText)", () => {
  it("reads HTML nested 5,000 deep (about 25 KB, which overflowed html-to-text's stack) as its text, quickly", () => {
    const deep = `${"<div>".repeat(5000)}Patient in bed 4 unhappy &amp; cold.`;
    assert.ok(deep.length > 25_000 && deep.length < 26_000);
    const started = performance.now();
    assert.equal(htmlToPlainText(deep).trim(), "Patient in bed 4 unhappy & cold.");
    assert.equal(htmlToText(deep), "Patient in bed 4 unhappy & cold.", "the Teams message reader too");
    assert.equal(htmlToPlainText(nested(200_000, "b")).trim(), "Patient in bed 4 unhappy & cold.", "200,000 deep (1.4 MB)");
    assert.ok(performance.now() - started < 2000, "in linear time: no tree is built");
  });

  it("reads markup up to the limit as html-to-text does, and deeper markup flat, with the same text", () => {
    assert.equal(HTML_DEPTH_LIMIT, 200);
    assert.equal(htmlNestsDeeperThan(nested(200), 200), false);
    assert.equal(htmlNestsDeeperThan(nested(201), 200), true);
    assert.equal(htmlToText(nested(200)), "Patient in bed 4 unhappy & cold.");
    assert.equal(htmlToText(nested(201)), "Patient in bed 4 unhappy & cold.");
  });

  it("measures depth as htmlparser2 builds the tree: void elements, implied end tags, stray end tags", () => {
    assert.equal(htmlNestsDeeperThan("<br><img src=x><hr>".repeat(1000), 200), false, "void elements hold nothing");
    assert.equal(htmlNestsDeeperThan("<p>para".repeat(1000), 200), false, "a <p> closes the open <p>");
    assert.equal(htmlNestsDeeperThan("<ul>" + "<li>item".repeat(1000) + "</ul>", 200), false, "an <li> closes the open <li>");
    assert.equal(htmlNestsDeeperThan("<table>" + "<tr><td>a<td>b".repeat(1000) + "</table>", 200), false, "rows and cells close their siblings");
    assert.equal(htmlNestsDeeperThan("<td><span>".repeat(150), 200), true, "but only when they are the innermost open element");
    assert.equal(htmlNestsDeeperThan("<b></i>".repeat(300), 200), true, "an end tag with nothing to close is ignored");
    assert.equal(htmlNestsDeeperThan("<div></div>".repeat(10_000), 200), false, "closed elements are siblings");
    assert.equal(
      htmlNestsDeeperThan(`<script>${"<div>".repeat(500)}</script><!-- ${"<div>".repeat(500)} -->`, 200),
      false,
      "scripts and comments are not markup",
    );
    assert.equal(htmlNestsDeeperThan('<div title="></div>">'.repeat(300), 200), true, "a quoted > does not end a tag");
  });

  it("reads flat: line breaks at block tags, spaces between cells, entities decoded once, no scripts or styles", () => {
    assert.equal(flatHtmlToText("<p>One</p><p>Two<br>Three</p><ul><li>a</li><li>b</li></ul>"), "One\nTwo\nThree\na\nb");
    assert.equal(flatHtmlToText("<table><tr><td>Ward</td><td>7</td></tr></table>"), "Ward 7");
    assert.equal(flatHtmlToText("Fish &amp; chips &amp;lt;b&amp;gt; &#163;5 &pound;7 a < b"), "Fish & chips &lt;b&gt; £5 £7 a < b");
    assert.equal(
      flatHtmlToText("<head><title>Title</title><style>p{color:red}</style></head><SCRIPT>steal('</p>')</SCRIPT ><p>Shown</p><!-- <p>hidden</p> -->"),
      "Shown",
    );
    assert.equal(flatHtmlToText('<at id="0">PALS Team</at> thanks <emoji id="smile" alt="🙂"></emoji>'), "PALS Team thanks 🙂");
    assert.equal(flatHtmlToText('<a href="https://evil.example/x">the link text</a><img src="https://evil.example/p.png" alt="pixel">'), "the link text");
    assert.equal(flatHtmlToText("text <div unfinished"), "text", "an unfinished tag at the end is dropped");
  });

  it("keeps typed markup, markdown and card JSON as the characters they are: plain text, never markup", () => {
    const typed = '&lt;script&gt;alert(1)&lt;/script&gt; **bold** [link](https://evil.example) {"type":"AdaptiveCard"}';
    const expected = '<script>alert(1)</script> **bold** [link](https://evil.example) {"type":"AdaptiveCard"}';
    assert.equal(htmlToText(`<p>${typed}</p>`), expected);
    assert.equal(htmlToText(`${"<div>".repeat(300)}${typed}`), expected, "and the same when read flat");
  });
});
