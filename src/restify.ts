import type restifyModule from "restify";

/**
 * restify, loaded where src/index.ts builds the server. restify 12 no longer loads spdy (whose http-deceiver
 * called the removed process.binding('http_parser')), so it loads on Node 24 without a warning and needs no
 * filter of DEP0111 any more.
 */
export function loadRestify(): typeof restifyModule {
  return require("restify") as typeof restifyModule;
}
