// The pure domain: no I/O and no framework imports. Other layers import from here only.
export * from "./choice";
export * from "./calendar";
export * from "./nhsNumber";
export * from "./ko41a";
export * from "./risk";
export * from "./reference";
export * from "./triage";
export * from "./deadlines";
export * from "./case";
export * from "./timeline";
export * from "./ports";
export * from "./caseActions";
export * from "./access";
export * from "./signposting/index";
export * from "./nudges";
export * from "./outbox";
export * from "./investigations";
