/** People type NHS numbers as "943 476 5919" or "943-476-5919"; we store the 10 digits. */
export function normaliseNhsNumber(value: string): string {
  return String(value ?? "").replace(/[\s-]+/g, "");
}

/**
 * The NHS number modulus 11 check: weights 10 down to 2 on digits 1-9; check digit = 11 - (sum mod 11),
 * where 11 means 0 and 10 means the number can never be valid.
 * This is the check only: it does not reject patterns such as 0000000000 (which passes) or say whether
 * the number has been issued; only the Personal Demographics Service can do that.
 */
export function isValidNhsNumber(value: string): boolean {
  if (typeof value !== "string") return false;
  const digits = normaliseNhsNumber(value);
  if (!/^\d{10}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(digits[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 10) return false;
  return (check === 11 ? 0 : check) === Number(digits[9]);
}

/** "943 476 5919", the 3-3-4 grouping NHS letters use; anything that isn't 10 digits comes back trimmed, as typed. */
export function formatNhsNumber(value: string): string {
  const digits = normaliseNhsNumber(value);
  if (!/^\d{10}$/.test(digits)) return String(value ?? "").trim();
  return `${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}`;
}

/**
 * NHS numbers beginning 999 are issued for testing and never to a patient (NHS England's test data guidance): one
 * on a case in a live system is a slip, or test data in the live record.
 */
export function isTestNhsNumber(value: string): boolean {
  return normaliseNhsNumber(value).startsWith("999");
}
