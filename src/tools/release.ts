import fs from "node:fs";
import path from "node:path";

/**
 * `npm run release [folder]` (after `npm run build`): copies what PALS Desk needs at run time into a folder
 * of its own (default `release/`), ready for `npm ci --omit=dev --ignore-scripts` there and a zip deploy
 * (m365agents.yml) or a copy to a server. Source, tests and development tools stay behind.
 */

const ROOT = path.resolve(__dirname, "..", "..");

/**
 * Everything read at run time: dist/ (national.json is copied there by tsc) and cards/ (card templates and
 * cards/letters/, found from dist/ as ../cards), with package.json and the lock file for `npm ci`.
 * The Dockerfile copies the same list (test/unit/deploy.test.ts checks).
 */
export const RUNTIME_PATHS = ["package.json", "package-lock.json", "dist", "cards"] as const;

/** Written into the folder, so a later run may empty it again (and nothing else). */
const MARKER = ".pals-desk-release";

export class ReleaseError extends Error {
  override name = "ReleaseError";
}

export function stageRelease(outDir: string, root = ROOT): string {
  const target = path.resolve(outDir);
  if (!fs.existsSync(path.join(root, "dist", "index.js"))) throw new ReleaseError("There is no dist/index.js: run npm run build first");
  // Never empty the checkout itself or a folder above it.
  const fromTarget = path.relative(target, root);
  if (fromTarget === "" || !fromTarget.startsWith("..")) throw new ReleaseError(`${outDir} holds the project itself: name a folder of its own`);
  if (fs.existsSync(target)) {
    const entries = fs.readdirSync(target);
    if (entries.length > 0 && !entries.includes(MARKER))
      throw new ReleaseError(`${outDir} is not empty and was not made by npm run release: name another folder`);
    fs.rmSync(target, { recursive: true, force: true });
  }
  fs.mkdirSync(target, { recursive: true });
  for (const entry of RUNTIME_PATHS) fs.cpSync(path.join(root, entry), path.join(target, entry), { recursive: true });
  fs.writeFileSync(path.join(target, MARKER), "Made by npm run release; emptied by the next one.\n");
  return target;
}

if (require.main === module) {
  try {
    const target = stageRelease(process.argv[2] ?? path.join(ROOT, "release"));
    process.stdout.write(
      `Copied ${RUNTIME_PATHS.join(", ")} to ${path.relative(process.cwd(), target) || "."}: run npm ci --omit=dev --ignore-scripts there\n`,
    );
  } catch (error) {
    process.stderr.write(`npm run release failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
