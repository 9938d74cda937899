// HTML from outside (a Teams message's body, an email's HTML part) read as the plain text a person reads, whatever
// its shape. html-to-text walks the element tree recursively and overflows the call stack on deeply nested markup
// (5,000 nested tags, 25 KB, was enough), and htmlparser2 builds that tree in time quadratic in its depth. So the
// depth is measured first, in one linear pass that builds nothing; HTML nested deeper than the limit is read as
// flat text (tags dropped, block tags as line breaks, scripts and styles left out), never as a tree.
import { compile, type HtmlToTextOptions } from "html-to-text";
import { EMAIL_LIMITS } from "../inbox/email";

/** HTML nested deeper than this is read as flat text (no element tree). */
export const HTML_DEPTH_LIMIT = EMAIL_LIMITS.htmlDepth;

/** Elements that hold nothing, so a start tag opens no level (htmlparser2's list). */
const VOID_ELEMENTS = new Set([
  "area",
  "base",
  "basefont",
  "br",
  "col",
  "command",
  "embed",
  "frame",
  "hr",
  "img",
  "input",
  "isindex",
  "keygen",
  "link",
  "meta",
  "param",
  "source",
  "track",
  "wbr",
]);

/** Elements whose content is text, not markup, up to their own end tag (as htmlparser2 reads them). */
const RAW_TEXT_ELEMENTS = new Set(["script", "style", "title", "textarea", "xmp"]);
/** Raw text that is never shown. */
const HIDDEN_ELEMENTS = new Set(["script", "style", "title"]);

/** The open elements a start tag closes when they are the innermost open one (htmlparser2's openImpliesClose). */
const P = new Set(["p"]);
const FORM = new Set(["input", "option", "optgroup", "select", "button", "datalist", "textarea"]);
const IMPLIED_CLOSE = new Map<string, ReadonlySet<string>>([
  ["tr", new Set(["tr", "th", "td"])],
  ["th", new Set(["th"])],
  ["td", new Set(["thead", "th", "td"])],
  ["body", new Set(["head", "link", "script"])],
  ["li", new Set(["li"])],
  ["option", new Set(["option"])],
  ["optgroup", new Set(["optgroup", "option"])],
  ["dd", new Set(["dd", "dt"])],
  ["dt", new Set(["dd", "dt"])],
  ["rt", new Set(["rt", "rp"])],
  ["rp", new Set(["rt", "rp"])],
  ["tbody", new Set(["thead", "tbody"])],
  ["tfoot", new Set(["thead", "tbody"])],
  ...["select", "input", "output", "button", "datalist", "textarea"].map((name) => [name, FORM] as const),
  ...[
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "address",
    "article",
    "aside",
    "blockquote",
    "details",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "header",
    "hr",
    "main",
    "nav",
    "ol",
    "pre",
    "section",
    "table",
    "ul",
  ].map((name) => [name, P] as const),
]);

/** Tags that start a new line in the flat reading. */
const BLOCK_ELEMENTS = new Set([
  "address",
  "article",
  "aside",
  "blockquote",
  "body",
  "br",
  "caption",
  "dd",
  "details",
  "div",
  "dl",
  "dt",
  "fieldset",
  "figcaption",
  "figure",
  "footer",
  "form",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "header",
  "hr",
  "li",
  "main",
  "nav",
  "ol",
  "p",
  "pre",
  "section",
  "summary",
  "table",
  "tr",
  "ul",
]);
/** Tags that separate words in the flat reading (table cells side by side). */
const SPACED_ELEMENTS = new Set(["td", "th"]);

interface HtmlVisitor {
  /** Text between tags, entities still encoded. */
  text(from: number, to: number): void;
  /** A start tag (`closing` false) or end tag; `from`/`to` span the whole tag. Returns false to stop the scan. */
  tag(name: string, closing: boolean, from: number, to: number): boolean | void;
}

function isLetter(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a);
}

function isNameEnd(code: number): boolean {
  // whitespace, "/" and ">" end a tag name, as in htmlparser2's tokenizer
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d || code === 0x2f || code === 0x3e;
}

/** Where the tag that starts at `from` ends (the index after its ">"), quoted attribute values skipped; -1 if never. */
function tagEnd(html: string, from: number): number {
  let i = from;
  while (i < html.length) {
    const code = html.charCodeAt(i);
    if (code === 0x3e) return i + 1;
    if (code === 0x3d) {
      // an attribute value: a quoted one may hold ">"
      let j = i + 1;
      while (j < html.length && /\s/.test(html[j]!)) j++;
      const quote = html[j];
      if (quote === '"' || quote === "'") {
        const close = html.indexOf(quote, j + 1);
        if (close < 0) return -1;
        i = close + 1;
        continue;
      }
      i = j;
      continue;
    }
    i++;
  }
  return -1;
}

/**
 * One linear pass over HTML the way htmlparser2's tokenizer reads it: text, start and end tags; comments,
 * declarations and processing instructions skipped; the content of script, style, title, textarea and xmp read as
 * text up to their end tag. Builds nothing.
 */
function scanHtml(html: string, visit: HtmlVisitor): void {
  let textFrom = 0;
  let i = html.indexOf("<");
  while (i >= 0 && i < html.length) {
    const next = html.charCodeAt(i + 1);
    const closing = next === 0x2f;
    const nameFrom = closing ? i + 2 : i + 1;
    if (isLetter(html.charCodeAt(nameFrom))) {
      let nameTo = nameFrom;
      while (nameTo < html.length && !isNameEnd(html.charCodeAt(nameTo))) nameTo++;
      const end = tagEnd(html, nameTo);
      if (i > textFrom) visit.text(textFrom, i);
      if (end < 0) return; // an unfinished tag at the end: dropped
      const name = html.slice(nameFrom, nameTo).toLowerCase();
      if (visit.tag(name, closing, i, end) === false) return;
      textFrom = end;
      if (!closing && RAW_TEXT_ELEMENTS.has(name)) {
        // up to </name, whatever it holds
        const endTag = `</${name}`;
        let close = end;
        for (;;) {
          close = indexOfIgnoringCase(html, endTag, close);
          if (close < 0 || close + endTag.length >= html.length || isNameEnd(html.charCodeAt(close + endTag.length))) break;
          close += endTag.length;
        }
        const rawTo = close < 0 ? html.length : close;
        if (rawTo > end) visit.text(end, rawTo);
        textFrom = rawTo;
        i = close < 0 ? -1 : close;
        continue;
      }
      i = html.indexOf("<", end);
      continue;
    }
    if (next === 0x21 || next === 0x3f || closing) {
      // <!-- comment -->, <!DOCTYPE ...>, <![CDATA[...]]>, <?xml ...?>, or "</" without a name: skipped
      if (i > textFrom) visit.text(textFrom, i);
      let end: number;
      if (html.startsWith("<!--", i)) {
        const close = html.indexOf("-->", i + 4);
        end = close < 0 ? html.length : close + 3;
      } else {
        const close = html.indexOf(">", i + 2);
        end = close < 0 ? html.length : close + 1;
      }
      textFrom = end;
      i = html.indexOf("<", end);
      continue;
    }
    // "<" that starts no tag is text
    i = html.indexOf("<", i + 1);
  }
  if (textFrom < html.length) visit.text(textFrom, html.length);
}

/** `needle` ("</" and a lower-case name) in `html` from `from`, ignoring ASCII case; -1 when absent. */
function indexOfIgnoringCase(html: string, needle: string, from: number): number {
  const first = needle[0]!;
  for (let i = html.indexOf(first, from); i >= 0; i = html.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && (html.charCodeAt(i + j) | 0x20) === needle.charCodeAt(j)) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

/**
 * Whether the element tree htmlparser2 would build from `html` is deeper than `limit`, found in one linear pass
 * that follows its rules (void elements, implied end tags, an end tag closing down to its element and ignored when
 * none is open). It never counts less deep than htmlparser2 builds; it stops as soon as the limit is crossed.
 */
export function htmlNestsDeeperThan(html: string, limit: number): boolean {
  const stack: string[] = [];
  const open = new Map<string, number>();
  const pop = () => {
    const name = stack.pop()!;
    open.set(name, open.get(name)! - 1);
    return name;
  };
  let deeper = false;
  scanHtml(html, {
    text() {},
    tag(name, closing) {
      if (VOID_ELEMENTS.has(name)) return;
      if (closing) {
        if (open.get(name)) while (pop() !== name);
        return;
      }
      const closes = IMPLIED_CLOSE.get(name);
      if (closes) while (stack.length > 0 && closes.has(stack[stack.length - 1]!)) pop();
      stack.push(name);
      open.set(name, (open.get(name) ?? 0) + 1);
      if (stack.length > limit) {
        deeper = true;
        return false;
      }
    },
  });
  return deeper;
}

/**
 * HTML read flat, without building a tree: the text (entities decoded), a line where a block starts or ends and at
 * each <br>, a space between table cells, and nothing of scripts, styles and titles. For markup too deep to read
 * as a tree.
 */
export function flatHtmlToText(html: string): string {
  // The text is gathered as flat HTML (text and <br> only, with a stray "<" escaped), so html-to-text decodes the
  // entities exactly as it does for the tree: one level deep, nothing for it to recurse into.
  const parts: string[] = [];
  /** Line breaks in a row at the end of `parts` (-1 before any text: nothing to break from). */
  let breaks = -1;
  let hidden = false;
  const add = (text: string) => {
    parts.push(text.replace(/</g, "&lt;"));
    breaks = 0;
  };
  scanHtml(html, {
    text(from, to) {
      if (hidden) return;
      const text = html.slice(from, to);
      if (text.trim() !== "") add(text);
      else if (breaks === 0 && text !== "") parts.push(" ");
    },
    tag(name, closing, from, to) {
      if (HIDDEN_ELEMENTS.has(name)) {
        hidden = !closing;
      } else if (name === "br" ? breaks >= 0 && breaks < 2 : breaks === 0 && BLOCK_ELEMENTS.has(name)) {
        parts.push("<br>");
        breaks++;
      } else if (SPACED_ELEMENTS.has(name) && breaks === 0) {
        parts.push(" ");
      } else if (name === "emoji" && !closing) {
        // Teams' <emoji alt="🙂">: its character
        const alt = /\salt\s*=\s*(?:"([^"]*)"|'([^']*)')/i.exec(html.slice(from, to));
        const value = alt?.[1] ?? alt?.[2];
        if (value) add(value);
      }
    },
  });
  return toText(parts.join("")).trim();
}

/**
 * How html-to-text reads a message body: no wrapping, links as their text only, pictures dropped, headings as
 * typed, and Teams' `<emoji alt="🙂">` as its character. Scripts and styles are never text. Its own depth limit is
 * a second guard: the tree it is given is never deeper than HTML_DEPTH_LIMIT.
 */
const toText = compile({
  wordwrap: false,
  limits: { maxDepth: HTML_DEPTH_LIMIT * 2 },
  formatters: { emojiAlt: (element, _walk, builder) => builder.addInline(String((element.attribs as Record<string, unknown> | undefined)?.alt ?? "")) },
  selectors: [
    { selector: "a", options: { ignoreHref: true } },
    { selector: "img", format: "skip" },
    { selector: "emoji", format: "emojiAlt" },
    ...["h1", "h2", "h3", "h4", "h5", "h6"].map((selector) => ({ selector, options: { uppercase: false } })),
  ],
} satisfies HtmlToTextOptions);

/**
 * HTML from outside as plain text, whatever its depth: html-to-text's reading when the markup nests no deeper than
 * HTML_DEPTH_LIMIT, else the flat reading. Tags gone (mentions and emoji keep their text), entities decoded once.
 * Callers bound the input's length; the work is linear in it either way.
 */
export function htmlToPlainText(html: string): string {
  return htmlNestsDeeperThan(html, HTML_DEPTH_LIMIT) ? flatHtmlToText(html) : toText(html);
}
