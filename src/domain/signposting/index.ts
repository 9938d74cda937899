// Signposting: the directory of organisations people are pointed to, and searching it by need.
export * from "./directory";
export * from "./search";
export { isCrisisNeed, termsOf } from "./text";
