import type restifyModule from "restify";

/**
 * restify 11 loads spdy, whose http-deceiver calls process.binding('http_parser') as it loads
 * (http-deceiver/lib/deceiver.js lines 22 and 27): Node then prints DEP0111 twice on every start, which
 * people read as a fault. PALS Desk never uses spdy. Only that warning, and only while restify loads,
 * is dropped; every other warning passes through.
 */
export function loadRestify(): typeof restifyModule {
  const emitWarning = process.emitWarning;
  process.emitWarning = function (this: unknown, warning: string | Error, ...rest: unknown[]) {
    const options = rest[0];
    const code = typeof options === "object" && options !== null ? (options as { code?: unknown }).code : rest[1];
    const text = typeof warning === "string" ? warning : warning.message;
    if (code === "DEP0111" && text.includes("process.binding('http_parser')")) return;
    return Reflect.apply(emitWarning, process, [warning, ...rest]);
  } as typeof process.emitWarning;
  try {
    return require("restify") as typeof restifyModule;
  } finally {
    process.emitWarning = emitWarning;
  }
}
