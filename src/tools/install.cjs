#!/usr/bin/env node
// `npm run setup`: installs PALS Desk's dependencies with npm itself running on Node 24, from any Node this
// machine has. npm checks every package's `engines` against the Node it runs on: run on an older Node, it
// warns about each package that needs Node 22 or 24, though PALS Desk never runs on that Node (the `node`
// devDependency puts Node 24 at node_modules/.bin/node for every npm script). So this first fetches Node 24
// from the npm registry (the node-<platform>-<arch> package the `node` package uses) into .node/, then runs
// `npm ci` on it. Plain JavaScript: it runs before anything is installed.
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..", "..");
const wanted = require(path.join(root, "package.json")).devDependencies.node;
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

function run(args, env, cwd = root) {
  const result = spawnSync(npm, args, { cwd, env, stdio: "inherit", shell: process.platform === "win32" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

let env = process.env;
if (process.versions.node !== wanted) {
  const folder = path.join(root, ".node");
  const binary = `node-${process.platform}-${process.arch}`;
  const bin = path.join(folder, "node_modules", binary, "bin");
  const have = fs.existsSync(path.join(bin, "node")) && spawnSync(path.join(bin, "node"), ["--version"], { encoding: "utf8" }).stdout.trim() === `v${wanted}`;
  if (!have) {
    console.log(`--- Node ${wanted} for npm itself (${binary} from the npm registry, into .node/)`);
    fs.mkdirSync(folder, { recursive: true });
    // A folder of its own, so the project's package.json and lock file are left alone.
    fs.writeFileSync(path.join(folder, "package.json"), JSON.stringify({ private: true, description: "Node for npm run setup (src/tools/install.cjs)" }));
    run(["install", "--no-save", "--no-package-lock", "--no-audit", "--no-fund", "--loglevel=error", `${binary}@${wanted}`], env, folder);
  }
  env = { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` };
}
run(["ci", "--no-audit", "--no-fund", ...process.argv.slice(2)], env);
