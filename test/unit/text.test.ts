import { strict as assert } from "node:assert";
import { mentionName } from "../../src/teams/investigations/investigationCards";
import { cardRuns, fromApp, markdownOf, ours, plainText, said, withoutFormatFunctions } from "../../src/teams/text";
import { HOSTILE } from "../helpers/hostile";

describe("what people are told: our words and typed text", () => {
  it("our words mark bold; values put in with said are kept as typed, bold only where our words put them", () => {
    assert.deepEqual(cardRuns("Type **help** to start."), [
      { text: "Type ", weight: "Default" },
      { text: "help", weight: "Bolder" },
      { text: " to start.", weight: "Default" },
    ]);
    const runs = said`Requests for **${"**x** [y](https://evil.example)"}** go here.`;
    assert.deepEqual(
      runs.map((r) => [r.text, r.bold, r.typed]),
      [
        ["Requests for ", false, false],
        ["**x** [y](https://evil.example)", true, true],
        [" go here.", false, false],
      ],
    );
    assert.equal(plainText(runs), "Requests for **x** [y](https://evil.example) go here.");
  });

  it("sends chat as markdown only when every typed part is inert, otherwise as plain text", () => {
    assert.equal(
      markdownOf(said`Done: requests for **${"Women's & Children's (Surgery)"}** start here.`),
      "Done: requests for **Women's & Children's (Surgery)** start here.",
    );
    assert.equal(markdownOf(said`Set by ${"Siân O'Brien-Smith"}.`), "Set by Siân O'Brien-Smith.");
    assert.equal(
      markdownOf(fromApp("We couldn't find that case: type **my cases** or **case** and the reference.")),
      "We couldn't find that case: type **my cases** or **case** and the reference.",
    );
    for (const h of [...HOSTILE, "evil.example", "x@evil.example", "mailto:x", "&lt;b&gt;", "line\n- list", "# heading", "_it_", "`code`", "~~gone~~", "a|b"]) {
      assert.equal(markdownOf(said`Set by ${h}.`), undefined, JSON.stringify(h));
    }
    assert.equal(markdownOf(ours("Type **help**")), "Type **help**", "our own words are markdown");
  });

  it("makes a mention's name from letters, digits, spaces, apostrophes, hyphens and brackets only", () => {
    assert.equal(mentionName("Dr Liam O'Lead-Smith (Nursing)"), "Dr Liam O'Lead-Smith (Nursing)");
    assert.equal(mentionName("Zoë Łukasz"), "Zoë Łukasz");
    assert.equal(mentionName("[click me](https://evil.example/md)"), "click me(httpsevilexamplemd)");
    assert.equal(mentionName("<at>Someone</at>"), "atSomeoneat");
    assert.equal(mentionName("**"), "Clinical lead");
  });

  it("keeps {{DATE(...)}} and {{TIME(...)}} in data from being expanded, wherever the renderer formats text, and leaves input values as typed", () => {
    const typed = "{{DATE(2026-01-01T00:00:00Z,SHORT)}} {{{TIME(2026-01-01T00:00:00Z)}}}";
    const card = withoutFormatFunctions({
      type: "AdaptiveCard",
      body: [
        { type: "TextBlock", text: typed },
        { type: "RichTextBlock", inlines: [{ type: "TextRun", text: typed }] },
        { type: "FactSet", facts: [{ title: typed, value: typed }] },
        { type: "Input.Text", id: "x", label: typed, value: typed, placeholder: typed },
        { type: "Input.ChoiceSet", id: "y", choices: [{ title: typed, value: typed }] },
      ],
    });
    const json = JSON.stringify(card);
    assert.doesNotMatch(json.replace(/"value":"[^"]*"|"placeholder":"[^"]*"/g, ""), /\{\{(DATE|TIME)\(/);
    const input = (card.body as Record<string, unknown>[])[3];
    assert.equal(input.value, typed, "what was typed into an input is sent back unchanged");
    assert.equal(((card.body as { text?: string }[])[0].text ?? "").replace(/\u200b/g, ""), typed, "shown the same");
  });
});
