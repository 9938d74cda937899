import { strict as assert } from "node:assert";
import { findFolded, findIdentifiers, identifiersOf, normaliseForMatching, withoutIdentifiers, type KnownIdentifiers } from "../../src/domain";

// Patient Ada Fairweather-Quince (NHS number 943 476 5919, born 17 May 1948), raised by Tom O'Neill; Mei Li on another case.
const KNOWN: KnownIdentifiers = {
  names: ["Ada Fairweather-Quince", "Tom O'Neill", "Mei Li"],
  nhsNumbers: ["9434765919"],
  datesOfBirth: ["1948-05-17"],
};
const found = (text: string, known: KnownIdentifiers = KNOWN) => findIdentifiers(text, known).map((f) => `${f.kind}:${f.text}`);

describe("patient identifiers in free text (domain)", () => {
  it("folds text for matching: compatibility forms, accents, case, every space, dash, slash and apostrophe, invisible characters, lookalike letters", () => {
    assert.equal(normaliseForMatching("\uff2d\uff52\uff53\u3000O\u2019N\u00e9ill"), "mrs o'neill");
    assert.equal(normaliseForMatching("401\u00a0\u2013\u202f023\u2044456\u200b3\u2212\u00ad9"), "401 - 023/4563-9");
    assert.equal(normaliseForMatching("O\u02bcNeill O`Neill O\uff07Neill O\u2018Neill"), "o'neill o'neill o'neill o'neill");
    assert.equal(normaliseForMatching("Zo\u00eb \u0421\u0430m STRAU\u00dfE \ufb01ne"), "zoe cam strausse fine");
    assert.equal(normaliseForMatching("\u0669\u0664\u0663 \u2460"), "943 1", "Arabic-Indic digits and a circled digit");
  });

  it("finds NHS numbers however they are split, any ten digits, and longer numbers that point at a person", () => {
    for (const text of [
      "943 476 5919",
      "943\u00a0476\u00a05919",
      "401-023-4563",
      "401/023/4563",
      "401 \u2013 023 \u2013 4563",
      "401.023.4563",
      "401_023_4563",
      "(401) 023 4563",
      "9434765919",
      "94 34 76 59 19",
    ]) {
      assert.deepEqual(
        findIdentifiers(`Ref ${text} seen`, {}).map((f) => [f.kind, f.text]),
        [["nhs-number", text.replace(/^\(/, "")]],
        text,
      );
    }
    assert.deepEqual(found("Ring 07700 900123 or +44 161 496 0000", {}), ["long-number:07700 900123", "long-number:44 161 496 0000"]);
    // In a longer list of numbers: a 3-3-4 group, or ten digits passing the check.
    assert.deepEqual(found("Beds 1 2 3 401 023 4563", {}), ["nhs-number:401 023 4563"]);
    assert.deepEqual(found("Beds 1 2 3 9434 765 919", {}), ["nhs-number:9434 765 919"]);
    // The patient's own number, even digit by digit with any punctuation.
    assert.deepEqual(found("9,4,3,4,7,6,5,9,1,9"), ["nhs-number:9,4,3,4,7,6,5,9,1,9"]);
  });

  it("leaves dates, times, counts, ward numbers and case references alone", () => {
    for (const text of [
      "Ward 7 to review bells by 2026-04-01; 3 audits a week",
      "Audited 2026-04-01 2026-06-30 weekly",
      "Audit 01/04/2026 - 30/06/2026 at 09:30 and 14:45",
      "Seen by 12 staff in 2026 on 3 wards",
      "See PALS-2026-000123 and pals 2026 7",
    ]) {
      assert.deepEqual(found(text), [], text);
    }
  });

  it("finds the names given: whole, in either order, any part of more than 2 letters, a short part after a title, in any case and spelling", () => {
    assert.deepEqual(found("Mrs Fairweather-Quince, Mrs Quince and the FAIRWEATHER family"), ["name:Fairweather-Quince", "name:Quince", "name:FAIRWEATHER"]);
    assert.deepEqual(found("Mrs Fairweather \u2013 Quince; Mrs FairweatherQuince; Mrs Fairweather\u00adQuince"), [
      "name:Fairweather \u2013 Quince",
      "name:FairweatherQuince",
      "name:Fairweather\u00adQuince",
    ]);
    assert.deepEqual(found("Mr O\u2019Neill, Mr O ' Neill, Mr ONeill, MR O`NEILL; Tom O'Neill's son; Neill"), [
      "name:O\u2019Neill",
      "name:O ' Neill",
      "name:ONeill",
      "name:O`NEILL",
      "name:Tom O'Neill",
      "name:Neill",
    ]);
    assert.deepEqual(found("Fairweather-Quince, Ada and Mrs Qu\u0456nce"), ["name:Fairweather-Quince, Ada", "name:Qu\u0456nce"], "surname first; a Cyrillic i");
    assert.deepEqual(found("Mrs Li and Dr. Li; Li-ion batteries; li"), ["name:Li", "name:Li"], "a short part only after a title");
    assert.deepEqual(found("Quinces, tomorrow, Adam, neillsons, Mei's"), ["name:Mei"], "whole words only");
    assert.deepEqual(found("Mr and Mrs Smith", { names: ["Mr Smith"] }), ["name:Smith"], "a title is not a name");
  });

  it("finds the date of birth as people write it", () => {
    for (const text of [
      "17/05/1948",
      "17-5-48",
      "17.05.1948",
      "1948-05-17",
      "17 May 1948",
      "17th May 1948",
      "17th of May, 1948",
      "May 17, 1948",
      "17 MAY 48",
    ]) {
      assert.deepEqual(found(`Born ${text}.`), [`date-of-birth:${text}`], text);
    }
    assert.deepEqual(found("17/05/1949 and 18 May 1948"), [], "another date");
  });

  it("counts a part of a staff name only when written as a name", () => {
    const staff = { staff: ["Sam Sister"] };
    assert.deepEqual(found("The ward sister and Sister Sam; sam sister", staff), ["name:Sister Sam", "name:sam sister"]);
    assert.deepEqual(found("The ward sister", staff), []);
    assert.deepEqual(found("Told Sister", staff), ["name:Sister"]);
  });

  it("replaces what it finds, spans in the text as written, and knows a case's patient and raiser", () => {
    assert.equal(withoutIdentifiers("Mrs Fairweather\u2013Quince (943\u200b476\u200b5919) and O\u2019Neill", KNOWN, "[x]"), "Mrs [x] ([x]) and [x]");
    assert.deepEqual(identifiersOf({ patient: { name: "Ada", nhsNumber: "9434765919", dateOfBirth: "1948-05-17" }, raiser: { name: "Tom" } }), {
      names: ["Ada", "Tom"],
      nhsNumbers: ["9434765919"],
      datesOfBirth: ["1948-05-17"],
    });
    assert.deepEqual(findFolded("See PALS\u20132026\u2013000123.", /pals-\d{4}-\d{6}/), [{ start: 4, end: 20 }]);
  });
});
